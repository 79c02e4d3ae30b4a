import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { configSchema } from "../../src/core/config/schema.ts";
import {
  SPEC_CHECKS,
  dependencyReferences,
  lintSpec,
  type SpecCheck,
  type SpecLintInput,
} from "../../src/core/spec-lint.ts";

const ownership = configSchema.parse({
  ownership: { "src/auth/**": "auth", "src/billing/**": "billing", "test/auth/**": "auth" },
}).ownership;

const GOOD = `Users get logged out after 5 minutes.

## Acceptance criteria
- [ ] sessions last 24 hours
- [ ] a test covers expiry

## Files
- \`src/auth/session.ts\`
- \`test/auth/\`
`;

function input(body: string, overrides: Partial<SpecLintInput> = {}): SpecLintInput {
  return {
    issue: { number: 10, title: "Fix session expiry", body, labels: [] },
    ownership,
    dependencyStates: new Map(),
    running: [],
    ...overrides,
  };
}

function check(result: ReturnType<typeof lintSpec>, name: SpecCheck) {
  const found = result.checks.find((c) => c.check === name);
  assert.ok(found, name);
  return found;
}

test("a complete spec passes with its declared scope and areas", () => {
  const r = lintSpec(input(GOOD));
  assert.equal(r.ok, true, JSON.stringify(r.checks));
  assert.deepEqual(r.ok && r.scope, ["src/auth/session.ts", "test/auth/**"]);
  assert.deepEqual(r.ok && r.areas, ["auth"]);
  assert.deepEqual(
    r.checks.map((c) => c.check),
    [...SPEC_CHECKS],
  );
});

test("acceptance criteria may be a Done-when section, a bold heading or a bare task list", () => {
  for (const criteria of [
    "### Done when\nthe page loads in under 1 s",
    "**Acceptance criteria:**\n1. it works",
    "Definition of done:\n- tests pass",
    "- [x] first\n- [ ] second",
  ]) {
    const r = lintSpec(input(`${criteria}\n\n## Scope\n- \`src/auth/**\``));
    assert.equal(check(r, "acceptance-criteria").passed, true, criteria);
  }
});

test("missing acceptance criteria fail with what to add", () => {
  for (const body of [
    "just do it\n## Files\n- `src/a.ts`",
    "## Acceptance criteria\n\n## Files\n- `src/a.ts`",
  ]) {
    const r = lintSpec(input(body));
    assert.equal(r.ok, false);
    assert.match(check(r, "acceptance-criteria").message, /Acceptance criteria.*Done when.*- \[ \]/);
  }
});

test("criteria inside a code block do not count", () => {
  const r = lintSpec(input("```\n## Acceptance criteria\n- [ ] x\n```\n## Files\n- `src/a.ts`"));
  assert.equal(check(r, "acceptance-criteria").passed, false);
});

test("scope entries without backticks are read when they look like paths", () => {
  const r = lintSpec(input("- [ ] done\n\n## Files\n- src/billing/invoice.ts (the totals)\n- docs/"));
  assert.deepEqual(r.ok && r.scope, ["src/billing/invoice.ts", "docs/**"]);
  assert.deepEqual(r.ok && r.areas, ["billing"]);
});

test("scope entries that are not repository paths fail and are named", () => {
  for (const entry of ["the login page", "`../secrets`", "`/etc/passwd`", "`src//a.ts`"]) {
    const r = lintSpec(input(`- [ ] done\n\n## Files\n- ${entry}`));
    const item = check(r, "file-scope");
    assert.equal(item.passed, false, entry);
    assert.match(item.message, /not paths or globs relative to the repository root/);
  }
});

test("a scope section without entries fails", () => {
  const r = lintSpec(input("- [ ] done\n\n## Files\nsome prose only"));
  assert.match(check(r, "file-scope").message, /lists no path or glob/);
});

test("without a scope section the scope is inferred from an area label", () => {
  for (const label of ["auth", "area:auth", "Area/Auth"]) {
    const r = lintSpec(
      input("- [ ] done", { issue: { number: 10, title: "t", body: "- [ ] done", labels: [label] } }),
    );
    assert.equal(r.ok, true, label);
    assert.deepEqual(r.ok && r.scope, ["src/auth/**", "test/auth/**"]);
    assert.match(check(r, "file-scope").message, /labels/);
  }
});

test("without a scope section the scope is inferred from the paths the issue mentions", () => {
  const r = lintSpec(input("The bug is in `src/billing/tax.ts`.\n- [ ] done"));
  assert.deepEqual(r.ok && r.scope, ["src/billing/**"]);
  assert.deepEqual(r.ok && r.areas, ["billing"]);
});

test("a scope that is neither declared nor inferable fails and lists the known areas", () => {
  const r = lintSpec(input("Improve `lib/x.ts`.\n- [ ] done"));
  const item = check(r, "file-scope");
  assert.equal(item.passed, false);
  assert.match(item.message, /## Files.*`auth`, `billing`/);
});

test("dependencies are found in prose, not in code", () => {
  assert.deepEqual(
    dependencyReferences("Depends on #3, #4 and #5.\nblocked by: #9\n```\ndepends on #7\n```"),
    [3, 4, 5, 9],
  );
  assert.deepEqual(dependencyReferences("see #3; fixes #4"), []);
});

test("closed dependencies pass; open or unknown ones fail", () => {
  const body = `${GOOD}\nDepends on #3 and blocked by #4`;
  const closed = new Map([
    [3, "closed"],
    [4, "closed"],
  ] as const);
  assert.equal(check(lintSpec(input(body, { dependencyStates: closed })), "dependencies").passed, true);
  const r = lintSpec(input(body, { dependencyStates: new Map([[3, "open"]]) }));
  assert.equal(r.ok, false);
  assert.match(check(r, "dependencies").message, /#3 still open; #4 not found/);
});

test("a body naming itself as a dependency is not blocked by itself", () => {
  assert.equal(check(lintSpec(input(`${GOOD}\ndepends on #10`)), "dependencies").passed, true);
});

test("a running task with the same title, in another guise, is a duplicate", () => {
  const running = [{ issue: 4, title: "  fix: Session-expiry!! ", scope: ["lib/**"] }];
  const r = lintSpec(input(GOOD, { running }));
  assert.equal(r.ok, false);
  assert.match(check(r, "not-duplicate").message, /#4 .*same title/);
});

test("the same scope with a near title is a duplicate; the same scope with another title is not", () => {
  const scope = ["src/auth/session.ts", "test/auth/**"];
  const near = lintSpec(input(GOOD, { running: [{ issue: 4, title: "Fix session expiry bug", scope }] }));
  assert.match(check(near, "not-duplicate").message, /same scope, similar title/);
  const other = lintSpec(input(GOOD, { running: [{ issue: 4, title: "Add remember-me checkbox", scope }] }));
  assert.equal(check(other, "not-duplicate").passed, true);
  const self = lintSpec(input(GOOD, { running: [{ issue: 10, title: "Fix session expiry", scope }] }));
  assert.equal(check(self, "not-duplicate").passed, true, "the task itself is not its own duplicate");
});

test("the comment is a checklist with a ticked box per passed item", () => {
  const r = lintSpec(input("nothing here", { dependencyStates: new Map() }));
  const boxes = r.comment.split("\n").filter((l) => l.startsWith("- ["));
  assert.equal(boxes.length, SPEC_CHECKS.length);
  for (const c of r.checks)
    assert.ok(boxes.some((b) => b.startsWith(c.passed ? "- [x]" : "- [ ]") && b.includes(c.message)));
  assert.deepEqual(r.ok ? [] : r.failures.map((f) => f.check), ["acceptance-criteria", "file-scope"]);
  assert.match(r.comment, /needs work/);
  assert.match(lintSpec(input(GOOD)).comment, /ready/);
});

test("user text in the comment mentions no one", () => {
  const r = lintSpec(input("- [ ] done\n## Files @org/everyone\n- @org/everyone"));
  assert.doesNotMatch(r.comment.replace(/`[^`]*`/g, ""), /@org/);
});

test("fuzz: hostile bodies never throw and long lines stay quick to read", () => {
  const body = fc.oneof(
    fc.string({ unit: "binary", maxLength: 400 }),
    fc
      .array(
        fc.constantFrom(
          "## ",
          "**",
          "__",
          "#",
          " ",
          "\t",
          "\n",
          "- [ ] ",
          "`",
          "```",
          "depends on ",
          "#12",
          ":",
          "src/",
          "*",
        ),
        {
          maxLength: 120,
        },
      )
      .map((p) => p.join("")),
  );
  fc.assert(
    fc.property(body, fc.array(fc.string(), { maxLength: 3 }), (text, labels) => {
      const r = lintSpec(input(text, { issue: { number: 1, title: text.slice(0, 20), body: text, labels } }));
      assert.equal(r.checks.length, SPEC_CHECKS.length);
    }),
    { seed: 20261122, numRuns: 300 },
  );
  // Shapes that make naive heading or dependency patterns backtrack for minutes.
  for (const line of [
    `# ${" ".repeat(60_000)}x`,
    `**${" ".repeat(60_000)}`,
    `depends on${" ".repeat(60_000)}`,
  ])
    lintSpec(input(line));
});
