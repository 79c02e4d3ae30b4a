import type { Handler } from "../handle.ts";
import { configOrNull } from "../handle.ts";
import { settleRun } from "../runs.ts";

/**
 * `workflow_run`: a run of an attempt the app dispatched moves its task (running, then its
 * conclusion). The run is matched to its attempt by run id, never by an agent's name; runs the
 * app did not dispatch are not its business.
 */
export const onWorkflowRun: Handler<"workflow_run"> = async (scope, payload) => {
  const run = payload.workflow_run;
  const attempt = await scope.deps.ledger.attempts.findByWorkflowRun(scope.repo, run.id);
  if (attempt === undefined) return;
  const config = await configOrNull(scope);
  if (config !== null)
    await settleRun(scope, config, attempt, { status: run.status, conclusion: run.conclusion });
};

/** `workflow_job`: a job of an attempt's run that starts is the run's first sign of life, and a heartbeat. */
export const onWorkflowJob: Handler<"workflow_job"> = async (scope, payload) => {
  const job = payload.workflow_job;
  const attempt = await scope.deps.ledger.attempts.findByWorkflowRun(scope.repo, job.run_id);
  if (attempt === undefined || job.status !== "in_progress") return;
  await scope.deps.ledger.events.append([
    {
      repo: attempt.repo,
      issueNumber: attempt.issueNumber,
      attempt: attempt.number,
      agent: attempt.agent,
      action: "attempt.heartbeat",
      target: `run:${job.run_id}`,
      detail: { job: job.name },
    },
  ]);
  const config = await configOrNull(scope);
  if (config !== null) await settleRun(scope, config, attempt, { status: "in_progress", conclusion: null });
};
