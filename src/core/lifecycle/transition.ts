import * as z from "zod";
import type { LifecycleContext } from "./context.ts";
import type { Effect } from "./effects.ts";
import type { LifecycleEvent } from "./events.ts";
import type { Rejection } from "./rejection.ts";
import { runActiveStatuses, statusLabel, terminalStatuses } from "./status.ts";
import type { TaskStatus } from "./status.ts";
import type { DispatchMode, DispatchPlan, Task } from "./task.ts";

/**
 * Why an event was refused: `stale-attempt` (it belongs to an earlier attempt), `unknown-attempt`
 * (to one not dispatched yet), `mismatch` (another pull request), `no-change` (the task is already
 * where the event would take it: a replay), `not-allowed` (the event has no meaning in this status).
 */
export const RefusalCode = z.enum([
  "stale-attempt",
  "unknown-attempt",
  "mismatch",
  "no-change",
  "not-allowed",
]);
export type RefusalCode = z.infer<typeof RefusalCode>;

/** The outcome of one event: the next task and the effects to perform, or a refusal that changes nothing. */
export type Transition =
  { ok: true; task: Task; effects: Effect[] } | { ok: false; code: RefusalCode; reason: string };

/** Decide what an event does to a task; pure, so the same input always gives the same decision. */
export function transition(task: Task, event: LifecycleEvent, ctx: LifecycleContext): Transition {
  if ("attempt" in event) {
    if (event.attempt < task.attempt)
      return refuse(
        "stale-attempt",
        `${event.kind} belongs to attempt ${event.attempt}; the task is on attempt ${task.attempt}`,
      );
    if (event.attempt > task.attempt)
      return refuse(
        "unknown-attempt",
        `${event.kind} names attempt ${event.attempt}, which has not been dispatched (latest: ${task.attempt})`,
      );
  }
  if ("pullRequest" in event && event.kind !== "run.completed" && event.pullRequest !== task.pullRequest)
    return refuse(
      "mismatch",
      task.pullRequest === null
        ? `${event.kind} names pull request #${event.pullRequest}, but the task has none`
        : `${event.kind} names pull request #${event.pullRequest}, but the task's is #${task.pullRequest}`,
    );

  const { status } = task;
  switch (event.kind) {
    case "intake":
      if (status !== "ready" && status !== "needs-spec" && status !== "cancelled")
        return refuse("not-allowed", `intake runs before a task is queued; the task is ${status}`);
      if (event.problems.length === 0)
        return move(task, { status: "queued", plan: task.plan ?? { mode: resumeMode(task) } });
      if (status === "needs-spec" && sameList(task.specProblems, event.problems))
        return refuse("no-change", "the spec still has the same problems");
      return move(task, { status: "needs-spec", specProblems: event.problems }, [
        { type: "comment.spec-checklist", problems: event.problems },
      ]);

    case "label.removed":
      if (status === "ready" || status === "needs-spec" || status === "queued")
        return cancel(task, "withdrawn before dispatch");
      if (status === "cancelled") return refuse("no-change", "the task is already cancelled");
      return refuse(
        "not-allowed",
        `the task is ${status}: removing the label withdraws it only before dispatch`,
      );

    case "issue.closed":
    case "command.cancel":
      if (terminalStatuses.has(status)) return refuse("no-change", `the task is already ${status}`);
      return cancel(
        task,
        event.kind === "issue.closed" ? "the issue was closed" : `cancelled by @${event.actor}`,
      );

    case "slot.offered": {
      if (status !== "queued" && status !== "rework")
        return refuse("not-allowed", `only a waiting task takes a slot; the task is ${status}`);
      const hold = ctx.paused ? "paused" : ctx.dailyBudgetExhausted ? "budget" : null;
      if (hold !== null) {
        if (task.hold === hold) return refuse("no-change", `dispatch is already held (${hold})`);
        return move(task, { status, hold }, [{ type: "comment.hold", reason: hold }]);
      }
      const attempt = task.attempt + 1;
      const plan = task.plan ?? { mode: resumeMode(task) };
      const { mode, rework } = nextAttemptMode(task);
      return move(task, { status: "dispatched", attempt, plan: null, hold: null, attemptMode: mode }, [
        {
          type: "dispatch",
          attempt,
          mode,
          fresh: plan.mode === "fresh",
          ...(plan.model === undefined ? {} : { model: plan.model }),
          ...(rework === null ? {} : { rejection: rework }),
        },
      ]);
    }

    case "dispatch.failed":
      if (status !== "dispatched")
        return refuse("not-allowed", `attempt ${event.attempt} is ${status}, past its dispatch`);
      return fail(
        task,
        ctx,
        observed("dispatch", "the agent workflow could not be dispatched", {
          expected: "workflow_dispatch accepts the job",
          found: event.reason,
        }),
        { runEnded: true },
      );

    case "run.started":
      if (status === "running") return refuse("no-change", `attempt ${event.attempt} is already running`);
      if (status !== "dispatched")
        return refuse("not-allowed", `attempt ${event.attempt} is ${status}, not waiting for its run`);
      return move(task, { status: "running" });

    case "run.completed": {
      if (!runActiveStatuses.has(status))
        return refuse(
          "not-allowed",
          `the run of attempt ${event.attempt} has already ended (the task is ${status})`,
        );
      if (event.conclusion === "success" && event.pullRequest !== null)
        return move(task, { status: "pr-open", pullRequest: event.pullRequest }, [{ type: "slotFreed" }]);
      const rejection =
        event.conclusion === "success"
          ? observed("run", "the run succeeded but opened no pull request", {
              expected: "a pull request from the run",
              found: "none",
            })
          : observed("run", `the workflow run concluded "${event.conclusion}"`, {
              expected: 'the run concludes "success" with a pull request',
              found: `"${event.conclusion}"`,
            });
      return fail(task, ctx, rejection, { runEnded: true });
    }

    case "watchdog.tripped": {
      if (!runActiveStatuses.has(status))
        return refuse("not-allowed", `attempt ${event.attempt} has no run to watch (the task is ${status})`);
      const rejection =
        event.reason === "stalled"
          ? observed("watchdog", "the run stalled: no heartbeat within the stall limit", {
              expected: "a heartbeat at least every stallSeconds",
              found: "no heartbeat",
            })
          : observed("watchdog", "the run was a zombie: it spent tokens without changing anything", {
              expected: "changes to the branch while tokens are spent",
              found: "tokens spent, nothing changed",
            });
      return fail(task, ctx, rejection, {});
    }

    case "budget.exceeded":
      if (status === "needs-human") return refuse("no-change", "the task is already with a person");
      if (!live(status)) return refuse("not-allowed", `the task is ${status} and spends nothing`);
      return escalate(task, "the task's budget is spent", {});

    case "gate.passed":
      if (status === "in-review" || status === "in-merge-queue")
        return refuse("no-change", `the gate already passed (the task is ${status})`);
      if (status !== "pr-open")
        return refuse("not-allowed", `no pull request awaits the gate (the task is ${status})`);
      return event.reviewRequired
        ? move(task, { status: "in-review" }, [
            {
              type: "requestReview",
              pullRequest: prOf(task),
              ...(event.reviewers === undefined ? {} : { reviewers: event.reviewers }),
            },
          ])
        : move(task, { status: "in-merge-queue" }, [{ type: "enqueue", pullRequest: prOf(task) }]);

    case "gate.failed":
      // In the merge queue status a new head (the branch brought up to date) is gated again.
      if (status !== "pr-open" && status !== "in-review" && status !== "in-merge-queue")
        return refuse("not-allowed", `the gate does not decide a ${status} task`);
      return fail(task, ctx, event.rejection, {});

    case "conflict.detected":
      if (status !== "pr-open" && status !== "in-review" && status !== "in-merge-queue")
        return refuse(
          "not-allowed",
          `no pull request of attempt ${event.attempt} is on its way to merge (the task is ${status})`,
        );
      // The queue drops a conflicting pull request itself; nothing to take out.
      return fail(task, ctx, event.rejection, { dequeued: true, mode: "resolve-conflict" });

    case "checks.failed":
      if (status !== "pr-open" && status !== "in-review" && status !== "in-merge-queue")
        return refuse(
          "not-allowed",
          `no pull request of attempt ${event.attempt} awaits its checks (the task is ${status})`,
        );
      return fail(task, ctx, event.rejection, {});

    case "review.approved":
    case "command.approve":
      if (status === "in-merge-queue")
        return refuse("no-change", "the pull request is already in the merge queue");
      if (status !== "in-review")
        return refuse(
          "not-allowed",
          status === "pr-open"
            ? "the gate has not passed yet; the review policy counts this approval when it does"
            : `no review is awaited (the task is ${status})`,
        );
      return move(task, { status: "in-merge-queue" }, [{ type: "enqueue", pullRequest: prOf(task) }]);

    case "review.changes-requested":
      if (status !== "pr-open" && status !== "in-review" && status !== "in-merge-queue")
        return refuse(
          "not-allowed",
          `no pull request of attempt ${event.attempt} awaits review (the task is ${status})`,
        );
      return fail(task, ctx, event.rejection, {});

    case "queue.dequeued":
      if (status !== "in-merge-queue")
        return refuse("not-allowed", `the pull request is not in the merge queue (the task is ${status})`);
      return fail(task, ctx, event.rejection, {
        dequeued: true,
        mode: event.reason === "conflict" ? "resolve-conflict" : "continue",
      });

    case "pr.merged":
      if (status === "merged") return refuse("no-change", "the task is already merged");
      return move(task, { status: "merged", plan: null, rejection: null }, [
        ...halt(task, { dequeued: true }),
        { type: "closeIssue", pullRequest: event.pullRequest, attempts: task.attempt },
        {
          type: "recordOutcome",
          outcome: "merged",
          attempts: task.attempt,
          reason: `pull request #${event.pullRequest} merged`,
        },
      ]);

    case "pr.closed":
      if (status === "merged") return refuse("not-allowed", "the task's pull request is merged");
      // Already stopped: only forget the pull request, so a retry opens a new one.
      if (status === "needs-human" || status === "cancelled")
        return move(task, { status, pullRequest: null });
      return escalate(task, `pull request #${event.pullRequest} was closed without merging`, {
        dequeued: true,
        pullRequest: null,
      });

    case "command.retry": {
      if (status !== "rework" && status !== "needs-human" && status !== "cancelled")
        return refuse(
          "not-allowed",
          `retry applies to a task in rework, needs-human or cancelled; the task is ${status}`,
        );
      const plan: DispatchPlan = {
        mode: event.fresh ? "fresh" : (task.plan?.mode ?? resumeMode(task)),
        ...(event.model === undefined ? {} : { model: event.model }),
      };
      // A cancelled task may have been withdrawn before its spec passed: it goes through intake again.
      if (status === "cancelled") return move(task, { status: "ready", plan }, [{ type: "runIntake" }]);
      return move(task, { status: "queued", plan });
    }

    case "command.escalate":
      if (status === "needs-human") return refuse("no-change", "the task is already with a person");
      if (terminalStatuses.has(status)) return refuse("not-allowed", `the task is ${status}`);
      return escalate(task, `escalated by @${event.actor}`, {});

    case "command.status":
      return {
        ok: true,
        task,
        effects: [{ type: "comment.reply", status, attempt: task.attempt, hold: task.hold }],
      };
  }
}

function refuse(code: RefusalCode, reason: string): Transition {
  return { ok: false, code, reason };
}

/** The task moves to `patch.status`; fields that only belong to some statuses are cleared elsewhere. */
function move(task: Task, patch: Partial<Task> & { status: TaskStatus }, effects: Effect[] = []): Transition {
  const next: Task = { ...task, ...patch };
  if (next.status !== "queued" && next.status !== "rework") next.hold = null;
  if (next.status !== "needs-spec") next.specProblems = [];
  const label = statusLabel[next.status];
  const all = [...effects];
  if (label !== statusLabel[task.status]) all.push({ type: "setStatusLabel", label });
  if (next.status !== task.status)
    all.push({ type: "comment.status", status: next.status, attempt: next.attempt });
  return { ok: true, task: next, effects: all };
}

/** Effects that stop the task's automatic work where it is: its run, its slot, its place in the merge queue. */
function halt(task: Task, done: { runEnded?: boolean; dequeued?: boolean }): Effect[] {
  const effects: Effect[] = [];
  if (runActiveStatuses.has(task.status)) {
    if (done.runEnded !== true) effects.push({ type: "cancelRun", attempt: task.attempt });
    effects.push({ type: "slotFreed" });
  }
  if (task.status === "in-merge-queue" && done.dequeued !== true && task.pullRequest !== null)
    effects.push({ type: "dequeue", pullRequest: task.pullRequest });
  return effects;
}

/** The attempt's work was turned back: rework while attempts remain, else hand it to a person. */
function fail(
  task: Task,
  ctx: LifecycleContext,
  rejection: Rejection,
  done: { runEnded?: boolean; dequeued?: boolean; mode?: DispatchMode },
): Transition {
  const rejected: Effect = { type: "rejectAttempt", attempt: task.attempt, reason: rejection.summary };
  // Conflicts climb: an agent that could not resolve one re-implements from the current base.
  const mode = task.attemptMode === "resolve-conflict" ? "fresh" : (done.mode ?? "continue");
  if (task.attempt < ctx.maxAttempts)
    return move(task, { status: "rework", rejection, plan: { mode } }, [...halt(task, done), rejected]);
  const escalated = escalate(
    task,
    `attempt ${task.attempt} of ${ctx.maxAttempts} failed: ${rejection.summary}`,
    { ...done, rejection },
  );
  return escalated.ok ? { ...escalated, effects: [rejected, ...escalated.effects] } : escalated;
}

/** Stop automatic work and ask a person. */
function escalate(
  task: Task,
  reason: string,
  done: { runEnded?: boolean; dequeued?: boolean; rejection?: Rejection; pullRequest?: null },
): Transition {
  return move(
    task,
    {
      status: "needs-human",
      plan: null,
      ...(done.rejection === undefined ? {} : { rejection: done.rejection }),
      ...(done.pullRequest === undefined ? {} : { pullRequest: done.pullRequest }),
    },
    [
      ...halt(task, done),
      { type: "comment.escalation", attempt: task.attempt, reason },
      { type: "incident", attempt: task.attempt, reason },
    ],
  );
}

/** Stop the task for good, unless a person revives it. */
function cancel(task: Task, reason: string): Transition {
  return move(task, { status: "cancelled" }, [
    ...halt(task, {}),
    { type: "recordOutcome", outcome: "cancelled", attempts: task.attempt, reason },
  ]);
}

/** A rejection the swarm itself observed (not a gate or a reviewer), as one finding the next attempt reads. */
function observed(
  source: "run" | "dispatch" | "watchdog",
  summary: string,
  finding: { expected: string; found: string },
): Rejection {
  return { source, summary, findings: [{ gate: source, ...finding }] };
}

/** A task that has worked on a branch continues there; one that never ran starts fresh. */
/**
 * The mode of a waiting task's next attempt: a rework hands the agent the findings, a conflict
 * resolution continues on the branch, fresh work (`implement`) forgets them.
 */
export function nextAttemptMode(task: Task): {
  mode: "implement" | "rework" | "resolve-conflict";
  rework: Rejection | null;
} {
  const plan = task.plan ?? { mode: resumeMode(task) };
  const rework = plan.mode === "continue" && task.rejection !== null ? task.rejection : null;
  const mode =
    plan.mode === "resolve-conflict" ? "resolve-conflict" : rework === null ? "implement" : "rework";
  return { mode, rework };
}

function resumeMode(task: Task): DispatchMode {
  return task.attempt > 0 ? "continue" : "fresh";
}

/** Statuses in which the swarm is still working on its own. */
function live(status: TaskStatus): boolean {
  return (
    !terminalStatuses.has(status) && status !== "needs-human" && status !== "ready" && status !== "needs-spec"
  );
}

function prOf(task: Task): number {
  if (task.pullRequest === null) throw new Error(`a ${task.status} task has no pull request`);
  return task.pullRequest;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
