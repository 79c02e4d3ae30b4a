import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { LifecycleContext } from "../../../src/core/lifecycle/context.ts";
import { Effect } from "../../../src/core/lifecycle/effects.ts";
import { LifecycleEvent } from "../../../src/core/lifecycle/events.ts";
import { TaskStatus } from "../../../src/core/lifecycle/status.ts";
import { newTask, Task } from "../../../src/core/lifecycle/task.ts";
import { RefusalCode, transition } from "../../../src/core/lifecycle/transition.ts";
import { eventKinds, eventOf, open, taskIn } from "./fixtures.ts";

const seed = 20261122;

const contextArb: fc.Arbitrary<LifecycleContext> = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  paused: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  dailyBudgetExhausted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});

/** Every kind of event with each variant the representative events lack, for one attempt and pull request. */
function variants(attempt: number, pullRequest: number): LifecycleEvent[] {
  const events: LifecycleEvent[] = eventKinds.map((kind) => eventOf(kind, attempt, pullRequest));
  events.push(
    { kind: "intake", problems: ["no acceptance criteria"] },
    { kind: "intake", problems: ["no file scope"] },
    { kind: "run.completed", attempt, conclusion: "failure", pullRequest: null },
    { kind: "run.completed", attempt, conclusion: "success", pullRequest: null },
    { kind: "watchdog.tripped", attempt, reason: "zombie" },
    { kind: "gate.passed", attempt, reviewRequired: true },
    {
      ...(eventOf("queue.dequeued", attempt) as Extract<LifecycleEvent, { kind: "queue.dequeued" }>),
      reason: "conflict",
    },
    { kind: "command.retry", actor: "octocat", fresh: true, model: "opus" },
  );
  return events.map((e) => LifecycleEvent.parse(e));
}

/** Events that could move this task, tied to its own attempt and pull request. */
function candidates(task: Task): LifecycleEvent[] {
  return variants(Math.max(task.attempt, 1), task.pullRequest ?? 7);
}

/**
 * One step of a walk: mostly an event the task accepts (so walks get deep into the lifecycle),
 * otherwise any event, late, early or for another pull request.
 */
const stepArb = fc.record({
  accepted: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
  attemptOffset: fc.constantFrom(-1, 0, 1),
  pullRequest: fc.constantFrom(7, 8),
  pick: fc.nat(),
  ctx: contextArb,
});

/** Events that end a task's automatic work; walks take them less often so they get deep too. */
const stopping: ReadonlySet<string> = new Set([
  "label.removed",
  "issue.closed",
  "budget.exceeded",
  "pr.closed",
  "command.cancel",
  "command.escalate",
  "command.status",
]);

type Step = {
  accepted: boolean;
  attemptOffset: number;
  pullRequest: number;
  pick: number;
  ctx: LifecycleContext;
};

function eventFor(task: Task, step: Step): LifecycleEvent {
  const pool = step.accepted
    ? candidates(task)
        .filter((event) => transition(task, event, step.ctx).ok)
        .flatMap((event) => (stopping.has(event.kind) ? [event] : [event, event, event, event, event, event]))
    : variants(Math.max(1, task.attempt + step.attemptOffset), step.pullRequest);
  const all = pool.length > 0 ? pool : candidates(task);
  const event = all[step.pick % all.length];
  assert.ok(event !== undefined);
  return event;
}

/** Breadth-first search for a status reachable from the task under the context. */
function canReach(start: Task, goal: (status: TaskStatus) => boolean, ctx: LifecycleContext): boolean {
  let frontier = [start];
  const seen = new Set([JSON.stringify(start)]);
  for (let depth = 0; depth <= 10 && frontier.length > 0; depth++) {
    const next: Task[] = [];
    for (const task of frontier) {
      if (goal(task.status)) return true;
      for (const event of candidates(task)) {
        const result = transition(task, event, ctx);
        if (!result.ok) continue;
        const key = JSON.stringify(result.task);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push(result.task);
      }
    }
    frontier = next;
  }
  return false;
}

test("from every status a task can reach merged, and cancelled unless it is merged", () => {
  for (const status of TaskStatus.options) {
    const task = taskIn(status);
    assert.ok(
      canReach(task, (s) => s === "merged", open),
      `merged from ${status}`,
    );
    if (status !== "merged")
      assert.ok(
        canReach(task, (s) => s === "cancelled", open),
        `cancelled from ${status}`,
      );
  }
});

const visited = new Set<TaskStatus>();
const refusals = new Set<RefusalCode>();

test("no sequence of events leads outside the well-formed tasks, repeats an effect on replay, or strands a task", () => {
  fc.assert(
    fc.property(fc.array(stepArb, { maxLength: 60, size: "max" }), (steps) => {
      let task = newTask();
      const dispatched = new Set<number>();
      for (const step of steps) {
        const event = eventFor(task, step);
        const result = transition(task, event, step.ctx);
        if (!result.ok) {
          refusals.add(result.code);
          assert.ok(result.reason.length > 0);
          continue;
        }
        assert.ok(result.task.attempt >= task.attempt, "the attempt number never decreases");
        task = Task.parse(result.task);
        visited.add(task.status);
        for (const effect of result.effects) {
          Effect.parse(effect);
          if (effect.type !== "dispatch") continue;
          assert.ok(!dispatched.has(effect.attempt), `attempt ${effect.attempt} dispatched twice`);
          dispatched.add(effect.attempt);
        }
        if (event.kind !== "command.status") {
          const replay = transition(task, event, step.ctx);
          assert.equal(replay.ok, false, `${event.kind} replayed in ${task.status} was accepted again`);
        }
      }
      assert.ok(
        canReach(task, (s) => s === "merged", open),
        `merged is unreachable from ${JSON.stringify(task)}`,
      );
      if (task.status !== "merged")
        assert.ok(
          canReach(task, (s) => s === "cancelled", { ...open, paused: true, dailyBudgetExhausted: true }),
          `cancelled is unreachable from ${JSON.stringify(task)}`,
        );
    }),
    { seed, numRuns: 100 },
  );
});

test("the random walks visit every status and meet every kind of refusal", () => {
  assert.deepEqual([...visited].sort(), [...TaskStatus.options].sort());
  assert.deepEqual([...refusals].sort(), [...RefusalCode.options].sort());
});
