import { test } from "node:test";
import assert from "node:assert/strict";
import { loadGitHubSpec } from "../../../../src/sim/github/openapi-spec.ts";
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

test("a file read again with its ETag answers 304 at no rate-limit cost until the file changes", async (t) => {
  const f = await startFixture({ ".github/swarm.yml": "agents:\n  maxAgents: 2\n" });
  t.after(() => f.close());
  const getContent = loadGitHubSpec().operations.find((op) => op.operationId === "repos/get-content");
  assert.ok(getContent?.responses.has("304"), "GitHub's description documents 304 for the contents API");
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  const path = "/repos/acme/widgets/contents/.github%2Fswarm.yml";
  const first = await f.call("GET", path, token);
  assert.equal(first.status, 200);
  const etag = first.headers.get("etag") ?? "";
  const remaining = first.headers.get("x-ratelimit-remaining");

  const again = await f.call("GET", path, token, undefined, { "if-none-match": etag });
  assert.equal(again.status, 304);
  assert.equal(await again.text(), "");
  assert.equal(again.headers.get("etag"), etag);
  assert.equal(again.headers.get("x-ratelimit-remaining"), remaining);
  // A list of tags, or the strong form of the weak tag, matches as well.
  const listed = await f.call("GET", path, token, undefined, {
    "if-none-match": `"other", ${etag.slice(2)}`,
  });
  assert.equal(listed.status, 304);

  const { token: userToken } = f.sim.world.createUser("alice");
  f.sim.world.addCollaborator("acme/widgets", "alice", "write");
  const body = (await first.json()) as { sha: string };
  const edit = await f.call("PUT", path, userToken, {
    message: "Allow three agents",
    content: Buffer.from("agents:\n  maxAgents: 3\n").toString("base64"),
    sha: body.sha,
  });
  assert.equal(edit.status, 200);
  const changed = await f.call("GET", path, token, undefined, { "if-none-match": etag });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get("etag"), etag);
  assert.equal(Number(changed.headers.get("x-ratelimit-remaining")), Number(remaining) - 1);
  const counts = f.sim.requests();
  assert.equal(counts.notModified, 2);
  f.sim.assertNoViolations();
});
