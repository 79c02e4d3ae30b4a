import type { SwarmConfig } from "../core/config/schema.ts";
import type { LifecycleEvent } from "../core/lifecycle/events.ts";
import { agentBranch } from "../core/job.ts";
import type { Attempt, AttemptState } from "../ledger/index.ts";
import type { RepoScope } from "./scope.ts";
import { gatePullRequest } from "./gate.ts";
import { step } from "./step.ts";
import { WAITING_STATUSES } from "./task-record.ts";

type Conclusion = Extract<LifecycleEvent, { kind: "run.completed" }>["conclusion"];
const CONCLUSIONS: readonly string[] = [
  "success",
  "failure",
  "neutral",
  "cancelled",
  "timed_out",
  "action_required",
  "stale",
  "skipped",
  "startup_failure",
] satisfies Conclusion[];

/** How a finished run's conclusion ends its attempt in the ledger. */
function attemptEnd(conclusion: Conclusion): AttemptState {
  if (conclusion === "success") return "succeeded";
  if (conclusion === "cancelled") return "cancelled";
  if (conclusion === "timed_out") return "timed_out";
  return "failed";
}

/** A workflow run's state as webhooks and the REST API report it. */
export interface RunReport {
  status: string | null;
  conclusion: string | null;
}

/**
 * Settles one attempt against what GitHub reports about its run: started, or finished with a
 * conclusion (and the pull request the agent opened on its branch). Used by the workflow_run and
 * workflow_job handlers and by the reconcile that catches lost events; the ledger refuses a
 * finished attempt's change and the lifecycle refuses an earlier attempt's event, so a late or
 * replayed report changes nothing.
 */
export async function settleRun(
  scope: RepoScope,
  config: SwarmConfig,
  attempt: Attempt,
  run: RunReport,
): Promise<void> {
  const { ledger } = scope.deps;
  const key = { repo: attempt.repo, issueNumber: attempt.issueNumber };
  if (run.status !== "completed") {
    if (run.status === "in_progress") {
      const moved = await ledger.attempts.transition(key, attempt.number, "running");
      if (moved === undefined) return;
      await step(scope, config, key.issueNumber, { kind: "run.started", attempt: attempt.number });
    }
    return;
  }
  const conclusion = (CONCLUSIONS.includes(run.conclusion ?? "") ? run.conclusion : "failure") as Conclusion;
  const ended = await ledger.attempts.transition(key, attempt.number, attemptEnd(conclusion), {
    outcome: conclusion,
  });
  if (ended === undefined) return;
  // The run's end frees its slot for the first waiting task, whose dispatch reads its issue
  // first: that read goes out now, beside the pull request lookup, instead of after it.
  const [next] = await ledger.tasks.listQueued(scope.repo, WAITING_STATUSES, 1);
  if (next !== undefined) void scope.issue(next.issueNumber);
  // The list answers all the gate and the merge need, so the pull request is not fetched again.
  const pull =
    conclusion === "success"
      ? await scope.gateway.findPullRequest(key.issueNumber, agentBranch(key.issueNumber, attempt.agent))
      : null;
  if (pull !== null) scope.knowPull(pull);
  const moved = await step(scope, config, key.issueNumber, {
    kind: "run.completed",
    attempt: attempt.number,
    conclusion,
    pullRequest: pull?.number ?? null,
  });
  // The agent opens its pull request while its run works, before the task awaits the gate: gate the head now.
  if (moved?.ok && moved.task.status === "pr-open" && pull !== null)
    await gatePullRequest(scope, config, key, attempt.number, {
      number: pull.number,
      headSha: pull.head.sha,
      body: pull.body,
    });
}
