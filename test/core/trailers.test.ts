import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import {
  CommitMessageError,
  coAuthor,
  formatCommitMessage,
  parseSwarmTrailers,
  parseTrailers,
} from "../../src/core/trailers.ts";
import type { SwarmTrailersInput, Trailer } from "../../src/core/trailers.ts";

// Real git is the reference: it runs outside any repository, with no system or global config, so
// no configured trailer keys or separators change what it reads.
let cwd = "";
before(() => {
  cwd = mkdtempSync(join(tmpdir(), "trailers-"));
});
after(() => rmSync(cwd, { recursive: true, force: true }));

function git(args: string[], input: string): string {
  return execFileSync("git", args, {
    cwd,
    input,
    encoding: "utf8",
    timeout: 10_000,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_CEILING_DIRECTORIES: cwd,
      LC_ALL: "C",
    },
  });
}

/** What `git interpret-trailers --parse` prints, read back as key and value pairs. */
function gitParse(message: string): Trailer[] {
  return git(["interpret-trailers", "--parse"], message)
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const at = line.indexOf(":");
      return { key: line.slice(0, at), value: line.slice(at + 2) };
    });
}

const swarm: SwarmTrailersInput = {
  "Swarm-Agent": "builder-03",
  "Swarm-Task": "task-42",
  "Swarm-Model": "claude-sonnet-5-5",
  "Swarm-Session": "3f6c2a7e-1b2d-4c55-9a0e-7d1f0c9b8e21",
  "Swarm-Attempt": 2,
};

const examples: Record<string, string> = {
  "title only": "Fix the parser\n",
  "title and body, no trailers": "Fix the parser\n\nThe parser dropped the last line.\n",
  "plain trailers": "Fix the parser\n\nBody.\n\nSwarm-Agent: builder-01\nSwarm-Attempt: 1\n",
  "with Co-authored-by and Signed-off-by":
    "Add config check\n\nReports every problem.\n\nSwarm-Agent: builder-01\nSwarm-Task: 7\nCo-authored-by: Ann <1+ann@users.noreply.github.com>\nSigned-off-by: Bob <bob@example.com>\n",
  "folded continuation": "Title\n\nKey: first part\n  second part\n\tthird part\nOther: x\n",
  "prose with one Signed-off-by (the 25% rule)":
    "Title\n\nThis line is prose\nand so is this\nSigned-off-by: Bob <bob@example.com>\n",
  "prose without a git trailer is not a block": "Title\n\nThis line is prose\nNote: looks like one\n",
  "last paragraph only": "Title\n\nEarlier: trailer\n\nBody paragraph.\n\nLater: trailer\n",
  "patch after a divider": "Title\n\nKey: value\n---\nOther: not read\n",
  "divider with text": "Title\n\nKey: value\n--- a/file.ts\n+++ b/file.ts\n",
  "trailing comments": "Title\n\nKey: value\n# Please enter the commit message\n#\n",
  scissors: "Title\n\nKey: value\n# ------------------------ >8 ------------------------\ndiff --git a b\n",
  "spaces before the separator": "Title\n\nKey : spaced\nTab\t: tabbed\n",
  "token with a space is not a trailer": "Title\n\nTwo words: no\n",
  "empty value": "Title\n\nKey:\nOther: x\n",
  "no newline at the end": "Title\n\nKey: value",
  "CRLF line endings": "Title\r\n\r\nKey: value\r\nOther: x\r\n",
  "cherry-pick line": "Title\n\nSome prose\n(cherry picked from commit 0123456789abcdef)\n",
  "old Conflicts block": "Title\n\nKey: value\n\nConflicts:\n\tsrc/a.ts\n",
  "whitespace-only lines at the end": "Title\n\nKey: value\n   \n\n",
  "value with colons": "Title\n\nSee: https://example.com:8080/a\n",
};

for (const [name, message] of Object.entries(examples))
  test(`parseTrailers agrees with git interpret-trailers --parse: ${name}`, () => {
    assert.deepEqual(parseTrailers(message), gitParse(message));
  });

test("parseTrailers agrees with git on generated messages (seeded)", () => {
  const lines = fc.constantFrom(
    "Fix the thing",
    "Add: colon in a title",
    "Some prose here.",
    "Note: this looks like a trailer",
    "key with space: no",
    "Key : spaced separator",
    "Key\t: tabbed",
    "  indented continuation",
    "\tTabbed continuation",
    "",
    "   ",
    "# comment",
    "Signed-off-by: A U Thor <a@example.com>",
    "(cherry picked from commit 1234abcd)",
    "Co-authored-by: Ann <1+ann@users.noreply.github.com>",
    "Swarm-Agent: builder-01",
    "Swarm-Attempt: 2",
    "---",
    "--- a/file",
    "Conflicts:",
    "\tsrc/a.ts",
    "http://example.com: url",
    "Ünïcode: value",
    "Key:",
    "Key:value",
    ": no token",
    "-Dash: x",
    "Value: trailing spaces   ",
  );
  // No scissors line here: git 2.39 loops forever on a scissors line after a `---` divider; the
  // scissors example above covers it.
  fc.assert(
    fc.property(fc.array(lines, { minLength: 1, maxLength: 12 }), fc.boolean(), (parts, newline) => {
      const message = parts.join("\n") + (newline ? "\n" : "");
      assert.deepEqual(parseTrailers(message), gitParse(message), JSON.stringify(message));
    }),
    { seed: 20261122, numRuns: 300 },
  );
});

test("formatCommitMessage adds the trailers exactly as git interpret-trailers --trailer does", () => {
  for (const body of [
    "Add config check\n",
    "Add config check\n\nReports every problem with its line.\n",
    "Add config check\n\nBody.\n\nSigned-off-by: Bob <bob@example.com>\n",
    "Add config check\n\nBody.\n\nCo-authored-by: Ann <1+ann@users.noreply.github.com>\n",
  ]) {
    const ours = formatCommitMessage(body, swarm, { login: "octocat", id: 583231 });
    const args = ["interpret-trailers"];
    for (const [key, value] of Object.entries(swarm)) args.push("--trailer", `${key}: ${value}`);
    args.push("--trailer", "Co-authored-by: octocat <583231+octocat@users.noreply.github.com>");
    assert.equal(ours, git(args, body));
  }
});

test("a formatted message keeps an existing Signed-off-by in the trailer block git reads", () => {
  const message = formatCommitMessage("Title\n\nBody.\n\nSigned-off-by: Bob <bob@example.com>\n", swarm);
  const keys = gitParse(message).map((t) => t.key);
  assert.deepEqual(keys, [
    "Signed-off-by",
    "Swarm-Agent",
    "Swarm-Task",
    "Swarm-Model",
    "Swarm-Session",
    "Swarm-Attempt",
  ]);
});

test("a formatted message parses back to the same Swarm trailers", () => {
  const result = parseSwarmTrailers(formatCommitMessage("Title\n\nBody.", swarm));
  assert.ok(result.ok);
  assert.deepEqual(result.trailers, swarm);
});

test("the co-author is the labeller's noreply address", () => {
  assert.equal(
    coAuthor({ login: "octocat", id: 583231 }),
    "octocat <583231+octocat@users.noreply.github.com>",
  );
});

test("a message with a patch divider is refused rather than losing its trailers", () => {
  assert.throws(() => formatCommitMessage("Title\n\n---\nmore", swarm), CommitMessageError);
  assert.throws(() => formatCommitMessage("Title\n\n----------", swarm), /starting with "---"/);
});

test("a message that already carries a Swarm trailer is refused", () => {
  assert.throws(
    () => formatCommitMessage("Title\n\nswarm-agent: builder-99\n", swarm),
    /already has a Swarm-Agent trailer/,
  );
});

test("an empty message or an invalid trailer value is refused", () => {
  assert.throws(() => formatCommitMessage("  \n", swarm), /empty/);
  assert.throws(
    () => formatCommitMessage("Title", { ...swarm, "Swarm-Agent": "builder 01\nSwarm-Agent: x-01" }),
    CommitMessageError,
  );
  assert.throws(() => formatCommitMessage("Title", { ...swarm, "Swarm-Attempt": 0 }), CommitMessageError);
});

test("parseSwarmTrailers names each missing trailer", () => {
  const result = parseSwarmTrailers("Title\n\nSwarm-Agent: builder-01\nSwarm-Attempt: 1\n");
  assert.equal(result.ok, false);
  assert.deepEqual(result.ok ? [] : result.problems, [
    "Swarm-Task is missing from the trailer block",
    "Swarm-Model is missing from the trailer block",
    "Swarm-Session is missing from the trailer block",
  ]);
});

test("parseSwarmTrailers rejects a duplicated trailer and a bad attempt number", () => {
  const message = formatCommitMessage("Title", swarm)
    .replace("Swarm-Attempt: 2", "Swarm-Attempt: two")
    .concat("Swarm-Model: claude-opus-5-5\n");
  const result = parseSwarmTrailers(message);
  assert.equal(result.ok, false);
  const problems = result.ok ? [] : result.problems;
  assert.ok(problems.includes("Swarm-Model appears 2 times; a commit carries one"), problems.join("\n"));
  assert.ok(
    problems.some((p) => p.startsWith("Swarm-Attempt: expected a whole number") && p.endsWith('found "two"')),
    problems.join("\n"),
  );
});

test("parseSwarmTrailers ignores Swarm lines outside the trailer block", () => {
  const message = `Title\n\n${formatCommitMessage("x", swarm).split("\n").slice(2).join("\n")}\nA closing paragraph.\n`;
  const result = parseSwarmTrailers(message);
  assert.equal(result.ok, false);
});

test("parseSwarmTrailers matches keys without regard to case, as git does", () => {
  const message = formatCommitMessage("Title", swarm).replace("Swarm-Agent:", "swarm-agent:");
  const result = parseSwarmTrailers(message);
  assert.ok(result.ok);
  assert.equal(result.trailers["Swarm-Agent"], "builder-03");
});
