import picomatch from "picomatch";
import { GitHubError } from "../github-error.ts";
import type { SimRepo } from "../world.ts";

/** How GitHub's merge queue rule configures a queue (the `merge_queue` rule's parameters). */
export interface MergeQueueParameters {
  check_response_timeout_minutes: number;
  grouping_strategy: "ALLGREEN" | "HEADGREEN";
  max_entries_to_build: number;
  max_entries_to_merge: number;
  merge_method: "MERGE" | "SQUASH" | "REBASE";
  min_entries_to_merge: number;
  min_entries_to_merge_wait_minutes: number;
}

/** A required status check: a check run or status name, optionally from one app only. */
export interface StatusCheckConfiguration {
  context: string;
  integration_id?: number;
}

/** The rules the offline GitHub enforces, in the shapes GitHub's REST API uses. */
export type RepositoryRule =
  | { type: "merge_queue"; parameters: MergeQueueParameters }
  | {
      type: "required_status_checks";
      parameters: {
        required_status_checks: StatusCheckConfiguration[];
        strict_required_status_checks_policy: boolean;
        do_not_enforce_on_create?: boolean;
      };
    }
  | {
      type: "pull_request";
      parameters: {
        required_approving_review_count: number;
        dismiss_stale_reviews_on_push: boolean;
        require_code_owner_review: boolean;
        require_last_push_approval: boolean;
        required_review_thread_resolution: boolean;
        allowed_merge_methods?: ("merge" | "squash" | "rebase")[];
      };
    }
  | { type: "non_fast_forward" }
  | { type: "deletion" };

/** Which refs a ruleset applies to: patterns, `~DEFAULT_BRANCH` or `~ALL`, excludes winning. */
export interface RulesetConditions {
  ref_name: { include: string[]; exclude: string[] };
}

/** A repository ruleset. */
export interface SimRuleset {
  id: number;
  nodeId: string;
  name: string;
  target: "branch" | "tag" | "push";
  enforcement: "disabled" | "active" | "evaluate";
  bypassActors: unknown[];
  conditions: RulesetConditions | null;
  rules: RepositoryRule[];
  createdAt: Date;
  updatedAt: Date;
}

/** What a caller gives to create or replace a ruleset (REST body or `world.createRuleset`). */
export interface RulesetInput {
  name: string;
  target?: "branch" | "tag" | "push";
  enforcement: "disabled" | "active" | "evaluate";
  bypass_actors?: unknown[];
  conditions?: { ref_name?: { include?: string[]; exclude?: string[] } } | null;
  rules?: { type: string; parameters?: Record<string, unknown> }[];
}

/** GitHub's defaults for a merge queue rule created in the web interface. */
export const DEFAULT_MERGE_QUEUE: MergeQueueParameters = {
  check_response_timeout_minutes: 60,
  grouping_strategy: "ALLGREEN",
  max_entries_to_build: 5,
  max_entries_to_merge: 5,
  merge_method: "MERGE",
  min_entries_to_merge: 1,
  min_entries_to_merge_wait_minutes: 5,
};

const ENFORCED = new Set([
  "merge_queue",
  "required_status_checks",
  "pull_request",
  "non_fast_forward",
  "deletion",
]);

/**
 * The rules of `input` as the offline GitHub keeps them. A rule type it does not enforce is
 * refused rather than stored, so no test believes a rule holds that nothing checks.
 */
export function rulesOf(input: RulesetInput): RepositoryRule[] {
  const rules = input.rules ?? [];
  const seen = new Set<string>();
  for (const rule of rules) {
    if (!ENFORCED.has(rule.type))
      throw new GitHubError(
        501,
        `Not implemented by the offline GitHub: the ${rule.type} rule (it enforces ${[...ENFORCED].join(", ")})`,
      );
    if (seen.has(rule.type))
      throw new GitHubError(422, `Invalid rules: '${rule.type}' rule may only be specified once`);
    seen.add(rule.type);
  }
  if ((input.target ?? "branch") !== "branch" && rules.length > 0)
    throw new GitHubError(
      501,
      `Not implemented by the offline GitHub: rules on a ${input.target ?? ""} target (only branch rulesets)`,
    );
  // GitHub's REST API requires every merge queue parameter; the world API may leave some out.
  return rules.map((rule) =>
    rule.type === "merge_queue"
      ? { type: "merge_queue", parameters: { ...DEFAULT_MERGE_QUEUE, ...rule.parameters } }
      : rule,
  ) as RepositoryRule[];
}

/** The conditions of `input`, with GitHub's empty lists filled in. */
export function conditionsOf(input: RulesetInput): RulesetConditions | null {
  const refName = input.conditions?.ref_name;
  if (!input.conditions || !refName) return null;
  for (const pattern of [...(refName.include ?? []), ...(refName.exclude ?? [])])
    if (!pattern.startsWith("~") && !pattern.startsWith("refs/"))
      throw new GitHubError(
        422,
        `Invalid target patterns: '${pattern}' must start with refs/heads/ or be ~DEFAULT_BRANCH or ~ALL`,
      );
  return { ref_name: { include: refName.include ?? [], exclude: refName.exclude ?? [] } };
}

/** Whether a ruleset's conditions take in `branch` of the repository. */
export function appliesTo(repo: SimRepo, ruleset: SimRuleset, branch: string): boolean {
  if (ruleset.target !== "branch" || !ruleset.conditions) return false;
  const ref = `refs/heads/${branch}`;
  const matches = (pattern: string) => {
    if (pattern === "~ALL") return true;
    if (pattern === "~DEFAULT_BRANCH") return branch === repo.defaultBranch;
    return picomatch.isMatch(ref, pattern, { dot: true });
  };
  const { include, exclude } = ruleset.conditions.ref_name;
  return include.some(matches) && !exclude.some(matches);
}

/** A rule in force on a branch, with the ruleset it comes from. */
export interface ActiveRule {
  rule: RepositoryRule;
  ruleset: SimRuleset;
}

/** The rules an active ruleset enforces on `branch` (evaluate and disabled rulesets enforce nothing). */
export function branchRules(repo: SimRepo, branch: string): ActiveRule[] {
  return [...repo.rulesets.values()]
    .filter((ruleset) => ruleset.enforcement === "active" && appliesTo(repo, ruleset, branch))
    .flatMap((ruleset) => ruleset.rules.map((rule) => ({ rule, ruleset })));
}

/** The merge queue configuration of `branch`, or undefined when it has none. */
export function mergeQueueOf(repo: SimRepo, branch: string): MergeQueueParameters | undefined {
  for (const { rule } of branchRules(repo, branch)) if (rule.type === "merge_queue") return rule.parameters;
  return undefined;
}

/** Every status check the branch's rules require (from all rulesets that apply). */
export function requiredChecksOf(repo: SimRepo, branch: string): StatusCheckConfiguration[] {
  const checks: StatusCheckConfiguration[] = [];
  for (const { rule } of branchRules(repo, branch))
    if (rule.type === "required_status_checks") checks.push(...rule.parameters.required_status_checks);
  return checks;
}

/** The approving reviews the branch's pull request rules require (the highest of them). */
export function requiredApprovalsOf(repo: SimRepo, branch: string): number {
  let count = 0;
  for (const { rule } of branchRules(repo, branch))
    if (rule.type === "pull_request")
      count = Math.max(count, rule.parameters.required_approving_review_count);
  return count;
}

/** Whether a rule of `type` is in force on the branch. */
export function hasRule(repo: SimRepo, branch: string, type: RepositoryRule["type"]): boolean {
  return branchRules(repo, branch).some(({ rule }) => rule.type === type);
}

/** A new ruleset from `input`, checked as GitHub checks a create (or a full update of `base`). */
export function makeRuleset(
  id: number,
  nodeId: string,
  input: RulesetInput,
  now: Date,
  base?: SimRuleset,
): SimRuleset {
  if (input.name.trim() === "") throw new GitHubError(422, "Invalid request.\n\nName can't be blank");
  return {
    id,
    nodeId,
    name: input.name,
    target: input.target ?? base?.target ?? "branch",
    enforcement: input.enforcement,
    bypassActors: input.bypass_actors ?? base?.bypassActors ?? [],
    conditions: input.conditions === undefined && base ? base.conditions : conditionsOf(input),
    rules: input.rules === undefined && base ? base.rules : rulesOf(input),
    createdAt: base?.createdAt ?? now,
    updatedAt: now,
  };
}
