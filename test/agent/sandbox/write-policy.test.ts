import { test } from "node:test";
import assert from "node:assert/strict";
import { createWritePolicy } from "../../../src/agent/sandbox/write-policy.ts";

const policy = createWritePolicy({
  scope: ["src/**", "docs/*.md"],
  protectedPaths: [".github/workflows/**", "**/AGENTS.md"],
});
const rule = (relative: string) => {
  const verdict = policy.check(relative);
  return verdict.allowed ? "allowed" : verdict.rule;
};

test("paths in scope are allowed, dotfiles included", () => {
  assert.equal(rule("src/a/b.ts"), "allowed");
  assert.equal(rule("src/.env.example"), "allowed");
  assert.equal(rule("docs/guide.md"), "allowed");
});

test("paths out of scope are refused, the scope matching letter case exactly", () => {
  assert.equal(rule("docs/deep/guide.md"), "path.out-of-scope");
  assert.equal(rule("SRC/a.ts"), "path.out-of-scope");
  assert.equal(rule("package.json"), "path.out-of-scope");
});

test("protected paths win over the scope and match in any letter case", () => {
  assert.equal(rule("src/AGENTS.md"), "path.protected");
  assert.equal(rule("src/agents.md"), "path.protected");
  assert.equal(rule(".GitHub/Workflows/ci.yml"), "path.protected");
  const verdict = policy.check("src/AGENTS.md");
  assert.ok(!verdict.allowed && verdict.reason.includes("**/AGENTS.md"), "the reason names the glob");
});

test(".git is refused in any case and at any depth, whatever the globs say", () => {
  const open = createWritePolicy({ scope: ["**"], protectedPaths: [] });
  for (const relative of [".git/config", "src/.git/hooks/pre-commit", ".GIT/HEAD"]) {
    const verdict = open.check(relative);
    assert.equal(verdict.allowed ? "allowed" : verdict.rule, "path.git-internal", relative);
  }
});

test("a negated scope glob is a literal name, never everything-except", () => {
  const negated = createWritePolicy({ scope: ["!secret.txt"], protectedPaths: [] });
  assert.equal(negated.check("src/a.ts").allowed, false);
});

test("an empty scope allows nothing", () => {
  assert.equal(createWritePolicy({ scope: [], protectedPaths: [] }).check("a.ts").allowed, false);
});
