import type { RouteHandlers } from "../route-context.ts";
import { appRoutes } from "./apps.ts";
import { contentRoutes } from "./contents.ts";
import { gitDataRoutes } from "./git-data.ts";
import { issueCommentRoutes } from "./issue-comments.ts";
import { issueRoutes } from "./issues.ts";
import { labelRoutes } from "./labels.ts";
import { repoRoutes } from "./repos.ts";

/** Every operation the offline GitHub serves, by operationId. */
export const routeHandlers: RouteHandlers = {
  ...appRoutes,
  ...repoRoutes,
  ...issueRoutes,
  ...labelRoutes,
  ...issueCommentRoutes,
  ...contentRoutes,
  ...gitDataRoutes,
};
