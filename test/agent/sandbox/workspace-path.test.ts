import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { SandboxRefusal } from "../../../src/agent/sandbox/refusal.ts";
import { resolveWorkspacePath } from "../../../src/agent/sandbox/workspace-path.ts";

let base: string;
let root: string;

before(async () => {
  base = await realpath(await mkdtemp(path.join(os.tmpdir(), "wspath-")));
  root = path.join(base, "ws");
  await mkdir(path.join(root, "src"), { recursive: true });
  await mkdir(path.join(base, "out"));
  await writeFile(path.join(root, "src", "a.ts"), "");
  await symlink(path.join(root, "src"), path.join(root, "alias"));
  await symlink(path.join(base, "out"), path.join(root, "escape"));
  await symlink("../../out/x", path.join(root, "src", "relative-escape"));
  await symlink("loop-b", path.join(root, "loop-a"));
  await symlink("loop-a", path.join(root, "loop-b"));
});

after(() => rm(base, { recursive: true, force: true }));

const ruleOf = (input: string) => {
  try {
    resolveWorkspacePath(root, input);
    return "allowed";
  } catch (error) {
    return error instanceof SandboxRefusal ? error.rule : `error: ${(error as Error).message}`;
  }
};

test("a missing file resolves through its nearest existing parent", () => {
  const resolved = resolveWorkspacePath(root, "src/new/deeper/file.ts");
  assert.equal(resolved.real, path.join(root, "src/new/deeper/file.ts"));
  assert.equal(resolved.relative, "src/new/deeper/file.ts");
});

test("a symlink inside the workspace resolves to its real target, reported as asked and as real", () => {
  const resolved = resolveWorkspacePath(root, "alias/a.ts");
  assert.equal(resolved.relative, "src/a.ts");
  assert.equal(resolved.requested, "alias/a.ts");
});

test("symlinks out, relative or absolute, existing or dangling, are refused", () => {
  assert.equal(ruleOf("escape"), "path.symlink-outside");
  assert.equal(ruleOf("escape/new.txt"), "path.symlink-outside");
  assert.equal(ruleOf("src/relative-escape"), "path.symlink-outside");
});

test("a symlink loop is an error, not a hang", () => {
  assert.match(ruleOf("loop-a"), /path\.symlink-outside|error/);
});

test("the root, ./ forms and backslash-separated .. are handled", () => {
  assert.equal(resolveWorkspacePath(root, "").relative, "");
  assert.equal(resolveWorkspacePath(root, "./src/./a.ts").relative, "src/a.ts");
  assert.equal(ruleOf("src\\..\\..\\out"), "path.parent-segment");
  assert.match(ruleOf("src/a\0.ts"), /NUL byte/);
});
