import { GitHubError } from "../github-error.ts";
import type { Actor } from "../sim-events.ts";
import { permissionOf } from "../route-context.ts";
import type { SimRepo } from "../world.ts";
import { requiredChecksProblem, requiredChecksState } from "./required-checks.ts";
import { branchRules, type SimRuleset } from "./rulesets.ts";

const ZERO_SHA = "0000000000000000000000000000000000000000";
// GitHub's repository role ids for bypass actors of type RepositoryRole.
const ROLE_IDS: Record<string, number> = { maintain: 2, write: 4, admin: 5 };

/**
 * Refuses a push (a ref moved from `before` to `after`, ZERO_SHA for created or deleted) that the
 * branch's active rulesets forbid, with GitHub's 422 "Repository rule violations found". Actors a
 * ruleset lets bypass (an app by id, a repository role) pass that ruleset's rules.
 */
export async function assertPushAllowed(
  repo: SimRepo,
  ref: string,
  before: string,
  after: string,
  actor: Actor,
): Promise<void> {
  if (!ref.startsWith("refs/heads/")) return;
  const branch = ref.slice("refs/heads/".length);
  const violations: string[] = [];
  for (const { rule, ruleset } of branchRules(repo, branch)) {
    if (canBypass(repo, ruleset, actor)) continue;
    const creating = before === ZERO_SHA;
    const deleting = after === ZERO_SHA;
    switch (rule.type) {
      case "deletion":
        if (deleting) violations.push("Cannot delete this branch");
        break;
      case "non_fast_forward":
        if (!creating && !deleting && !(await repo.git.isAncestor(before, after)))
          violations.push("Cannot force-push to this branch");
        break;
      case "merge_queue":
        if (!deleting) violations.push("Changes must be made through the merge queue");
        break;
      case "pull_request":
        if (!deleting) violations.push("Changes must be made through a pull request.");
        break;
      case "required_status_checks": {
        if (deleting || (creating && rule.parameters.do_not_enforce_on_create === true)) break;
        const problem = requiredChecksProblem(
          requiredChecksState(repo, after, rule.parameters.required_status_checks),
        );
        if (problem) violations.push(problem);
        break;
      }
    }
  }
  if (violations.length > 0)
    throw new GitHubError(422, `Repository rule violations found\n\n${violations.join("\n\n")}\n\n`);
}

// Bypass actors the offline GitHub knows: an app (Integration) by id and a repository role by
// GitHub's role id; other kinds bypass nothing.
function canBypass(repo: SimRepo, ruleset: SimRuleset, actor: Actor): boolean {
  return ruleset.bypassActors.some((entry) => {
    const { actor_type: type, actor_id: id } = entry as { actor_type?: string; actor_id?: number | null };
    if (type === "Integration") return actor.kind === "installation" && actor.appId === id;
    if (type !== "RepositoryRole" || actor.kind !== "user") return false;
    const role = permissionOf(repo, actor.login);
    return role !== undefined && ROLE_IDS[role] === id;
  });
}
