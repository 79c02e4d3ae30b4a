import type { Context } from "probot";
import { configTouchedBy } from "../../core/config/push.ts";
import type { AppDeps } from "../scope.ts";

/**
 * `push`: a push to the default branch that may have changed `.github/swarm.yml` makes the next
 * event read it again rather than use the cached copy. Pushes are the most frequent event (every
 * agent commit is one), so this touches neither GitHub nor the ledger.
 */
export function onPush(deps: AppDeps) {
  return async (context: Context<"push">): Promise<void> => {
    const { ref, repository, commits, forced } = context.payload;
    if (ref !== `refs/heads/${repository.default_branch}`) return;
    if (configTouchedBy({ commits, forced })) deps.configs.forget(repository.full_name);
  };
}
