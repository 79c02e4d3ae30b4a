import type { SimRepo } from "../world.ts";
import type { StatusCheckConfiguration } from "./rulesets.ts";

/** Where a commit stands against a set of required checks. */
export interface RequiredChecksState {
  /** success: every required check passed; failure: one failed; pending: some have not reported. */
  state: "success" | "pending" | "failure";
  /** Required checks with no completed run yet (missing or still running). */
  pending: string[];
  /** Required checks whose newest run completed without passing. */
  failing: string[];
}

// GitHub counts these conclusions as a passing required check.
const PASSING = new Set(["success", "neutral", "skipped"]);

/**
 * How the required checks stand on `sha`: for each, the newest check run of that name (from the
 * named app when the rule names one) decides, as GitHub reads a required check.
 */
export function requiredChecksState(
  repo: SimRepo,
  sha: string,
  required: readonly StatusCheckConfiguration[],
): RequiredChecksState {
  const pending: string[] = [];
  const failing: string[] = [];
  for (const check of required) {
    let newest: { id: number; status: string; conclusion: string | null } | undefined;
    for (const run of repo.checkRuns.values()) {
      if (run.headSha !== sha || run.name !== check.context) continue;
      if (check.integration_id !== undefined && run.app?.id !== check.integration_id) continue;
      if (!newest || run.id > newest.id) newest = run;
    }
    if (!newest || newest.status !== "completed") pending.push(check.context);
    else if (!PASSING.has(newest.conclusion ?? "")) failing.push(check.context);
  }
  const state = failing.length > 0 ? "failure" : pending.length > 0 ? "pending" : "success";
  return { state, pending, failing };
}

/** GitHub's sentence for the first required check that keeps a commit from merging, if any. */
export function requiredChecksProblem(state: RequiredChecksState): string | undefined {
  const failing = state.failing[0];
  if (failing !== undefined) return `Required status check "${failing}" is failing.`;
  const pending = state.pending[0];
  if (pending !== undefined) return `Required status check "${pending}" is expected.`;
  return undefined;
}
