import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { mergeGroupPullNumber, mergeGroupVerdict } from "../../src/core/merge-group.ts";

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];
const group = (
  examples.find((d) => d.name === "merge_group")?.examples[0] as
    { merge_group: { head_ref: string } } | undefined
)?.merge_group;

describe("merge groups", () => {
  it("reads the pull request number from GitHub's merge group ref", () => {
    assert.ok(group);
    const [, number] = /pr-(\d+)-[0-9a-f]+$/.exec(group.head_ref) ?? [];
    assert.equal(mergeGroupPullNumber(group.head_ref), Number(number));
  });

  it("does not take an ordinary branch for a merge group", () => {
    assert.equal(mergeGroupPullNumber("refs/heads/swarm/12-builder-01"), null);
  });

  it("passes a group only when every gate passed on the pull request's head", () => {
    const pull = { pullNumber: 7, headSha: "a".repeat(40) };
    assert.equal(mergeGroupVerdict(pull, [{ gate: "scope", verdict: "pass" }]).conclusion, "success");
    const failed = mergeGroupVerdict(pull, [
      { gate: "scope", verdict: "pass" },
      { gate: "attribution", verdict: "fail" },
    ]);
    assert.equal(failed.conclusion, "failure");
    assert.match(failed.summary, /attribution/);
    assert.equal(mergeGroupVerdict(pull, []).conclusion, "failure", "an agent's head never gated is refused");
    assert.equal(
      mergeGroupVerdict(pull, null).conclusion,
      "success",
      "people's pull requests are not the gate's",
    );
  });
});
