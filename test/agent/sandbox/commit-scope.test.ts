import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { lstatSync } from "node:fs";
import { mkdir, rename, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { partitionChangedPaths, parsePorcelainZ } from "../../../src/agent/sandbox/commit-scope.ts";
import { executeTool } from "../../../src/agent/tools/agent-tools.ts";
import { createFixture, type Fixture } from "../fixture-workspace.ts";

let fixture: Fixture;

before(async () => {
  fixture = await createFixture({ scope: ["src/**", "test/**"] });
});

after(() => fixture.cleanup());

function gitStatus(): string {
  return execFileSync("git", ["status", "--porcelain", "-z", "--untracked-files=all"], {
    cwd: fixture.workspace,
    encoding: "utf8",
  });
}

const isSymlink = (relative: string) => lstatSync(path.join(fixture.workspace, relative)).isSymbolicLink();

test("changes a command made outside the scope are refused, in-scope ones allowed", async () => {
  // The model's write through the tool is in scope…
  const write = await executeTool(
    "write_file",
    { path: "src/feature.ts", content: "export {};\n" },
    fixture.sandbox,
  );
  assert.equal(write.status, "ok");
  // …while a "test run" rewrote a doc, a protected workflow and renamed a file out of scope.
  await writeFile(path.join(fixture.workspace, "docs/guide.md"), "rewritten by a script\n");
  await writeFile(path.join(fixture.workspace, ".github/workflows/ci.yml"), "on: pull_request_target\n");
  await mkdir(path.join(fixture.workspace, "test"), { recursive: true });
  await writeFile(path.join(fixture.workspace, "test/new.test.ts"), "// new\n");
  await rename(
    path.join(fixture.workspace, "package.json"),
    path.join(fixture.workspace, "src/package.json"),
  );
  execFileSync("git", ["add", "-A", "package.json", "src/package.json"], { cwd: fixture.workspace });
  await symlink("/etc/hostname", path.join(fixture.workspace, "src/host"));

  const scope = partitionChangedPaths(gitStatus(), fixture.sandbox.writePolicy, isSymlink);
  const allowed = scope.allowed.map((change) => change.path).sort();
  const refused = Object.fromEntries(scope.refused.map((change) => [change.path, change.rule]));
  assert.deepEqual(allowed, ["src/feature.ts", "test/new.test.ts"]);
  assert.deepEqual(refused, {
    ".github/workflows/ci.yml": "path.protected",
    "docs/guide.md": "path.out-of-scope",
    "src/package.json": "path.out-of-scope",
    "src/host": "commit.symlink",
  });
  const renamed = scope.refused.find((change) => change.path === "src/package.json");
  assert.equal(renamed?.from, "package.json", "the rename's source, outside the scope, is what refused it");
  assert.match(renamed?.reason ?? "", /"package\.json" is outside this job's file scope/);
});

test("parsePorcelainZ reads renames as destination then source, and refuses collapsed folders", () => {
  assert.deepEqual(parsePorcelainZ(" M a b\0R  new\0old\0?? x\0"), [
    { status: " M", path: "a b" },
    { status: "R ", path: "new", from: "old" },
    { status: "??", path: "x" },
  ]);
  assert.throws(() => parsePorcelainZ("?? dir/\0"), /--untracked-files=all/);
  assert.throws(() => parsePorcelainZ("garbage\0"), /entry 1 "garbage" is not "XY path"/);
  assert.throws(() => parsePorcelainZ("R  new\0"), /rename of "new" has no source/);
  assert.deepEqual(parsePorcelainZ(""), []);
});
