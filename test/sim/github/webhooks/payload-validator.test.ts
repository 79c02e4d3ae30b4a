import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { examplePayload } from "../../../../src/sim/github/webhooks/example-payloads.ts";
import { webhookPayloadProblems } from "../../../../src/sim/github/webhooks/payload-validator.ts";

describe("webhook payload validation", () => {
  it("accepts GitHub's published example of an event", () => {
    assert.deepEqual(webhookPayloadProblems("issues", "labeled", examplePayload("issues", "labeled")), []);
  });

  it("names the field a broken payload gets wrong", () => {
    const payload = examplePayload("issues", "labeled");
    (payload.issue as Record<string, unknown>).number = "seven";
    const problems = webhookPayloadProblems("issues", "labeled", payload);
    assert.ok(
      problems.some((p) => p.startsWith("/issue/number")),
      problems.join("; "),
    );
  });

  it("reports an event and action the schemas do not know", () => {
    assert.match(
      webhookPayloadProblems("issues", "teleported", {})[0] ?? "",
      /no schema for issues\$teleported/,
    );
  });
});

describe("published examples", () => {
  it("borrows another example of the event when the action has none, and sets the action", () => {
    const payload = examplePayload("merge_group", "destroyed");
    assert.equal(payload.action, "destroyed");
    assert.ok("merge_group" in payload);
  });

  it("hands out copies, so a rendered payload never alters the example", () => {
    const a = examplePayload("issues", "opened");
    (a.issue as Record<string, unknown>).title = "changed";
    assert.notEqual((examplePayload("issues", "opened").issue as { title: string }).title, "changed");
  });
});
