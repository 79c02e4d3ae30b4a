import { test } from "node:test";
import assert from "node:assert/strict";
import { findingSchema, MAX_FINDING_TEXT } from "../../src/core/finding.ts";

test("a finding with a place, expected, found and hint is accepted", () => {
  const finding = {
    gate: "protected-paths",
    file: ".github/workflows/ci.yml",
    line: 12,
    expected: "no change to protected paths",
    found: "a change to .github/workflows/ci.yml",
    hint: "ask a person to make this change",
  };
  assert.deepEqual(findingSchema.parse(finding), finding);
});

test("a finding without a file or line is accepted (a budget has no place)", () => {
  assert.ok(findingSchema.safeParse({ gate: "budget", expected: "≤ $10.00", found: "$12.40" }).success);
});

test("code snippets keep their tabs and newlines, other control characters are refused", () => {
  assert.ok(findingSchema.safeParse({ gate: "check:lint", expected: "a\n\tb", found: "c" }).success);
  assert.equal(
    findingSchema.safeParse({ gate: "check:lint", expected: "a\u0007", found: "c" }).success,
    false,
  );
});

test("text over the limit, a bad gate name, an absolute path or line 0 are refused", () => {
  const base = { gate: "scope", expected: "x", found: "y" };
  assert.equal(findingSchema.safeParse({ ...base, found: "y".repeat(MAX_FINDING_TEXT + 1) }).success, false);
  assert.equal(findingSchema.safeParse({ ...base, gate: "Scope Gate" }).success, false);
  assert.equal(findingSchema.safeParse({ ...base, file: "/etc/passwd" }).success, false);
  assert.equal(findingSchema.safeParse({ ...base, file: "a.ts", line: 0 }).success, false);
});
