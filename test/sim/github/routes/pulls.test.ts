import { test } from "node:test";
import assert from "node:assert/strict";
import type { Octokit } from "@octokit/rest";
import { startFixture } from "../sim-fixture.ts";
import type { SimEventEnvelope } from "../../../../src/sim/github/sim-events.ts";

const o = { owner: "acme", repo: "widgets" };

async function commitFile(octokit: Octokit, branch: string, path: string, text: string) {
  const existing = await octokit.rest.repos.getContent({ ...o, path, ref: branch }).catch(() => undefined);
  const sha = existing && !Array.isArray(existing.data) ? existing.data.sha : undefined;
  const res = await octokit.rest.repos.createOrUpdateFileContents({
    ...o,
    path,
    branch,
    message: `Change ${path}`,
    content: Buffer.from(text).toString("base64"),
    ...(sha ? { sha } : {}),
  });
  return res.data.commit.sha as string;
}

test("a pull request from a swarm branch: opened, files, commits, synchronize on push, close", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const issue = f.sim.world.createIssue("acme/widgets", { title: "Task", author: "alice" });
  const events: SimEventEnvelope[] = [];
  f.sim.world.events.on("event", (e) => events.push(e));
  const main = await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" });
  const branch = `swarm/${issue.number}-ada`;
  await f.octokit.rest.git.createRef({ ...o, ref: `refs/heads/${branch}`, sha: main.data.object.sha });
  await assert.rejects(f.octokit.rest.pulls.create({ ...o, title: "Empty", head: branch, base: "main" }), {
    status: 422,
  });
  const first = await commitFile(f.octokit, branch, "src/widget.ts", "export const widget = 1;\n");
  const pr = await f.octokit.rest.pulls.create({
    ...o,
    title: "Add widget",
    head: branch,
    base: "main",
    body: "Closes #1",
  });
  assert.equal(pr.data.head.sha, first);
  assert.equal(pr.data.mergeable, true);
  assert.equal(pr.data.changed_files, 1);
  await assert.rejects(f.octokit.rest.pulls.create({ ...o, title: "Again", head: branch, base: "main" }), {
    status: 422,
  });

  const files = await f.octokit.rest.pulls.listFiles({ ...o, pull_number: pr.data.number });
  assert.deepEqual(
    files.data.map((x) => [x.filename, x.status, x.additions]),
    [["src/widget.ts", "added", 1]],
  );
  const second = await commitFile(f.octokit, branch, "src/widget.ts", "export const widget = 2;\n");
  const commits = await f.octokit.rest.pulls.listCommits({ ...o, pull_number: pr.data.number });
  assert.deepEqual(
    commits.data.map((c) => c.sha),
    [first, second],
  );
  const sync = events.find((e) => e.payload.name === "pull_request" && e.payload.action === "synchronize");
  assert.ok(sync && sync.payload.name === "pull_request");
  assert.equal(sync.payload.after, second);

  const listed = await f.octokit.rest.pulls.list({ ...o, head: `acme:${branch}` });
  assert.deepEqual(
    listed.data.map((p) => p.number),
    [pr.data.number],
  );
  const closed = await f.octokit.rest.pulls.update({ ...o, pull_number: pr.data.number, state: "closed" });
  assert.equal(closed.data.state, "closed");
  assert.equal(closed.data.mergeable, null);
  assert.ok(events.some((e) => e.payload.name === "pull_request" && e.payload.action === "closed"));
  assert.ok((f.sim.requests().byTask[String(issue.number)] ?? 0) >= 8);
  f.sim.assertNoViolations();
});

test("update-branch merges the base into the head with a real merge commit", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const main = await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" });
  await f.octokit.rest.git.createRef({ ...o, ref: "refs/heads/swarm/3-bo", sha: main.data.object.sha });
  const head = await commitFile(f.octokit, "swarm/3-bo", "a.txt", "a\n");
  const pr = await f.octokit.rest.pulls.create({ ...o, title: "A", head: "swarm/3-bo", base: "main" });
  await assert.rejects(f.octokit.rest.pulls.updateBranch({ ...o, pull_number: pr.data.number }), {
    status: 422,
  });
  const baseTip = await commitFile(f.octokit, "main", "b.txt", "b\n");
  const updated = await f.octokit.rest.pulls.updateBranch({
    ...o,
    pull_number: pr.data.number,
    expected_head_sha: head,
  });
  assert.equal(updated.status, 202);
  const after = await f.octokit.rest.pulls.get({ ...o, pull_number: pr.data.number });
  const merge = await f.octokit.rest.git.getCommit({ ...o, commit_sha: after.data.head.sha });
  assert.deepEqual(
    merge.data.parents.map((p) => p.sha),
    [head, baseTip],
  );
  f.sim.assertNoViolations();
});
