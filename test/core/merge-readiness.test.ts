import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  agentMerge,
  mergeRules,
  readiness,
  refusedAsMergeableNow,
  refusedForConflict,
} from "../../src/core/merge-readiness.ts";

describe("merge readiness", () => {
  // The shape GitHub documents for GET /repos/{owner}/{repo}/rules/branches/{branch}.
  const rules = [
    { type: "deletion", ruleset_source_type: "Repository", ruleset_id: 1 },
    {
      type: "required_status_checks",
      parameters: {
        strict_required_status_checks_policy: false,
        required_status_checks: [{ context: "test" }, { context: "swarm/gate", integration_id: 7 }],
      },
    },
    { type: "merge_queue", parameters: { merge_method: "SQUASH", grouping_strategy: "ALLGREEN" } },
    { type: "required_status_checks", parameters: { required_status_checks: [{ context: "test" }] } },
  ];

  it("reads the merge queue and the required checks, once each, from the branch's rules", () => {
    assert.deepEqual(mergeRules(rules), { mergeQueue: true, requiredChecks: ["test", "swarm/gate"] });
    assert.deepEqual(mergeRules([]), { mergeQueue: false, requiredChecks: [] });
  });

  it("is green only when every required check passed on the head, by the newest run of each name", () => {
    const required = ["test", "swarm/gate"];
    const gate = { name: "swarm/gate", status: "completed", conclusion: "success" };
    assert.deepEqual(readiness(required, [gate]), { state: "pending", waiting: ["test"] });
    assert.deepEqual(readiness(required, [gate, { name: "test", status: "in_progress", conclusion: null }]), {
      state: "pending",
      waiting: ["test"],
    });
    assert.deepEqual(
      readiness(required, [
        { name: "test", status: "completed", conclusion: "skipped" },
        { name: "test", status: "completed", conclusion: "failure" },
        gate,
      ]),
      { state: "green" },
    );
    assert.deepEqual(readiness([], []), { state: "green" });
  });

  it("is red as soon as one required check failed, even while others are pending", () => {
    assert.deepEqual(
      readiness(
        ["test", "lint"],
        [
          { name: "test", status: "completed", conclusion: "cancelled" },
          { name: "other", status: "completed", conclusion: "failure" },
        ],
      ),
      { state: "red", failed: ["test"] },
    );
  });
});

describe("merge refusals", () => {
  it("a refusal naming the dirty merge state is a conflict; other refusals are not", () => {
    assert.equal(refusedForConflict(["Pull request is in dirty status"]), true);
    assert.equal(refusedForConflict(["Pull request Pull request is in dirty status"]), true);
    assert.equal(
      refusedForConflict(["Pull request is in unstable status", "Pull request is in clean status"]),
      false,
    );
    assert.equal(refusedForConflict(['Pull request Required status check "test" is expected.']), false);
    assert.equal(refusedForConflict([]), false);
  });
});

describe("merging now", () => {
  it("a refusal naming a state that can be merged now (clean, unstable, has_hooks) asks for a direct merge", () => {
    assert.equal(refusedAsMergeableNow(["Pull request Pull request is in clean status"]), true);
    assert.equal(refusedAsMergeableNow(["Pull request is in unstable status"]), true);
    assert.equal(refusedAsMergeableNow(["Pull request Pull request is in has_hooks status"]), true);
    assert.equal(refusedAsMergeableNow(["Pull request Pull request is in dirty status"]), false);
    assert.equal(refusedAsMergeableNow(["Pull request is in blocked status"]), false);
    assert.equal(refusedAsMergeableNow(["Auto merge is not allowed for this repository"]), false);
    assert.equal(refusedAsMergeableNow([]), false);
  });

  it("picks a merge commit, else a squash, else a rebase, as the repository allows", () => {
    const all = { merge: true, squash: true, rebase: true };
    const body = "Closes #7\n\nSwarm-Task: acme/widgets#7";
    assert.deepEqual(agentMerge(all, body), { method: "merge", message: undefined });
    assert.deepEqual(agentMerge({ ...all, merge: false }, body), { method: "squash", message: body });
    assert.deepEqual(agentMerge({ merge: false, squash: false, rebase: true }, body), {
      method: "rebase",
      message: undefined,
    });
    assert.equal(agentMerge({ merge: false, squash: false, rebase: false }, body), null);
    assert.equal(
      agentMerge({ merge: undefined, squash: undefined, rebase: undefined }, body)?.method,
      "merge",
      "settings the answer leaves out count as allowed",
    );
  });

  it("a squash of a pull request without a body leaves GitHub's own message", () => {
    assert.deepEqual(agentMerge({ merge: false, squash: true, rebase: true }, null), {
      method: "squash",
      message: undefined,
    });
  });
});
