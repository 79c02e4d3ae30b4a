import type { RouteHandlers } from "../route-context.ts";
import { actionRoutes } from "./actions.ts";
import { appRoutes } from "./apps.ts";
import { checkRoutes } from "./checks.ts";
import { contentRoutes } from "./contents.ts";
import { gitDataRoutes } from "./git-data.ts";
import { issueCommentRoutes } from "./issue-comments.ts";
import { issueRoutes } from "./issues.ts";
import { labelRoutes } from "./labels.ts";
import { pullMergeRoutes } from "./pull-merges.ts";
import { pullRoutes } from "./pulls.ts";
import { repoRoutes } from "./repos.ts";
import { rulesetRoutes } from "./rulesets.ts";

/** Every operation the offline GitHub serves, by operationId. */
export const routeHandlers: RouteHandlers = {
  ...appRoutes,
  ...repoRoutes,
  ...rulesetRoutes,
  ...issueRoutes,
  ...labelRoutes,
  ...issueCommentRoutes,
  ...contentRoutes,
  ...gitDataRoutes,
  ...pullRoutes,
  ...pullMergeRoutes,
  ...checkRoutes,
  ...actionRoutes,
};
