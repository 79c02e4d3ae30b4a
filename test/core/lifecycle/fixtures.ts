import type { LifecycleContext } from "../../../src/core/lifecycle/context.ts";
import { LifecycleEvent } from "../../../src/core/lifecycle/events.ts";
import type { LifecycleEventKind } from "../../../src/core/lifecycle/events.ts";
import type { Rejection } from "../../../src/core/lifecycle/rejection.ts";
import { TaskStatus } from "../../../src/core/lifecycle/status.ts";
import { newTask, Task } from "../../../src/core/lifecycle/task.ts";

export const statuses = TaskStatus.options;
export const eventKinds: LifecycleEventKind[] = LifecycleEvent.options.map((o) => o.shape.kind.value);

export const open: LifecycleContext = { maxAttempts: 3, paused: false, dailyBudgetExhausted: false };

export const gateRejection: Rejection = {
  source: "gate",
  summary: "a file outside the declared scope changed",
  findings: [
    {
      gate: "scope",
      file: "src/other.ts",
      line: 3,
      expected: "a change within src/a/**",
      found: "src/other.ts",
    },
  ],
};

/** A well-formed task in each status, as the ledger would hold it on the first attempt. */
export function taskIn(status: TaskStatus): Task {
  const base = newTask();
  const tasks: Record<TaskStatus, Task> = {
    ready: base,
    "needs-spec": { ...base, status, specProblems: ["no acceptance criteria"] },
    queued: { ...base, status, plan: { mode: "fresh" } },
    dispatched: { ...base, status, attempt: 1 },
    running: { ...base, status, attempt: 1 },
    "pr-open": { ...base, status, attempt: 1, pullRequest: 7 },
    "in-review": { ...base, status, attempt: 1, pullRequest: 7 },
    "in-merge-queue": { ...base, status, attempt: 1, pullRequest: 7 },
    rework: {
      ...base,
      status,
      attempt: 1,
      pullRequest: 7,
      plan: { mode: "continue" },
      rejection: gateRejection,
    },
    "needs-human": { ...base, status, attempt: 1, pullRequest: 7, rejection: gateRejection },
    merged: { ...base, status, attempt: 1, pullRequest: 7 },
    cancelled: { ...base, status, attempt: 1, pullRequest: 7 },
  };
  return Task.parse(tasks[status]);
}

/** A representative event of each kind, for attempt `attempt` and pull request `pullRequest`. */
export function eventOf(kind: LifecycleEventKind, attempt = 1, pullRequest = 7): LifecycleEvent {
  const actor = "octocat";
  const events: { [K in LifecycleEventKind]: Extract<LifecycleEvent, { kind: K }> } = {
    intake: { kind: "intake", problems: [] },
    "label.removed": { kind: "label.removed" },
    "issue.closed": { kind: "issue.closed" },
    "slot.offered": { kind: "slot.offered" },
    "dispatch.failed": { kind: "dispatch.failed", attempt, reason: "workflow_dispatch answered 422" },
    "run.started": { kind: "run.started", attempt },
    "run.completed": { kind: "run.completed", attempt, conclusion: "success", pullRequest },
    "watchdog.tripped": { kind: "watchdog.tripped", attempt, reason: "stalled" },
    "budget.exceeded": { kind: "budget.exceeded", attempt },
    "gate.passed": { kind: "gate.passed", attempt, reviewRequired: false },
    "gate.failed": { kind: "gate.failed", attempt, rejection: gateRejection },
    "checks.failed": {
      kind: "checks.failed",
      attempt,
      rejection: {
        source: "checks",
        summary: "the required check test failed",
        findings: [
          { gate: "check:test", file: "src/a.ts", line: 4, expected: "test passes", found: "failure" },
        ],
      },
    },
    "conflict.detected": {
      kind: "conflict.detected",
      attempt,
      rejection: {
        source: "conflict",
        summary: "pull request #7 conflicts with main",
        findings: [{ gate: "conflict", expected: "a clean merge", found: "a conflict" }],
      },
    },
    "review.approved": { kind: "review.approved", attempt, actor },
    "review.changes-requested": {
      kind: "review.changes-requested",
      attempt,
      actor,
      rejection: {
        source: "review",
        summary: "changes requested",
        findings: [{ gate: "review", expected: "a test for the new branch", found: "none" }],
      },
    },
    "queue.dequeued": {
      kind: "queue.dequeued",
      attempt,
      reason: "checks-failed",
      rejection: {
        source: "merge-queue",
        summary: "a required check failed on the merge group",
        findings: [{ gate: "check:test", expected: "success", found: "failure" }],
      },
    },
    "pr.merged": { kind: "pr.merged", pullRequest },
    "pr.closed": { kind: "pr.closed", pullRequest },
    "command.retry": { kind: "command.retry", actor, fresh: false },
    "command.cancel": { kind: "command.cancel", actor },
    "command.escalate": { kind: "command.escalate", actor },
    "command.approve": { kind: "command.approve", actor },
    "command.status": { kind: "command.status", actor },
  };
  return LifecycleEvent.parse(events[kind]);
}
