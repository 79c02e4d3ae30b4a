import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NORMAL_PRIORITY, priorityOf } from "../../src/core/priority.ts";

describe("priorityOf", () => {
  it("is normal without a priority label", () => {
    assert.equal(priorityOf([]), NORMAL_PRIORITY);
    assert.equal(priorityOf(["bug", "swarm:ready"]), NORMAL_PRIORITY);
  });

  it("orders the words so that more urgent runs first", () => {
    const order = ["priority:critical", "priority:high", "priority:medium", "priority:low"].map((l) =>
      priorityOf([l]),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    assert.ok(priorityOf(["priority:high"]) < NORMAL_PRIORITY);
    assert.ok(priorityOf(["priority:low"]) > NORMAL_PRIORITY);
  });

  it("reads numbers, with or without a p, ignoring case and spaces", () => {
    assert.equal(priorityOf(["priority:0"]), 0);
    assert.equal(priorityOf(["Priority: P1"]), 1);
  });

  it("takes the most urgent of several labels and ignores unknown words", () => {
    assert.equal(
      priorityOf(["priority:low", "priority:high", "priority:whenever"]),
      priorityOf(["priority:high"]),
    );
    assert.equal(priorityOf(["priority:whenever"]), NORMAL_PRIORITY);
  });
});
