import type { SwarmConfig } from "../core/config/schema.ts";
import type { Effect } from "../core/lifecycle/effects.ts";
import type { Rejection } from "../core/lifecycle/rejection.ts";
import type { Task as LifecycleTask } from "../core/lifecycle/task.ts";
import { encodeJob, agentBranch, type JobInput } from "../core/job.ts";
import type { Finding } from "../core/finding.ts";
import type { Task as LedgerTask, TaskKey } from "../ledger/index.ts";
import type { RepoScope } from "./scope.ts";
import { step } from "./step.ts";
import { recordOf } from "./task-record.ts";
import { agentToKeep, routeAttempt, type AttemptRoute } from "./route.ts";

type DispatchEffect = Extract<Effect, { type: "dispatch" }>;

/** How a dispatch effect ended: the run was requested, or the task went back to wait (no slot after all), or it was settled otherwise. */
export type DispatchOutcome = "dispatched" | "requeued" | "settled";

/** The session id of one attempt: derived from the task and attempt, so recovery can find the run by it. */
export function sessionIdOf(key: TaskKey, attempt: number): string {
  return `${key.repo.replace("/", ".")}.${key.issueNumber}.a${attempt}`
    .slice(-100)
    .replace(/^[^A-Za-z0-9]+/, "");
}

/**
 * Performs a dispatch effect: checks the issue is still open (as the event knows it, else read)
 * and its work not merged, claims the attempt in the ledger (the intent, written before GitHub is called; a second delivery or replica
 * gets "duplicate" and stops), dispatches the workflow with the job and records the run id that
 * `return_run_details` gives at once.
 */
export async function dispatchAttempt(
  scope: RepoScope,
  config: SwarmConfig,
  moved: { key: TaskKey; before: LifecycleTask; after: LifecycleTask },
  effect: DispatchEffect,
): Promise<DispatchOutcome> {
  const { ledger } = scope.deps;
  const { key } = moved;
  const issue = await scope.issue(key.issueNumber);
  if (issue.state !== "open") {
    await step(scope, config, key.issueNumber, { kind: "issue.closed" });
    return "settled";
  }
  const pr = moved.after.pullRequest;
  if (pr !== null && (await scope.gateway.isPullRequestMerged(key.issueNumber, pr))) {
    await step(scope, config, key.issueNumber, { kind: "pr.merged", pullRequest: pr });
    return "settled";
  }
  const stored = (await ledger.tasks.get(key)) as LedgerTask;
  const remainingUsd = config.budgets.taskUsd - (await ledger.usage.totals(key)).costUsd;
  if (remainingUsd <= 0) {
    await step(scope, config, key.issueNumber, { kind: "budget.exceeded", attempt: effect.attempt });
    return "settled";
  }
  let reason: string;
  try {
    const mode = jobMode(effect.mode, effect.rejection);
    const keep = agentToKeep(mode.mode, stored);
    const route = await routeAttempt(scope, config, stored, issue.labels, effect.model, keep);
    if ("wait" in route) {
      scope.log.info({ task: `${key.repo}#${key.issueNumber}`, reason: route.wait }, "back to the queue");
      await ledger.tasks.update(key, recordOf(moved.before));
      return "requeued";
    }
    // The routing decision is recorded with the claim it led to, in one transaction.
    const claim = await ledger.attempts.claimDispatch(
      {
        ...key,
        attempt: effect.attempt,
        agent: route.agent,
        model: route.model,
        tier: route.tier,
        mode: mode.mode,
        maxAgents: config.agents.maxAgents,
        areas: route.areas,
      },
      [
        {
          ...key,
          attempt: effect.attempt,
          agent: route.agent,
          model: route.model,
          action: "routing.decided",
          detail: { tier: route.tier, areas: route.areas, reason: route.reason },
        },
      ],
    );
    if (!claim.claimed) {
      if (claim.reason === "duplicate") return "settled";
      // Another replica took the last slot, or dispatch was paused meanwhile: the task waits again.
      scope.log.info(
        { task: `${key.repo}#${key.issueNumber}`, reason: claim.reason },
        "no slot after all; back to the queue",
      );
      await ledger.tasks.update(key, recordOf(moved.before));
      return "requeued";
    }
    const sessionId = sessionIdOf(key, effect.attempt);
    const baseBranch = await scope.defaultBranch();
    const job = encodeJob(
      jobOf(config, stored, { ...effect, ...mode, sessionId, baseBranch, remainingUsd }, route),
    );
    try {
      const run = await scope.gateway.dispatchWorkflow(key.issueNumber, config.workflow, baseBranch, { job });
      await ledger.attempts.transition(key, effect.attempt, "dispatched", {
        workflowRunId: run.workflowRunId,
        sessionId,
      });
      return "dispatched";
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
      await ledger.attempts.transition(key, effect.attempt, "failed", {
        outcome: `dispatch failed: ${reason}`,
      });
    }
  } catch (error) {
    reason = error instanceof Error ? error.message : String(error);
  }
  scope.log.warn(
    { task: `${key.repo}#${key.issueNumber}`, attempt: effect.attempt },
    `dispatch failed: ${reason}`,
  );
  await step(scope, config, key.issueNumber, { kind: "dispatch.failed", attempt: effect.attempt, reason });
  return "settled";
}

/** The job's mode and findings: a rework carries the rejection's findings; other modes none. */
export function jobMode(
  mode: DispatchEffect["mode"],
  rejection: Rejection | null | undefined,
): { mode: JobInput["mode"]; findings: Finding[] } {
  if (mode === "rework" && rejection) return { mode, findings: rejection.findings };
  return { mode: mode === "rework" ? "implement" : mode, findings: [] };
}

/** The job of one attempt, from the config on the default branch, the task and the routing decision. */
export function jobOf(
  config: SwarmConfig,
  task: LedgerTask,
  attempt: {
    attempt: number;
    mode: JobInput["mode"];
    findings: Finding[];
    sessionId: string;
    baseBranch: string;
    remainingUsd: number;
  },
  route: Pick<AttemptRoute, "tier" | "model" | "agent">,
): JobInput {
  const price = config.models.pricing[route.model];
  if (price === undefined)
    throw new Error(`model ${route.model} has no price in models.pricing of .github/swarm.yml`);
  if (task.labellerLogin === null || task.labellerId === null)
    throw new Error("the task does not record who labelled it, so its commits could not credit them");
  return {
    version: 1,
    repository: task.repo,
    issue: task.issueNumber,
    taskId: `${task.repo}#${task.issueNumber}`,
    attempt: attempt.attempt,
    agent: route.agent,
    sessionId: attempt.sessionId,
    mode: attempt.mode,
    model: { id: route.model, tier: route.tier, price },
    branch: agentBranch(task.issueNumber, route.agent),
    baseBranch: attempt.baseBranch,
    scope: task.fileScope,
    protectedPaths: config.protectedPaths,
    allowedCommands: config.allowedCommands,
    limits: {
      tokens: config.budgets.agentTokens,
      usd: attempt.remainingUsd,
      jobMinutes: config.time.jobMinutes,
      heartbeatSeconds: config.time.heartbeatSeconds,
    },
    requestedBy: { login: task.labellerLogin, id: task.labellerId },
    findings: attempt.findings,
  };
}
