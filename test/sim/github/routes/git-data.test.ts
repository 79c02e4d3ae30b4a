import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startFixture } from "../sim-fixture.ts";
import type { SimEventEnvelope } from "../../../../src/sim/github/sim-events.ts";

const git = async (gitDir: string, ...args: string[]) =>
  (await promisify(execFile)("git", ["--git-dir", gitDir, ...args])).stdout;

test("blobs, a tree on a base tree, a commit and a new ref make a real commit git log shows", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const events: SimEventEnvelope[] = [];
  f.sim.world.events.on("event", (e) => events.push(e));
  const o = { owner: "acme", repo: "widgets" };
  const main = await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" });
  const base = await f.octokit.rest.git.getCommit({ ...o, commit_sha: main.data.object.sha });
  const blob = await f.octokit.rest.git.createBlob({
    ...o,
    content: Buffer.from("hello\n").toString("base64"),
    encoding: "base64",
  });
  const tree = await f.octokit.rest.git.createTree({
    ...o,
    base_tree: base.data.tree.sha,
    tree: [
      { path: "docs/hello.txt", mode: "100644", type: "blob", sha: blob.data.sha },
      { path: "src/extra.ts", mode: "100644", type: "blob", content: "export {};\n" },
      { path: "README.md", mode: "100644", type: "blob", sha: null },
    ],
  });
  const message = "Add hello\n\nSwarm-Task: 7";
  const commit = await f.octokit.rest.git.createCommit({
    ...o,
    message,
    tree: tree.data.sha,
    parents: [main.data.object.sha],
  });
  assert.equal(commit.data.verification.verified, true);
  await f.octokit.rest.git.createRef({ ...o, ref: "refs/heads/swarm/7-ada", sha: commit.data.sha });

  const gitDir = f.repo.git.gitDir;
  const log = await git(gitDir, "log", "--format=%H %P%n%B", "swarm/7-ada");
  assert.ok(log.startsWith(`${commit.data.sha} ${main.data.object.sha}\n${message}`));
  const files = (await git(gitDir, "ls-tree", "-r", "--name-only", "swarm/7-ada"))
    .split("\n")
    .filter(Boolean);
  assert.deepEqual(files, ["docs/hello.txt", "src/extra.ts", "src/index.ts"]);
  assert.equal(await git(gitDir, "show", "swarm/7-ada:docs/hello.txt"), "hello\n");
  const author = (await git(gitDir, "log", "-1", "--format=%an|%cn", "swarm/7-ada")).trim();
  assert.equal(author, "swarm-foreman[bot]|GitHub");
  assert.deepEqual(
    events.map((e) => e.name),
    ["create", "push"],
  );
  assert.equal(events[0]?.causedBy.kind, "installation");
  assert.equal(f.sim.requests().byTask["7"], 1);
  f.sim.assertNoViolations();
});

test("a ref update that is not a fast forward is refused unless forced", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const o = { owner: "acme", repo: "widgets" };
  const main = await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" });
  const head = await f.octokit.rest.git.getCommit({ ...o, commit_sha: main.data.object.sha });
  const sibling = await f.octokit.rest.git.createCommit({
    ...o,
    message: "orphan",
    tree: head.data.tree.sha,
    parents: [],
  });
  await assert.rejects(
    f.octokit.rest.git.updateRef({ ...o, ref: "heads/main", sha: sibling.data.sha }),
    (e: { status: number; message: string }) => e.status === 422 && /not a fast forward/.test(e.message),
  );
  const forced = await f.octokit.rest.git.updateRef({
    ...o,
    ref: "heads/main",
    sha: sibling.data.sha,
    force: true,
  });
  assert.equal(forced.data.object.sha, sibling.data.sha);
  assert.equal((await git(f.repo.git.gitDir, "rev-parse", "main")).trim(), sibling.data.sha);
  await assert.rejects(
    f.octokit.rest.git.createRef({ ...o, ref: "refs/heads/main", sha: sibling.data.sha }),
    { status: 422 },
  );
  f.sim.assertNoViolations();
});

test("refs with slashes are found whether Octokit encodes them or not", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const o = { owner: "acme", repo: "widgets" };
  const main = await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" });
  await f.octokit.rest.git.createRef({
    ...o,
    ref: "refs/heads/feature/deep/name",
    sha: main.data.object.sha,
  });
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  for (const path of ["heads/feature/deep/name", "heads%2Ffeature%2Fdeep%2Fname"]) {
    const res = await f.call("GET", `/repos/acme/widgets/git/ref/${path}`, token);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { ref: string }).ref, "refs/heads/feature/deep/name");
  }
  const matching = await f.octokit.rest.git.listMatchingRefs({ ...o, ref: "heads/feature" });
  assert.deepEqual(
    matching.data.map((r) => r.ref),
    ["refs/heads/feature/deep/name"],
  );
  f.sim.assertNoViolations();
});
