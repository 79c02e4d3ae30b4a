import { gatePullRequest, type GatedPull } from "../gate.ts";
import type { Handler } from "../handle.ts";
import { configOrNull } from "../handle.ts";
import type { RepoScope } from "../scope.ts";
import { taskOfPull } from "./pulls.ts";
import { AGENT_CHECK_NAME } from "../../core/report.ts";
import { lifecycleOf } from "../task-record.ts";

// Statuses in which the app judges a new head of the task's pull request.
const GATED = new Set(["pr-open", "in-review", "in-merge-queue"]);

/** Gates the head of a pull request, if it is an agent's and its task is in the ledger. */
async function gate(
  scope: RepoScope,
  pull: GatedPull & { head: { ref: string; repo: { full_name: string } | null } },
): Promise<void> {
  const task = await taskOfPull(scope, pull);
  if (task === null || task.attempt === 0) return;
  // While the agent's run works, its pushes are not yet for judging: the run's end gates the head.
  const stored = await scope.deps.ledger.tasks.get({ repo: scope.repo, issueNumber: task.issueNumber });
  if (stored === undefined || !GATED.has(lifecycleOf(stored).status)) return;
  const config = await configOrNull(scope);
  if (config === null) return;
  await gatePullRequest(
    scope,
    config,
    { repo: scope.repo, issueNumber: task.issueNumber },
    task.attempt,
    pull,
  );
}

/** `pull_request` opened, synchronize or reopened: every new head of an agent's pull request is gated. */
export const onPullRequestHead: Handler<
  "pull_request.opened" | "pull_request.synchronize" | "pull_request.reopened"
> = async (scope, payload) => {
  const pull = payload.pull_request;
  scope.knowPull({ ...pull, merged: pull.merged === true });
  await gate(scope, { number: pull.number, headSha: pull.head.sha, body: pull.body, head: pull.head });
};

/** `check_run` completed for `swarm/agent`: the agent's report is in, so its pull request is gated again. */
export const onAgentCheckCompleted: Handler<"check_run.completed"> = async (scope, payload) => {
  const run = payload.check_run;
  if (run.name !== AGENT_CHECK_NAME) return;
  for (const ref of run.pull_requests) {
    const pull = await scope.pull(null, ref.number);
    // The report belongs to the head it ran on; a newer head is gated by its own events.
    if (pull.state !== "open" || pull.head.sha !== run.head_sha) continue;
    await gate(scope, { number: pull.number, headSha: pull.head.sha, body: pull.body, head: pull.head });
  }
};
