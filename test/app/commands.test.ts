import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { HELP_TEXT } from "../../src/core/commands.ts";
import { FULL_NAME, startHarness, type Harness } from "./harness.ts";

describe("/swarm commands", () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it("answers /swarm help from a writer with 👀 and the help text", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Question", author: "alice" });
    const payload = h.commented(issue.number, "/swarm help", "alice");
    await h.deliver("issue_comment", payload);
    const comments = h.comments(issue.number);
    const command = comments.find((c) => c.id === payload.comment.id);
    assert.ok(command);
    const reactions = h.sim.world.repo(FULL_NAME)?.comments.get(command.id)?.reactions ?? [];
    assert.deepEqual(
      reactions.map((r) => r.content),
      ["eyes"],
    );
    const replies = comments.filter((c) => c.author === `${h.simApp.slug}[bot]`);
    assert.equal(replies.length, 1);
    assert.equal(replies[0]?.body, HELP_TEXT);
  });

  it("refuses a command from a read-only collaborator politely, without obeying it", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Question", author: "rita" });
    const payload = h.commented(issue.number, "/swarm pause", "rita");
    await h.deliver("issue_comment", payload);
    const replies = h.comments(issue.number).filter((c) => c.author === `${h.simApp.slug}[bot]`);
    assert.equal(replies.length, 1);
    assert.match(replies[0]?.body ?? "", /Sorry @rita, only people with write/);
    assert.equal(await h.ledger.repositories.isPaused(FULL_NAME), false);
    const reactions = h.sim.world.repo(FULL_NAME)?.comments.get(payload.comment.id)?.reactions ?? [];
    assert.equal(reactions.length, 0);
  });

  it("ignores commands in comments written by bots, the app's own included", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Loop bait", author: "alice" });
    const before = h.comments(issue.number).length;
    await h.deliver(
      "issue_comment",
      h.commented(issue.number, "/swarm pause", `${h.simApp.slug}[bot]`, "Bot"),
    );
    await h.deliver("issue_comment", h.commented(issue.number, "/swarm help", "dependabot[bot]", "Bot"));
    assert.equal(h.comments(issue.number).length, before + 2, "only the two bot comments themselves");
    assert.equal(await h.ledger.repositories.isPaused(FULL_NAME), false);
  });

  it("answers a command that does not parse with what was wrong and the help", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Typo", author: "alice" });
    await h.deliver("issue_comment", h.commented(issue.number, "/swarm retyr", "alice"));
    const reply = h.comments(issue.number).find((c) => c.author === `${h.simApp.slug}[bot]`);
    assert.match(reply?.body ?? "", /Unknown command/);
    assert.ok(reply?.body.includes(HELP_TEXT));
  });

  it("looks up a person's permission once for a burst of commands", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Burst", author: "alice" });
    const counted = () => h.sim.requests().total;
    await h.deliver("issue_comment", h.commented(issue.number, "/swarm help", "alice"));
    const first = counted();
    await h.deliver("issue_comment", h.commented(issue.number, "/swarm help", "alice"));
    // The second command costs a reaction and a reply, and no permission lookup.
    assert.equal(counted() - first, 2);
  });

  it("records no OpenAPI violation", () => {
    h.sim.assertNoViolations();
  });
});
