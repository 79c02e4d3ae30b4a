import { test } from "node:test";
import assert from "node:assert/strict";
import { newTask, Task } from "../../../src/core/lifecycle/task.ts";

test("a new task is ready, before any attempt", () => {
  assert.deepEqual(Task.parse(newTask()), newTask());
  assert.equal(newTask().status, "ready");
  assert.equal(newTask().attempt, 0);
});

test("a stored task whose fields contradict its status is refused, naming the field", () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ status: "queued" }, "plan", /needs a dispatch plan/],
    [{ status: "running", attempt: 1, hold: "paused" }, "hold", /cannot be held/],
    [{ status: "in-review", attempt: 1 }, "pullRequest", /needs a pull request/],
    [{ status: "running" }, "attempt", /dispatched at least once/],
    [{ status: "needs-spec" }, "specProblems", /exactly when the task is in needs-spec/],
    [{ status: "ready", specProblems: ["x"] }, "specProblems", /exactly when the task is in needs-spec/],
  ];
  for (const [patch, path, message] of cases) {
    const result = Task.safeParse({ ...newTask(), ...patch });
    assert.equal(result.success, false, JSON.stringify(patch));
    const issue = result.error?.issues[0];
    assert.deepEqual(issue?.path, [path]);
    assert.match(issue?.message ?? "", message);
  }
});

test("an unknown status or a stray field is refused", () => {
  assert.equal(Task.safeParse({ ...newTask(), status: "done" }).success, false);
  assert.equal(Task.safeParse({ ...newTask(), owner: "x" }).success, false);
});
