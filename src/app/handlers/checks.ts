import type { Handler } from "../handle.ts";
import { configOrNull } from "../handle.ts";
import { advanceToMerge, turnBack } from "../merge.ts";
import { mergeRules, passes } from "../../core/merge-readiness.ts";
import type { RepoScope } from "../scope.ts";
import { lifecycleOf } from "../task-record.ts";
import { GATE_CHECK } from "../gate.ts";
import { AGENT_CHECK_NAME } from "../../core/report.ts";
import { onAgentCheckCompleted } from "./gate.ts";
import { taskOfPull } from "./pulls.ts";

// Statuses in which a task's pull request head is on its way to the merge queue.
const ON_THE_WAY = new Set(["pr-open", "in-review", "in-merge-queue"]);

/**
 * A check finished on the head of agent pull requests (`check_run.completed`,
 * `check_suite.completed`). A red required check turns the work back with its findings; once a
 * task heading for the queue sees its checks finish, it moves on to the merge. This is how the
 * app waits for CI: by its completion events, never by polling.
 */
async function headChecksChanged(
  scope: RepoScope,
  headSha: string,
  pulls: readonly { number: number }[],
  finished: { name: string; conclusion: string | null } | null,
): Promise<void> {
  for (const ref of pulls) {
    const pull = await scope.gateway.getPull(null, ref.number);
    if (pull.state !== "open" || pull.head.sha !== headSha) continue;
    const task = await taskOfPull(scope, pull);
    if (task === null) continue;
    const stored = await scope.deps.ledger.tasks.get({ repo: scope.repo, issueNumber: task.issueNumber });
    const status = stored === undefined ? null : lifecycleOf(stored).status;
    if (status === null || !ON_THE_WAY.has(status)) continue;
    const config = await configOrNull(scope);
    if (config === null) return;
    const key = { repo: scope.repo, issueNumber: task.issueNumber };
    if (status === "in-merge-queue") {
      await advanceToMerge(scope, config, key, task.attempt, pull);
      continue;
    }
    // Before the review is done, only a red required check matters: it sends the work back now.
    if (finished === null || passes(finished.conclusion)) continue;
    const rules = mergeRules(await scope.gateway.branchRules(pull.base.ref));
    if (!rules.requiredChecks.includes(finished.name)) continue;
    const runs = await scope.gateway.listCheckRuns(task.issueNumber, headSha);
    await turnBack(
      scope,
      config,
      key,
      task.attempt,
      "checks",
      `required check ${finished.name} failed on the head of #${pull.number}`,
      runs.filter((r) => r.name === finished.name),
    );
  }
}

/**
 * `check_run.completed`: the agent's report is in (its pull request is gated), or another check
 * finished on an agent's head. The app's own gate is not news to it.
 */
export const onCheckRunCompleted: Handler<"check_run.completed"> = async (scope, payload) => {
  const run = payload.check_run;
  if (run.name === AGENT_CHECK_NAME) return onAgentCheckCompleted(scope, payload);
  if (run.name === GATE_CHECK) return;
  await headChecksChanged(scope, run.head_sha, run.pull_requests, {
    name: run.name,
    conclusion: run.conclusion,
  });
};

/** `check_suite.completed`: every run of a suite finished on a head (a commit status-less CI's signal). */
export const onCheckSuiteCompleted: Handler<"check_suite.completed"> = async (scope, payload) => {
  const suite = payload.check_suite;
  if (suite.pull_requests.length === 0) return;
  await headChecksChanged(scope, suite.head_sha, suite.pull_requests, null);
};
