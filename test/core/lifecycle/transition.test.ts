import { test } from "node:test";
import assert from "node:assert/strict";
import type { LifecycleContext } from "../../../src/core/lifecycle/context.ts";
import type { Effect } from "../../../src/core/lifecycle/effects.ts";
import type { LifecycleEvent } from "../../../src/core/lifecycle/events.ts";
import { newTask } from "../../../src/core/lifecycle/task.ts";
import type { Task } from "../../../src/core/lifecycle/task.ts";
import { transition } from "../../../src/core/lifecycle/transition.ts";
import { eventOf, gateRejection, open, taskIn } from "./fixtures.ts";

/** Apply events in order, each of which must be accepted; the final task and each step's effects. */
function apply(task: Task, events: LifecycleEvent[], ctx: LifecycleContext = open) {
  const steps: Effect[][] = [];
  for (const event of events) {
    const result = transition(task, event, ctx);
    assert.ok(result.ok, result.ok ? "" : `${event.kind} in ${task.status} refused: ${result.reason}`);
    task = result.task;
    steps.push(result.effects);
  }
  return { task, steps, last: steps.at(-1) ?? [] };
}

function types(effects: Effect[]): string[] {
  return effects.map((e) => e.type);
}

const toPullRequest: LifecycleEvent[] = [
  eventOf("intake"),
  eventOf("slot.offered"),
  eventOf("run.started"),
  eventOf("run.completed"),
];

test("a task whose spec passes goes from ready to merged, closing the issue and recording the outcome", () => {
  const { task, steps } = apply(newTask(), [...toPullRequest, eventOf("gate.passed"), eventOf("pr.merged")]);
  assert.equal(task.status, "merged");
  assert.deepEqual(
    steps.map((s) => s.find((e) => e.type === "setStatusLabel")),
    [
      { type: "setStatusLabel", label: "swarm:queued" },
      { type: "setStatusLabel", label: "swarm:running" },
      undefined,
      undefined,
      undefined,
      { type: "setStatusLabel", label: "swarm:done" },
    ],
  );
  assert.deepEqual(steps[1]?.[0], { type: "dispatch", attempt: 1, mode: "implement", fresh: true });
  assert.ok(steps[3]?.some((e) => e.type === "slotFreed"));
  assert.deepEqual(steps[4]?.[0], { type: "enqueue", pullRequest: 7 });
  assert.deepEqual(types(steps[5] ?? []), [
    "closeIssue",
    "recordOutcome",
    "setStatusLabel",
    "comment.status",
  ]);
  assert.deepEqual(steps[5]?.[0], { type: "closeIssue", pullRequest: 7, attempts: 1 });
});

test("a failing spec lint sends the task to needs-spec with the checklist; a fixed issue re-runs intake", () => {
  const problems = ["no acceptance criteria", "no file scope"];
  const failed = apply(newTask(), [{ kind: "intake", problems }]);
  assert.equal(failed.task.status, "needs-spec");
  assert.deepEqual(failed.task.specProblems, problems);
  assert.deepEqual(failed.last.slice(0, 2), [
    { type: "comment.spec-checklist", problems },
    { type: "setStatusLabel", label: "swarm:needs-spec" },
  ]);

  const same = transition(failed.task, { kind: "intake", problems: [...problems] }, open);
  assert.equal(same.ok ? "accepted" : same.code, "no-change");

  const fewer = apply(failed.task, [{ kind: "intake", problems: ["no file scope"] }]);
  assert.deepEqual(fewer.last, [{ type: "comment.spec-checklist", problems: ["no file scope"] }]);

  const fixed = apply(fewer.task, [{ kind: "intake", problems: [] }]);
  assert.equal(fixed.task.status, "queued");
  assert.deepEqual(fixed.task.specProblems, []);
  assert.ok(fixed.last.some((e) => e.type === "setStatusLabel" && e.label === "swarm:queued"));
});

test("removing swarm:ready before dispatch withdraws the task and records it as cancelled", () => {
  const { task, last } = apply(taskIn("queued"), [eventOf("label.removed")]);
  assert.equal(task.status, "cancelled");
  assert.deepEqual(last, [
    { type: "recordOutcome", outcome: "cancelled", attempts: 0, reason: "withdrawn before dispatch" },
    { type: "setStatusLabel", label: null },
    { type: "comment.status", status: "cancelled", attempt: 0 },
  ]);
});

test("pause and the daily budget hold dispatch with one notice each, and dispatch resumes when both lift", () => {
  const paused = { ...open, paused: true };
  const held = apply(taskIn("queued"), [eventOf("slot.offered")], paused);
  assert.equal(held.task.status, "queued");
  assert.equal(held.task.hold, "paused");
  assert.deepEqual(held.last, [{ type: "comment.hold", reason: "paused" }]);

  const again = transition(held.task, eventOf("slot.offered"), paused);
  assert.equal(again.ok ? "accepted" : again.code, "no-change");

  const broke = apply(held.task, [eventOf("slot.offered")], { ...open, dailyBudgetExhausted: true });
  assert.equal(broke.task.hold, "budget");
  assert.deepEqual(broke.last, [{ type: "comment.hold", reason: "budget" }]);

  const resumed = apply(broke.task, [eventOf("slot.offered")]);
  assert.equal(resumed.task.status, "dispatched");
  assert.equal(resumed.task.hold, null);
});

test("a review-required pull request waits in review until an approval enqueues it", () => {
  const toReview = apply(newTask(), [
    ...toPullRequest,
    { kind: "gate.passed", attempt: 1, reviewRequired: true },
  ]);
  assert.equal(toReview.task.status, "in-review");
  assert.deepEqual(toReview.last.slice(0, 2), [
    { type: "requestReview", pullRequest: 7 },
    { type: "setStatusLabel", label: "swarm:review" },
  ]);
  for (const approval of [eventOf("review.approved"), eventOf("command.approve")]) {
    const { task, last } = apply(toReview.task, [approval]);
    assert.equal(task.status, "in-merge-queue");
    assert.deepEqual(last[0], { type: "enqueue", pullRequest: 7 });
  }
});

test("a red gate sends the work to rework, and the next slot dispatches attempt 2 on the branch with the rejection", () => {
  const { task, steps } = apply(taskIn("pr-open"), [eventOf("gate.failed"), eventOf("slot.offered")]);
  assert.equal(task.status, "dispatched");
  assert.equal(task.attempt, 2);
  assert.deepEqual(steps[0]?.slice(0, 2), [
    { type: "rejectAttempt", attempt: 1, reason: gateRejection.summary },
    { type: "setStatusLabel", label: "swarm:queued" },
  ]);
  assert.deepEqual(steps[1]?.[0], {
    type: "dispatch",
    attempt: 2,
    mode: "rework",
    fresh: false,
    rejection: gateRejection,
  });
});

test("a merge conflict sends the work to a resolve-conflict attempt", () => {
  const { task, last } = apply(taskIn("in-merge-queue"), [
    { ...eventOf("queue.dequeued"), reason: "conflict" } as LifecycleEvent,
    eventOf("slot.offered"),
  ]);
  assert.equal(task.attempt, 2);
  assert.deepEqual(last[0], { type: "dispatch", attempt: 2, mode: "resolve-conflict", fresh: false });
});

test("a conflict climbs: an agent resolves it, and if that attempt fails too the next one starts fresh from the base", () => {
  const resolving = apply(taskIn("in-merge-queue"), [
    { ...eventOf("queue.dequeued"), reason: "conflict" } as LifecycleEvent,
    eventOf("slot.offered"),
    eventOf("run.started", 2),
    eventOf("run.completed", 2),
  ]);
  assert.equal(resolving.task.attemptMode, "resolve-conflict");
  const { task, last } = apply(resolving.task, [eventOf("gate.failed", 2), eventOf("slot.offered")]);
  assert.equal(task.attempt, 3);
  assert.deepEqual(last[0], { type: "dispatch", attempt: 3, mode: "implement", fresh: true });
});

test("a red required check on the head turns the work back with the check's findings", () => {
  for (const status of ["pr-open", "in-review", "in-merge-queue"] as const) {
    const { task, last } = apply(taskIn(status), [eventOf("checks.failed")]);
    assert.equal(task.status, "rework");
    assert.equal(task.rejection?.source, "checks");
    assert.equal(task.rejection?.findings[0]?.file, "src/a.ts");
    assert.equal(last.filter((e) => e.type === "dequeue").length, status === "in-merge-queue" ? 1 : 0);
  }
});

test("the review policy's reviewers travel with the review request", () => {
  const { last } = apply(taskIn("pr-open"), [
    { kind: "gate.passed", attempt: 1, reviewRequired: true, reviewers: ["octocat", "acme/core"] },
  ]);
  assert.deepEqual(last[0], { type: "requestReview", pullRequest: 7, reviewers: ["octocat", "acme/core"] });
});

test("the last allowed attempt failing hands the task to a person with an escalation and an incident", () => {
  const ctx = { ...open, maxAttempts: 2 };
  const { task, last } = apply(taskIn("pr-open"), [eventOf("gate.failed"), eventOf("slot.offered")], ctx);
  const failed = transition(
    task,
    { kind: "run.completed", attempt: 2, conclusion: "failure", pullRequest: null },
    ctx,
  );
  assert.ok(failed.ok);
  assert.equal(last[0]?.type, "dispatch");
  assert.equal(failed.task.status, "needs-human");
  const reason = 'attempt 2 of 2 failed: the workflow run concluded "failure"';
  assert.deepEqual(failed.effects, [
    { type: "rejectAttempt", attempt: 2, reason: 'the workflow run concluded "failure"' },
    { type: "slotFreed" },
    { type: "comment.escalation", attempt: 2, reason },
    { type: "incident", attempt: 2, reason },
    { type: "setStatusLabel", label: "swarm:needs-human" },
    { type: "comment.status", status: "needs-human", attempt: 2 },
  ]);
});

test("a successful run without a pull request is a failed attempt", () => {
  const result = transition(
    taskIn("running"),
    { kind: "run.completed", attempt: 1, conclusion: "success", pullRequest: null },
    open,
  );
  assert.ok(result.ok);
  assert.equal(result.task.status, "rework");
  assert.match(result.task.rejection?.summary ?? "", /no pull request/);
});

test("a stalled or zombie run is cancelled, its slot freed, and the work reworked", () => {
  for (const reason of ["stalled", "zombie"] as const) {
    const { task, last } = apply(taskIn("running"), [{ kind: "watchdog.tripped", attempt: 1, reason }]);
    assert.equal(task.status, "rework");
    assert.equal(task.rejection?.source, "watchdog");
    assert.deepEqual(last.slice(0, 2), [{ type: "cancelRun", attempt: 1 }, { type: "slotFreed" }]);
  }
});

test("cancelling stops whatever runs: the workflow run, or the merge-queue entry", () => {
  const running = apply(taskIn("running"), [eventOf("command.cancel")]);
  assert.deepEqual(running.last.slice(0, 2), [{ type: "cancelRun", attempt: 1 }, { type: "slotFreed" }]);
  const queued = apply(taskIn("in-merge-queue"), [eventOf("issue.closed")]);
  assert.deepEqual(queued.last[0], { type: "dequeue", pullRequest: 7 });
  assert.equal(queued.task.status, "cancelled");
});

test("the task's budget running out cancels the run and asks a person", () => {
  const { task, last } = apply(taskIn("running"), [eventOf("budget.exceeded")]);
  assert.equal(task.status, "needs-human");
  assert.deepEqual(types(last).slice(0, 4), ["cancelRun", "slotFreed", "comment.escalation", "incident"]);
});

test("retry with fresh and a model starts from the base without the old rejection, on the model asked for", () => {
  const { last } = apply(taskIn("needs-human"), [
    { kind: "command.retry", actor: "octocat", fresh: true, model: "opus" },
    eventOf("slot.offered"),
  ]);
  assert.deepEqual(last[0], { type: "dispatch", attempt: 2, mode: "implement", fresh: true, model: "opus" });
});

test("retry without fresh continues on the branch with the last rejection", () => {
  const { last } = apply(taskIn("needs-human"), [eventOf("command.retry"), eventOf("slot.offered")]);
  assert.deepEqual(last[0], {
    type: "dispatch",
    attempt: 2,
    mode: "rework",
    fresh: false,
    rejection: gateRejection,
  });
});

test("retry of a cancelled task runs intake again and keeps the retry's plan", () => {
  const retried = apply(taskIn("cancelled"), [{ kind: "command.retry", actor: "octocat", fresh: true }]);
  assert.equal(retried.task.status, "ready");
  assert.deepEqual(retried.last[0], { type: "runIntake" });
  const { last } = apply(retried.task, [eventOf("intake"), eventOf("slot.offered")]);
  assert.deepEqual(last[0], { type: "dispatch", attempt: 2, mode: "implement", fresh: true });
});

test("a person merging the pull request of a cancelled task completes it", () => {
  const { task, last } = apply(taskIn("cancelled"), [eventOf("pr.merged")]);
  assert.equal(task.status, "merged");
  assert.equal(last[0]?.type, "closeIssue");
});

test("a pull request closed unmerged goes to a person, and is forgotten so a retry opens a new one", () => {
  const { task } = apply(taskIn("in-review"), [eventOf("pr.closed")]);
  assert.equal(task.status, "needs-human");
  assert.equal(task.pullRequest, null);
  const other = transition(taskIn("in-review"), eventOf("pr.closed", 1, 8), open);
  assert.equal(other.ok ? "accepted" : other.code, "mismatch");
});

test("status answers with the task's status, attempt and hold without changing the task", () => {
  const task = { ...taskIn("rework"), hold: "paused" as const };
  const result = transition(task, eventOf("command.status"), open);
  assert.ok(result.ok);
  assert.equal(result.task, task);
  assert.deepEqual(result.effects, [{ type: "comment.reply", status: "rework", attempt: 1, hold: "paused" }]);
});

test("a late event of the previous attempt is refused after the next attempt is dispatched", () => {
  const { task } = apply(taskIn("pr-open"), [eventOf("gate.failed"), eventOf("slot.offered")]);
  const late = transition(task, eventOf("run.completed", 1), open);
  assert.deepEqual(late, {
    ok: false,
    code: "stale-attempt",
    reason: "run.completed belongs to attempt 1; the task is on attempt 2",
  });
  const early = transition(task, eventOf("run.started", 3), open);
  assert.equal(early.ok ? "accepted" : early.code, "unknown-attempt");
});

test("a person merging the pull request while a rework attempt runs ends the task and cancels the run", () => {
  const reworking = apply(taskIn("pr-open"), [eventOf("gate.failed"), eventOf("slot.offered")]).task;
  const { task, last } = apply(reworking, [eventOf("pr.merged")]);
  assert.equal(task.status, "merged");
  assert.deepEqual(last.slice(0, 3), [
    { type: "cancelRun", attempt: 2 },
    { type: "slotFreed" },
    { type: "closeIssue", pullRequest: 7, attempts: 2 },
  ]);
});

test("continuing without a rejection (a retry after an escalation) implements on the existing branch", () => {
  const escalated = apply(taskIn("running"), [eventOf("command.escalate")]).task;
  assert.equal(escalated.rejection, null);
  const { last } = apply(escalated, [eventOf("command.retry"), eventOf("slot.offered")]);
  assert.deepEqual(last[0], { type: "dispatch", attempt: 2, mode: "implement", fresh: false });
});

test("failures the swarm observes itself carry one finding, so a rework job always has one", () => {
  const cases: [Task, LifecycleEvent][] = [
    [taskIn("dispatched"), { kind: "dispatch.failed", attempt: 1, reason: "422 Unexpected inputs provided" }],
    [taskIn("running"), { kind: "run.completed", attempt: 1, conclusion: "timed_out", pullRequest: null }],
    [taskIn("running"), { kind: "watchdog.tripped", attempt: 1, reason: "zombie" }],
  ];
  for (const [task, event] of cases) {
    const { task: after, last } = apply(task, [event, eventOf("slot.offered")]);
    const dispatch = last[0];
    assert.equal(dispatch?.type, "dispatch");
    if (dispatch?.type !== "dispatch") continue;
    assert.equal(dispatch.mode, "rework");
    assert.equal(dispatch.rejection?.findings.length, 1);
    assert.equal(dispatch.rejection?.findings[0]?.gate, dispatch.rejection?.source);
    assert.equal(after.attempt, 2);
  }
});
