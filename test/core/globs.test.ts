import { test } from "node:test";
import assert from "node:assert/strict";
import { firstMatchingGlob, globMatcher, isRepoPath } from "../../src/core/globs.ts";

test("globs are relative to the repository root and reach dot directories", () => {
  const match = globMatcher(["src/**", "*.md"]);
  assert.equal(match("src/a/b.ts"), true);
  assert.equal(match("src/.hidden/x"), true);
  assert.equal(match("README.md"), true);
  assert.equal(match("docs/README.md"), false, "*.md is the root only");
  assert.equal(match("lib/a.ts"), false);
  assert.equal(globMatcher([".github/**"])(".github/workflows/ci.yml"), true);
});

test("an empty glob list matches nothing", () => {
  assert.equal(globMatcher([])("anything"), false);
});

test("a glob starting with ! is a literal name, never everything-but", () => {
  const match = globMatcher(["!secret"]);
  assert.equal(match("src/a.ts"), false);
  assert.equal(match("!secret"), true);
});

test("paths that climb out or are not plain repository paths match no glob", () => {
  const match = globMatcher(["src/**", "**"]);
  for (const path of [
    "src/../.github/workflows/x.yml",
    "/src/a",
    "./src/a",
    "src//a",
    "src\\a",
    "src/a\u0000",
    "",
  ])
    assert.equal(match(path), false, path);
  assert.equal(isRepoPath("src/a.ts"), true);
});

test("the first matching glob is named", () => {
  assert.equal(firstMatchingGlob(["docs/**", "src/**", "src/a/**"], "src/a/x.ts"), "src/**");
  assert.equal(firstMatchingGlob(["docs/**"], "src/a/x.ts"), undefined);
});
