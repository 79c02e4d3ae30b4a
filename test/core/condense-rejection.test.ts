import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkGate, checksRejection, reviewRejection } from "../../src/core/condense-rejection.ts";
import { MAX_FINDINGS } from "../../src/core/finding.ts";
import { Rejection } from "../../src/core/lifecycle/rejection.ts";

describe("condensing what people and checks say into a rejection", () => {
  it("turns each inline review comment into a finding on its file and line, with the review's text as the hint", () => {
    const r = reviewRejection({
      actor: "alice",
      body: "Please add tests.",
      comments: [
        { path: "src/greet.ts", line: 3, body: "This returns undefined for an empty name." },
        { path: "src/old.ts", line: null, body: "Outdated?" },
      ],
    });
    Rejection.parse(r);
    assert.equal(r.source, "review");
    assert.equal(r.summary, "@alice requested changes: Please add tests.");
    assert.deepEqual(
      r.findings.map((f) => [f.file, f.line, f.found, f.hint]),
      [
        ["src/greet.ts", 3, "This returns undefined for an empty name.", "Please add tests."],
        ["src/old.ts", undefined, "Outdated?", "Please add tests."],
      ],
    );
  });

  it("gives a review without comments or text one finding that says so", () => {
    const r = reviewRejection({ actor: "alice", body: "  ", comments: [] });
    Rejection.parse(r);
    assert.equal(r.findings.length, 1);
    assert.match(r.findings[0]?.found ?? "", /without a comment/);
  });

  it("puts a failing check's failure annotations first, with file and line, and a check without annotations as its summary", () => {
    const r = checksRejection("checks", "required check(s) failed", [
      {
        name: "CI / test",
        conclusion: "failure",
        title: "2 tests failed",
        summary: "see the log",
        annotations: [
          { path: "src/a.ts", startLine: 9, level: "warning", title: null, message: "unused variable" },
          {
            path: "test/a.test.ts",
            startLine: 4,
            level: "failure",
            title: "greets",
            message: "expected hello",
          },
        ],
      },
      { name: "lint", conclusion: "timed_out", title: null, summary: "took too long", annotations: [] },
    ]);
    Rejection.parse(r);
    assert.equal(r.summary, "required check(s) failed: CI / test, lint");
    assert.deepEqual(
      r.findings.map((f) => [f.gate, f.file, f.line, f.found]),
      [
        ["check:ci-test", "test/a.test.ts", 4, "greets: expected hello"],
        ["check:ci-test", "src/a.ts", 9, "unused variable"],
        ["check:lint", undefined, undefined, "concluded timed_out: took too long"],
      ],
    );
  });

  it("keeps at most the job's number of findings, the last counting what was left out", () => {
    const annotations = Array.from({ length: 45 }, (_, i) => ({
      path: `src/f${i}.ts`,
      startLine: i + 1,
      level: "failure",
      title: null,
      message: `problem ${i}`,
    }));
    const r = checksRejection("merge-queue", "the queue removed #3", [
      { name: "test", conclusion: "failure", title: null, summary: null, annotations },
    ]);
    Rejection.parse(r);
    assert.equal(r.findings.length, MAX_FINDINGS);
    assert.match(r.findings.at(-1)?.found ?? "", /26 more finding/);
  });

  it("still gives one finding when the failing checks could not be found", () => {
    const r = checksRejection("merge-queue", "the merge queue removed #3 (FAILED_CHECKS)", []);
    Rejection.parse(r);
    assert.equal(r.findings[0]?.found, "the merge queue removed #3 (FAILED_CHECKS)");
  });

  it("names a check's findings in the finding contract's letters", () => {
    assert.equal(checkGate("Build & Test (node 24)"), "check:build-test-node-24");
    assert.equal(checkGate("42"), "check:");
  });
});
