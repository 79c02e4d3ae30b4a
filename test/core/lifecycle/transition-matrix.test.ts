import { test } from "node:test";
import assert from "node:assert/strict";
import { Effect } from "../../../src/core/lifecycle/effects.ts";
import type { LifecycleEventKind } from "../../../src/core/lifecycle/events.ts";
import { runActiveStatuses, statusLabel, TaskStatus } from "../../../src/core/lifecycle/status.ts";
import { Task } from "../../../src/core/lifecycle/task.ts";
import { transition } from "../../../src/core/lifecycle/transition.ts";
import type { RefusalCode } from "../../../src/core/lifecycle/transition.ts";
import { eventKinds, eventOf, open, statuses, taskIn } from "./fixtures.ts";

// The specification, written out by hand: for the representative task in each status (columns, in
// this order) and the representative event of each kind (rows), where the task goes.
// A status name: accepted, the task moves there. "=": accepted, the status stays.
// Refusals: "!" not-allowed, "0" no-change, "?" unknown-attempt (attempt 1 before any dispatch),
// "#" mismatch (pull request #7 on a task without one).
const columns = [
  "ready",
  "needs-spec",
  "queued",
  "dispatched",
  "running",
  "pr-open",
  "in-review",
  "in-merge-queue",
  "rework",
  "needs-human",
  "merged",
  "cancelled",
] as const;
const C = "cancelled";
const H = "needs-human";
const R = "rework";
const M = "merged";
const Q = "in-merge-queue";
const spec: Record<LifecycleEventKind, readonly string[]> = {
  //                          ready  n-spec  queued  disp.  running  pr-open  review  m-queue  rework  n-human  merged  cancelled
  intake: /*               */ ["queued", "queued", "!", "!", "!", "!", "!", "!", "!", "!", "!", "queued"],
  "label.removed": /*      */ [C, C, C, "!", "!", "!", "!", "!", "!", "!", "!", "0"],
  "issue.closed": /*       */ [C, C, C, C, C, C, C, C, C, C, "0", "0"],
  "slot.offered": /*       */ ["!", "!", "dispatched", "!", "!", "!", "!", "!", "dispatched", "!", "!", "!"],
  "dispatch.failed": /*    */ ["?", "?", "?", R, "!", "!", "!", "!", "!", "!", "!", "!"],
  "run.started": /*        */ ["?", "?", "?", "running", "0", "!", "!", "!", "!", "!", "!", "!"],
  "run.completed": /*      */ ["?", "?", "?", "pr-open", "pr-open", "!", "!", "!", "!", "!", "!", "!"],
  "watchdog.tripped": /*   */ ["?", "?", "?", R, R, "!", "!", "!", "!", "!", "!", "!"],
  "budget.exceeded": /*    */ ["?", "?", "?", H, H, H, H, H, H, "0", "!", "!"],
  "gate.passed": /*        */ ["?", "?", "?", "!", "!", Q, "0", "0", "!", "!", "!", "!"],
  "gate.failed": /*        */ ["?", "?", "?", "!", "!", R, R, R, "!", "!", "!", "!"],
  "conflict.detected": /*  */ ["?", "?", "?", "!", "!", R, R, R, "!", "!", "!", "!"],
  "checks.failed": /*      */ ["?", "?", "?", "!", "!", R, R, R, "!", "!", "!", "!"],
  "review.approved": /*    */ ["?", "?", "?", "!", "!", "!", Q, "0", "!", "!", "!", "!"],
  "review.changes-requested": ["?", "?", "?", "!", "!", R, R, R, "!", "!", "!", "!"],
  "queue.dequeued": /*     */ ["?", "?", "?", "!", "!", "!", "!", R, "!", "!", "!", "!"],
  "pr.merged": /*          */ ["#", "#", "#", "#", "#", M, M, M, M, M, "0", M],
  "pr.closed": /*          */ ["#", "#", "#", "#", "#", H, H, H, H, "=", "!", "="],
  "command.retry": /*      */ ["!", "!", "!", "!", "!", "!", "!", "!", "queued", "queued", "!", "ready"],
  "command.cancel": /*     */ [C, C, C, C, C, C, C, C, C, C, "0", "0"],
  "command.escalate": /*   */ [H, H, H, H, H, H, H, H, H, "0", "!", "!"],
  "command.approve": /*    */ ["!", "!", "!", "!", "!", "!", Q, "0", "!", "!", "!", "!"],
  "command.status": /*     */ ["=", "=", "=", "=", "=", "=", "=", "=", "=", "=", "=", "="],
};
const refusals: Record<string, RefusalCode> = {
  "!": "not-allowed",
  "0": "no-change",
  "?": "unknown-attempt",
  "#": "mismatch",
};

test("the specification table covers every status and every event kind", () => {
  assert.deepEqual([...columns], statuses);
  assert.deepEqual(Object.keys(spec).sort(), [...eventKinds].sort());
  for (const [kind, row] of Object.entries(spec)) assert.equal(row.length, columns.length, `row ${kind}`);
});

for (const status of statuses) {
  for (const kind of eventKinds) {
    const expected = spec[kind][columns.indexOf(status)];
    test(`${kind} in ${status}: ${expected}`, () => {
      const before = taskIn(status);
      const result = transition(before, eventOf(kind), open);
      const code = expected === undefined ? undefined : refusals[expected];
      if (code !== undefined) {
        assert.equal(result.ok, false, `expected a refusal (${code})`);
        if (result.ok) return;
        assert.equal(result.code, code);
        assert.ok(result.reason.length > 0);
        return;
      }
      assert.ok(result.ok, result.ok ? "" : `refused: ${result.code}: ${result.reason}`);
      assert.equal(result.task.status, expected === "=" ? status : TaskStatus.parse(expected));
      assertWellFormed(before, kind, result.task, result.effects);
    });
  }
}

/** The rules every accepted transition keeps, whatever the event. */
function assertWellFormed(before: Task, kind: LifecycleEventKind, after: Task, effects: Effect[]): void {
  Task.parse(after);
  for (const effect of effects) Effect.parse(effect);
  assert.ok(
    effects.length > 0 || JSON.stringify(before) !== JSON.stringify(after),
    "an accepted event changes something",
  );

  for (const e of effects)
    if (e.type === "dispatch")
      assert.equal(e.mode === "rework", e.rejection !== undefined, "findings only on rework");

  const labels = effects.filter((e) => e.type === "setStatusLabel");
  if (statusLabel[before.status] === statusLabel[after.status]) assert.deepEqual(labels, []);
  else assert.deepEqual(labels, [{ type: "setStatusLabel", label: statusLabel[after.status] }]);

  const statusComments = effects.filter((e) => e.type === "comment.status");
  assert.equal(statusComments.length, before.status === after.status ? 0 : 1);

  // A run is never left behind: leaving a run-active status frees the slot, and cancels the run
  // unless the run itself reported its end.
  const leftRun = runActiveStatuses.has(before.status) && !runActiveStatuses.has(after.status);
  assert.equal(effects.filter((e) => e.type === "slotFreed").length, leftRun ? 1 : 0);
  if (!leftRun) assert.equal(effects.filter((e) => e.type === "cancelRun").length, 0);

  // Leaving the merge queue other than by merging takes the pull request out, unless the queue
  // already dropped it (dequeued) or closing it did.
  const leftQueue =
    before.status === "in-merge-queue" &&
    !["in-merge-queue", "merged"].includes(after.status) &&
    kind !== "queue.dequeued" &&
    kind !== "conflict.detected" &&
    kind !== "pr.closed";
  assert.equal(effects.filter((e) => e.type === "dequeue").length, leftQueue ? 1 : 0);

  if (after.status === "needs-human" && before.status !== "needs-human") {
    assert.equal(effects.filter((e) => e.type === "comment.escalation").length, 1);
    assert.equal(effects.filter((e) => e.type === "incident").length, 1);
  }
}

test("replaying an accepted event in the state it produced is refused", () => {
  for (const status of statuses) {
    for (const kind of eventKinds) {
      if (kind === "command.status") continue; // a question, not a transition: each asks for its own reply
      const first = transition(taskIn(status), eventOf(kind), open);
      if (!first.ok) continue;
      const again = transition(first.task, eventOf(kind), open);
      assert.equal(again.ok, false, `${kind} replayed after ${status} → ${first.task.status}`);
    }
  }
});

test("an event of an earlier attempt changes nothing in any status", () => {
  for (const status of statuses) {
    const task = { ...taskIn(status), attempt: 2 };
    for (const kind of eventKinds) {
      const event = eventOf(kind, 1);
      if (!("attempt" in event)) continue;
      const result = transition(task, event, open);
      assert.equal(result.ok ? "accepted" : result.code, "stale-attempt", `${kind} in ${status}`);
    }
  }
});
