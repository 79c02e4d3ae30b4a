import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calibrate, renderCalibration } from "../../src/core/calibration.ts";

describe("review calibration", () => {
  const sha = (c: string) => c.repeat(40);

  it("counts, among heads the gate passed, how often a person asked for changes, overall and per review mode", () => {
    const heads = [
      { pullNumber: 1, headSha: sha("a"), passed: true },
      { pullNumber: 2, headSha: sha("b"), passed: true },
      { pullNumber: 3, headSha: sha("c"), passed: true },
      { pullNumber: 4, headSha: sha("d"), passed: false },
      { pullNumber: 5, headSha: sha("e"), passed: true },
    ];
    const reviews = [
      { pullNumber: 1, headSha: sha("a"), kind: "policy" as const, verdict: "full" },
      { pullNumber: 1, headSha: sha("a"), kind: "human" as const, verdict: "changes-requested" },
      { pullNumber: 1, headSha: sha("a"), kind: "human" as const, verdict: "approved" },
      { pullNumber: 2, headSha: sha("b"), kind: "policy" as const, verdict: "spot-check" },
      { pullNumber: 2, headSha: sha("b"), kind: "human" as const, verdict: "approved" },
      { pullNumber: 3, headSha: sha("c"), kind: "policy" as const, verdict: "none" },
      // The gate failed this head: a person agreeing says nothing about the gate's misses.
      { pullNumber: 4, headSha: sha("d"), kind: "human" as const, verdict: "changes-requested" },
      { pullNumber: 5, headSha: sha("e"), kind: "policy" as const, verdict: "spot-check" },
      { pullNumber: 5, headSha: sha("e"), kind: "human" as const, verdict: "changes-requested" },
    ];
    const c = calibrate(heads, reviews);
    assert.deepEqual(
      { gatePassed: c.gatePassed, judged: c.judged, approved: c.approved, changes: c.changesRequested },
      { gatePassed: 4, judged: 3, approved: 1, changes: 2 },
    );
    assert.equal(c.problemRate, 2 / 3);
    assert.deepEqual(c.byMode.full, { judged: 1, approved: 0, changesRequested: 1, problemRate: 1 });
    assert.deepEqual(c.byMode["spot-check"], {
      judged: 2,
      approved: 1,
      changesRequested: 1,
      problemRate: 0.5,
    });
    assert.match(
      renderCalibration("acme/widgets", c),
      /all: 3 judged by people, 1 approved, 2 with changes requested \(66\.7% with problems\)/,
    );
  });

  it("has no rate before any head is judged", () => {
    const c = calibrate([{ pullNumber: 1, headSha: sha("a"), passed: true }], []);
    assert.equal(c.problemRate, null);
    assert.match(renderCalibration("acme/widgets", c), /no head judged yet/);
  });
});
