import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { FULL_NAME, GOOD_SPEC, startHarness, type Harness } from "./harness.ts";

describe("what an issue shows after an event", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ files: { ".github/swarm.yml": "agents:\n  maxAgents: 2\n" } });
  });
  afterEach(async () => {
    h.sim.assertNoViolations();
    await h.close();
  });

  it("a task queued and dispatched in one event gets its final label and one status comment, in at most four requests", async () => {
    // A first event warms the config cache and the installation token, as a running app has them.
    const warm = h.sim.world.createIssue(FULL_NAME, { title: "Warm", body: "hello", author: "alice" });
    await h.deliver("issues", h.labeled(warm.number, "bug", "alice"));
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Greeting", body: GOOD_SPEC, author: "alice" });
    const before = h.sim.requests();
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    const after = h.sim.requests();
    const key = { repo: FULL_NAME, issueNumber: issue.number };
    assert.equal((await h.ledger.attempts.get(key, 1))?.state, "dispatched");
    // (The harness's label event does not put swarm:ready on the offline issue; people do that.)
    assert.deepEqual(h.issue(issue.number).labels, ["swarm:running"]);
    const status = h.comments(issue.number);
    assert.equal(status.length, 1);
    assert.match(status[0]?.body ?? "", /\*\*dispatched\*\*/);
    // Dispatch, the running label, and the status comment (looked for, then created); the config
    // is still fresh from the first event, so it is not asked for again.
    assert.ok(after.total - before.total <= 4, `${after.total - before.total} requests`);
    assert.equal(after.notModified - before.notModified, 0);
  });
});
