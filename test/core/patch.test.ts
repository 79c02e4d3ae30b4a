import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstChangedLine } from "../../src/core/patch.ts";

// GitHub's `patch` is git's unified diff without the file headers: make real ones with git.
function gitPatch(before: string, after: string): string {
  const dir = mkdtempSync(join(tmpdir(), "patch-"));
  try {
    writeFileSync(join(dir, "a"), before);
    writeFileSync(join(dir, "b"), after);
    let out = "";
    try {
      execFileSync("git", ["diff", "--no-index", "--no-color", "a", "b"], { cwd: dir, encoding: "utf8" });
    } catch (error) {
      out = (error as { stdout: string }).stdout; // git diff exits 1 when the files differ
    }
    return out.slice(out.indexOf("@@"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The oracle: the first line where the two versions differ, counted in the new version.
function firstDifference(before: string, after: string): number {
  const a = before.split("\n");
  const b = after.split("\n");
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i + 1;
}

const base = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
const text = (lines: string[]) => `${lines.join("\n")}\n`;

test("the first changed line of a real git patch matches where the versions first differ", () => {
  const cases: string[][] = [
    base.map((l, i) => (i === 24 ? "changed" : l)),
    [...base.slice(0, 10), "inserted", ...base.slice(10)],
    [...base.slice(0, 30), ...base.slice(33)],
    ["new first line", ...base],
    base.map((l, i) => (i === 3 || i === 35 ? `${l}!` : l)),
  ];
  for (const after of cases) {
    const patch = gitPatch(text(base), text(after));
    assert.equal(firstChangedLine(patch), firstDifference(text(base), text(after)), patch.slice(0, 80));
  }
});

test("a removal at the end points at the last line left, never below line 1", () => {
  const patch = gitPatch(text(base), text(base.slice(0, 38)));
  assert.equal(firstChangedLine(patch), 38);
  assert.equal(firstChangedLine(gitPatch("only\n", "")), 1);
});

test("no patch or a patch without changes gives no line", () => {
  assert.equal(firstChangedLine(undefined), undefined);
  assert.equal(firstChangedLine(""), undefined);
  assert.equal(firstChangedLine("@@ -1,2 +1,2 @@\n a\n b"), undefined);
});
