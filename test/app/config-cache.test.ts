import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, test } from "node:test";
import { ConfigCache } from "../../src/app/config-cache.ts";
import type { LoadedConfig } from "../../src/app/load-config.ts";
import { FULL_NAME, GOOD_SPEC, startHarness, type Harness } from "./harness.ts";

const broken: LoadedConfig = { ok: false, problems: ["x"] };

test("the cache keeps the most recently read repositories, with or without an ETag", () => {
  const cache = new ConfigCache(2);
  cache.set("acme/one", 'W/"1"', broken, 0);
  cache.set("acme/two", 'W/"2"', broken, 0);
  assert.equal(cache.get("ACME/One")?.etag, 'W/"1"');
  cache.set("acme/three", 'W/"3"', broken, 0);
  assert.equal(cache.get("acme/two"), undefined, "the least recently read went first");
  assert.equal(cache.get("acme/one")?.etag, 'W/"1"');
  cache.set("acme/one", null, broken, 7);
  assert.deepEqual(cache.get("acme/one"), { etag: null, loaded: broken, freshUntil: 7 });
});

test("a refresh extends a cached config's freshness and a forget drops it", () => {
  const cache = new ConfigCache();
  cache.set("acme/one", 'W/"1"', broken, 1000);
  cache.refresh("Acme/One", 5000);
  assert.equal(cache.get("acme/one")?.freshUntil, 5000);
  cache.forget("ACME/one");
  assert.equal(cache.get("acme/one"), undefined);
});

describe("the repository's config across events", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ files: { ".github/swarm.yml": "agents:\n  maxAgents: 2\n" } });
  });
  afterEach(async () => {
    h.sim.assertNoViolations();
    await h.close();
  });

  /** The requests the offline GitHub saw during `run`: all of them, and those answered 304. */
  async function configReads(run: () => Promise<unknown>) {
    const before = h.sim.requests();
    await run();
    const after = h.sim.requests();
    return { requests: after.total - before.total, notModified: after.notModified - before.notModified };
  }

  it("is downloaded once, used while fresh, revalidated with a 304 after, and read again after a push that changes it", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Greeting", body: GOOD_SPEC, author: "alice" });
    // An unrelated label makes the app read the config and stop there.
    const label = () => h.deliver("issues", h.labeled(issue.number, "bug", "alice"));
    // The first event also mints the installation's token.
    assert.deepEqual(await configReads(label), { requests: 2, notModified: 0 });
    assert.deepEqual(await configReads(label), { requests: 0, notModified: 0 }, "fresh for GitHub's max-age");
    h.clock.advance(61_000);
    assert.deepEqual(await configReads(label), { requests: 1, notModified: 1 }, "stale: revalidated");
    assert.deepEqual(await configReads(label), { requests: 0, notModified: 0 }, "fresh again");

    // Pushes that cannot have changed it leave it be.
    await h.deliver("push", h.pushed("main", { modified: ["README.md"] }, "alice"));
    await h.deliver("push", h.pushed("feature", { modified: [".github/swarm.yml"] }, "alice"));
    assert.deepEqual(await configReads(label), { requests: 0, notModified: 0 });

    // People rename the ready label in the config; the push makes the next event see the new name.
    const { token } = h.sim.world.createUser("alice");
    const path = `${h.sim.url}/repos/${FULL_NAME}/contents/.github%2Fswarm.yml`;
    const current = (await (await fetch(path, { headers: { authorization: `token ${token}` } })).json()) as {
      sha: string;
    };
    const edit = await fetch(path, {
      method: "PUT",
      headers: { authorization: `token ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        message: "Rename the ready label",
        content: Buffer.from("agents:\n  maxAgents: 2\nlabels:\n  ready: swarm:go\n").toString("base64"),
        sha: current.sha,
      }),
    });
    assert.equal(edit.status, 200);
    await h.deliver("push", h.pushed("main", { modified: [".github/swarm.yml"] }, "alice"));
    const key = { repo: FULL_NAME, issueNumber: issue.number };
    await h.deliver("issues", h.labeled(issue.number, "swarm:go", "alice"));
    assert.notEqual(await h.ledger.tasks.get(key), undefined, "the renamed ready label started the task");
    const after = await configReads(label);
    assert.deepEqual(after, { requests: 0, notModified: 0 });
  });
});

describe("a repository without the config file", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    h.sim.assertNoViolations();
    await h.close();
  });

  it("is asked for the file once a minute, not at every event, and at once after a push that adds it", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Greeting", body: GOOD_SPEC, author: "alice" });
    const label = () => h.deliver("issues", h.labeled(issue.number, "bug", "alice"));
    const reads = async () => {
      const before = h.sim.requests().total;
      await label();
      return h.sim.requests().total - before;
    };
    await label(); // mints the installation's token and finds no file
    assert.equal(await reads(), 0, "the missing file is remembered");
    h.clock.advance(61_000);
    assert.equal(await reads(), 1, "a minute later it is asked for again");
    assert.equal(await reads(), 0);
    await h.deliver("push", h.pushed("main", { added: [".github/swarm.yml"] }, "alice"));
    assert.equal(await reads(), 1, "a push that adds the file is heard at once");
  });
});
