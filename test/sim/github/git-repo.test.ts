import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GitRepo } from "../../../src/sim/github/git-repo.ts";

describe("resolving revisions in the offline GitHub's repositories", () => {
  let dir: string;
  let repo: GitRepo;
  const commit = async (text: string, parents: string[] = [], into = repo) => {
    const blob = await into.writeBlob(Buffer.from(text));
    const tree = await into.writeTree(undefined, [
      { path: "a.txt", mode: "100644", type: "blob", sha: blob },
    ]);
    const who = { name: "Ada", email: "ada@example.com", date: new Date("2026-01-01T00:00:00Z") };
    return into.writeCommit({ tree, parents, message: text, author: who, committer: who });
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "git-repo-test-"));
    repo = await GitRepo.init(join(dir, "repo.git"), "main");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("follows a branch as updateRef moves it and deleteRef removes it", async () => {
    const first = await commit("one");
    const second = await commit("two", [first]);
    assert.equal(await repo.resolve("refs/heads/topic"), undefined);
    assert.equal(await repo.createRef("refs/heads/topic", first), true);
    assert.equal(await repo.resolve("refs/heads/topic"), first);
    assert.equal(await repo.resolve("topic^{commit}"), first);
    assert.equal(await repo.updateRef("refs/heads/topic", second, first), true);
    assert.equal(await repo.resolve("refs/heads/topic"), second);
    assert.equal(await repo.resolve("topic^{commit}"), second);
    // A compare-and-swap that loses leaves the branch, and what is read of it, where it was.
    assert.equal(await repo.updateRef("refs/heads/topic", first, first), false);
    assert.equal(await repo.resolve("refs/heads/topic"), second);
    assert.equal(await repo.deleteRef("refs/heads/topic"), true);
    assert.equal(await repo.resolve("refs/heads/topic"), undefined);
  });

  it("finds a commit written after a lookup missed it", async () => {
    // The same commit written first elsewhere tells its sha before this repository has it.
    const other = await GitRepo.init(join(dir, "other.git"), "main");
    const made = await commit("three", [], other);
    assert.equal(await repo.resolve(`${made}^{commit}`), undefined);
    assert.equal(await repo.objectType(made), undefined);
    assert.equal(await repo.readCommit(made), undefined);
    assert.equal(await commit("three"), made);
    assert.equal(await repo.objectType(made), "commit");
    assert.equal((await repo.readCommit(made))?.message, "three");
    assert.equal(await repo.resolve(`${made}^{commit}`), made);
    assert.equal(await repo.resolve(made.slice(0, 12)), made);
  });

  it("answers a diff of two commits the same each time, each caller with a copy of its own", async () => {
    const first = await commit("six");
    const second = await commit("seven", [first]);
    const diff = await repo.diff(first, second);
    assert.deepEqual(
      diff.map((f) => [f.filename, f.status, f.additions, f.deletions]),
      [["a.txt", "modified", 1, 1]],
    );
    diff.length = 0;
    assert.equal((await repo.diff(first, second)).length, 1, "a caller's change is its own");
    const commits = await repo.commitsBetween(first, second);
    commits.pop();
    assert.deepEqual(await repo.commitsBetween(first, second), [second]);
    assert.equal(await repo.mergeBase(first, second), first);
  });

  it("lists a tree named by full sha the same each time, and a branch's tree as the branch moves", async () => {
    const first = await commit("eight");
    const second = await commit("nine", [first]);
    await repo.updateRef("refs/heads/listed", first);
    const blobOf = async (treeish: string) => (await repo.listTree(treeish, false))[0]?.sha;
    const firstBlob = await blobOf(first);
    const copy = await repo.listTree(`${first}:`, false);
    copy.length = 0;
    assert.equal((await repo.listTree(`${first}:`, false)).length, 1, "a caller's change is its own");
    assert.equal(await blobOf("listed"), firstBlob);
    await repo.updateRef("refs/heads/listed", second);
    assert.notEqual(await blobOf("listed"), firstBlob);
    assert.equal(await blobOf(first), firstBlob);
  });

  it("sees a branch moved while an earlier lookup of it was under way", async () => {
    const first = await commit("four");
    const second = await commit("five", [first]);
    await repo.createRef("refs/heads/race", first);
    const during = repo.resolve("refs/heads/race");
    await repo.updateRef("refs/heads/race", second);
    await during;
    assert.equal(await repo.resolve("refs/heads/race"), second);
  });
});
