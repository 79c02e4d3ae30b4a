// Whether an agent's pull request may go into the merge queue now: the base branch's rules say
// which checks are required and whether a queue merges it; the head's check runs say how they went.

/** A rule of the base branch, as `GET /repos/{owner}/{repo}/rules/branches/{branch}` lists it. */
export interface BranchRule {
  type: string;
  parameters?: unknown;
}

/** A check run on the pull request's head: the newest run of each name counts. */
export interface HeadCheck {
  name: string;
  status: string;
  conclusion: string | null;
}

/** What the rules of a branch ask before a merge. */
export interface MergeRules {
  /** A merge queue merges into the branch; without one the app turns on auto-merge. */
  mergeQueue: boolean;
  /** The status check contexts every change must pass, in rule order, without repeats. */
  requiredChecks: string[];
}

/** Reads the merge queue and the required status checks out of a branch's rules. */
export function mergeRules(rules: readonly BranchRule[]): MergeRules {
  const required: string[] = [];
  for (const rule of rules) {
    if (rule.type !== "required_status_checks") continue;
    const checks = (rule.parameters as { required_status_checks?: unknown } | undefined)
      ?.required_status_checks;
    if (!Array.isArray(checks)) continue;
    for (const check of checks) {
      const context = (check as { context?: unknown }).context;
      if (typeof context === "string" && !required.includes(context)) required.push(context);
    }
  }
  return { mergeQueue: rules.some((r) => r.type === "merge_queue"), requiredChecks: required };
}

// GitHub counts these conclusions as passing a required check.
const PASSING = new Set(["success", "neutral", "skipped"]);

/** Whether a check's conclusion passes it, as GitHub counts required checks. */
export function passes(conclusion: string | null): boolean {
  return PASSING.has(conclusion ?? "");
}

/**
 * Where the required checks stand on a head: `green` (all passed: enqueue now), `pending` (some
 * have not reported or not finished: wait for their completion events), or `red` (at least one
 * concluded otherwise: the work goes back). A red check decides even while others are pending.
 */
export type Readiness =
  { state: "green" } | { state: "pending"; waiting: string[] } | { state: "red"; failed: string[] };

/** Judges the head's check runs against the required checks. */
export function readiness(required: readonly string[], checks: readonly HeadCheck[]): Readiness {
  const failed: string[] = [];
  const waiting: string[] = [];
  for (const name of required) {
    // GitHub lists the newest run of a name first; a re-run replaces the verdict.
    const run = checks.find((c) => c.name === name);
    if (run === undefined || run.status !== "completed") waiting.push(name);
    else if (!passes(run.conclusion)) failed.push(name);
  }
  if (failed.length > 0) return { state: "red", failed };
  if (waiting.length > 0) return { state: "pending", waiting };
  return { state: "green" };
}

// GitHub's GraphQL refusal of a pull request in mergeStateStatus DIRTY ("the merge commit cannot
// be cleanly created"): "Pull request is in dirty status", at times with "Pull request" twice.
const DIRTY = /\bis in dirty status\b/i;

/**
 * Whether GitHub refused to queue or auto-merge a pull request because it conflicts with its
 * base, from the messages of the mutation's errors.
 */
export function refusedForConflict(messages: readonly string[]): boolean {
  return messages.some((m) => DIRTY.test(m));
}

// GitHub's GraphQL refusal to turn on auto-merge for a pull request that can be merged now, in
// mergeStateStatus CLEAN, UNSTABLE (a check that is not required is pending or failing) or
// HAS_HOOKS: "Pull request Pull request is in clean status", with "Pull request" once or twice.
const MERGEABLE_NOW = /\bis in (?:clean|unstable|has_hooks) status\b/i;

/**
 * Whether GitHub refused auto-merge because the pull request can already be merged (there is
 * nothing left to wait for), from the messages of the mutation's errors.
 */
export function refusedAsMergeableNow(messages: readonly string[]): boolean {
  return messages.some((m) => MERGEABLE_NOW.test(m));
}

/** A merge method as the REST merge names it (GraphQL's `PullRequestMergeMethod` in capitals). */
export type MergeMethod = "merge" | "squash" | "rebase";

/**
 * The merge methods a repository allows, from its `allow_merge_commit`, `allow_squash_merge` and
 * `allow_rebase_merge` settings; undefined where the repository's answer leaves a setting out.
 */
export interface AllowedMergeMethods {
  merge: boolean | undefined;
  squash: boolean | undefined;
  rebase: boolean | undefined;
}

/** How an agent's pull request is merged: the method, and the body of the commit a squash writes. */
export interface AgentMerge {
  method: MergeMethod;
  /** The commit body GitHub is given; undefined leaves GitHub's own. */
  message: string | undefined;
}

/**
 * How to merge an agent's pull request, directly or by auto-merge: a merge commit where allowed
 * (GitHub's default; every agent commit lands with its trailers), else a squash whose body is the
 * pull request body (which ends with the trailers; GitHub's own squash body depends on the
 * repository's settings), else a rebase (each commit replayed with its message). A setting left
 * out counts as allowed; null when the repository allows none.
 */
export function agentMerge(allowed: AllowedMergeMethods, pullBody: string | null): AgentMerge | null {
  const order: MergeMethod[] = ["merge", "squash", "rebase"];
  const method = order.find((m) => allowed[m] !== false);
  if (method === undefined) return null;
  return { method, message: method === "squash" ? (pullBody ?? undefined) : undefined };
}
