import { moveRef } from "../branch-updates.ts";
import { GitHubError, notFound } from "../github-error.ts";
import { landPull, type MergeMethod } from "../merge-queue/merge-commits.ts";
import {
  afterMerge,
  assertMethodAllowed,
  markMerged,
  MergeQueueRefusal,
} from "../merge-queue/merge-queue.ts";
import { requiredChecksProblem, requiredChecksState } from "../merge-queue/required-checks.ts";
import { branchRules, requiredApprovalsOf, requiredChecksOf } from "../merge-queue/rulesets.ts";
import {
  intParam,
  repoOf,
  requirePermission,
  type RouteContext,
  type RouteHandlers,
} from "../route-context.ts";
import type { SimPull, SimRepo } from "../world.ts";
import { headShaOf } from "./pulls.ts";

function pullOf(ctx: RouteContext, repo: SimRepo): SimPull {
  const pull = repo.pulls.get(intParam(ctx, "pull_number"));
  if (!pull) throw notFound();
  return pull;
}

// What the base branch's rulesets say against merging this pull request directly, in GitHub's words.
function ruleViolations(repo: SimRepo, pull: SimPull, headSha: string, method: MergeMethod): string[] {
  const violations: string[] = [];
  for (const { rule } of branchRules(repo, pull.base)) {
    if (rule.type === "merge_queue") violations.push("Changes must be made through the merge queue");
    const allowed = rule.type === "pull_request" ? rule.parameters.allowed_merge_methods : undefined;
    if (allowed && !allowed.includes(method.toLowerCase() as "merge" | "squash" | "rebase"))
      violations.push(`Merge method ${method.toLowerCase()} is not allowed for this branch.`);
  }
  const approvals = requiredApprovalsOf(repo, pull.base);
  if (approvals > 0)
    violations.push(
      `At least ${approvals} approving review${approvals === 1 ? " is" : "s are"} required by reviewers with write access.`,
    );
  const checks = requiredChecksProblem(requiredChecksState(repo, headSha, requiredChecksOf(repo, pull.base)));
  if (checks) violations.push(checks);
  return violations;
}

/** Merging a pull request directly (PUT …/merge) and asking whether it was merged (GET …/merge). */
export const pullMergeRoutes: RouteHandlers = {
  "pulls/check-if-merged": (ctx) => {
    const repo = repoOf(ctx);
    if (!pullOf(ctx, repo).merged) throw notFound();
    return { status: 204 };
  },

  "pulls/merge": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const pull = pullOf(ctx, repo);
    if (pull.merged || repo.issues.get(pull.number)?.state !== "open")
      throw new GitHubError(405, "Pull Request is not mergeable");
    const headSha = await headShaOf(repo, pull);
    if (typeof ctx.body.sha === "string" && ctx.body.sha !== headSha)
      throw new GitHubError(409, "Head branch was modified. Review and try the merge again.");
    const method = String(ctx.body.merge_method ?? "merge").toUpperCase() as MergeMethod;
    try {
      assertMethodAllowed(repo, method);
    } catch (error) {
      if (error instanceof MergeQueueRefusal) throw new GitHubError(405, error.message);
      throw error;
    }
    if (pull.draft) throw new GitHubError(405, "Pull Request is still a draft");
    const violations = ruleViolations(repo, pull, headSha, method);
    if (violations.length > 0)
      throw new GitHubError(405, `Repository rule violations found\n\n${violations.join("\n\n")}\n\n`);
    const baseSha = await repo.git.resolve(`refs/heads/${pull.base}`);
    if (!baseSha) throw new GitHubError(405, "Pull Request is not mergeable");
    const merger = ctx.world.userOf(ctx.actor);
    const tip = await landPull(ctx.world, repo, pull, headSha, baseSha, method, merger, {
      title: typeof ctx.body.commit_title === "string" ? ctx.body.commit_title : undefined,
      message: typeof ctx.body.commit_message === "string" ? ctx.body.commit_message : undefined,
    });
    if (tip === undefined) throw new GitHubError(405, "Pull Request is not mergeable");
    await moveRef(ctx.world, repo, `refs/heads/${pull.base}`, tip, ctx.actor, baseSha, true);
    markMerged(ctx.world, repo, pull, tip, ctx.actor);
    await afterMerge(ctx.world, repo, pull, ctx.actor);
    return { status: 200, body: { sha: tip, merged: true, message: "Pull Request successfully merged" } };
  },
};
