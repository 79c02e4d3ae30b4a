import { test } from "node:test";
import assert from "node:assert/strict";
import { startFixture } from "../sim-fixture.ts";

test("contents round trip: create, read back, update with the sha, list the folder, delete", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const o = { owner: "acme", repo: "widgets" };
  const text = "name: swarm\nmaxAgents: 3\n";
  const created = await f.octokit.rest.repos.createOrUpdateFileContents({
    ...o,
    path: ".github/swarm.yml",
    message: "Add config",
    content: Buffer.from(text).toString("base64"),
  });
  assert.equal(created.status, 201);
  const read = await f.octokit.rest.repos.getContent({ ...o, path: ".github/swarm.yml" });
  assert.ok(!Array.isArray(read.data) && read.data.type === "file");
  assert.equal(Buffer.from(read.data.content, "base64").toString(), text);
  assert.equal(read.data.sha, created.data.content?.sha);

  await assert.rejects(
    f.octokit.rest.repos.createOrUpdateFileContents({
      ...o,
      path: ".github/swarm.yml",
      message: "x",
      content: "eA==",
    }),
    { status: 422 },
  );
  await assert.rejects(
    f.octokit.rest.repos.createOrUpdateFileContents({
      ...o,
      path: ".github/swarm.yml",
      message: "x",
      content: "eA==",
      sha: "0".repeat(40),
    }),
    { status: 409 },
  );
  const updated = await f.octokit.rest.repos.createOrUpdateFileContents({
    ...o,
    path: ".github/swarm.yml",
    message: "Tune config",
    content: Buffer.from("maxAgents: 5\n").toString("base64"),
    sha: read.data.sha,
  });
  assert.equal(updated.status, 200);
  assert.deepEqual(
    (updated.data.commit.parents ?? []).map((p) => p.sha),
    [created.data.commit.sha],
  );

  const folder = await f.octokit.rest.repos.getContent({ ...o, path: ".github" });
  assert.ok(Array.isArray(folder.data));
  assert.deepEqual(
    folder.data.map((e) => e.name),
    ["swarm.yml"],
  );
  const raw = await f.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
    ...o,
    path: ".github/swarm.yml",
    mediaType: { format: "raw" },
  });
  assert.equal(String(raw.data), "maxAgents: 5\n");

  await f.octokit.rest.repos.deleteFile({
    ...o,
    path: ".github/swarm.yml",
    message: "Drop",
    sha: updated.data.content?.sha ?? "",
  });
  await assert.rejects(f.octokit.rest.repos.getContent({ ...o, path: ".github/swarm.yml" }), { status: 404 });
  const readme = await f.octokit.rest.repos.getContent({
    ...o,
    path: "README.md",
    ref: created.data.commit.sha ?? "",
  });
  assert.ok(!Array.isArray(readme.data) && readme.data.type === "file");
  f.sim.assertNoViolations();
});
