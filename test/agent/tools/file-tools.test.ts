import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { executeTool } from "../../../src/agent/tools/agent-tools.ts";
import { countOccurrences } from "../../../src/agent/tools/edit-file.ts";
import { createFixture, type Fixture } from "../fixture-workspace.ts";

let fixture: Fixture;
const run = (tool: string, input: unknown) => executeTool(tool, input, fixture.sandbox);
const onDisk = (relative: string) => readFile(path.join(fixture.workspace, relative), "utf8");

before(async () => {
  fixture = await createFixture({
    limits: { maxSearchMatches: 5, maxListEntries: 8, maxResultChars: 4_000 },
  });
  const lines = Array.from({ length: 2_500 }, (_, i) => `line ${i + 1}`).join("\n");
  await writeFile(path.join(fixture.workspace, "src/long.txt"), `${lines}\n`);
  await writeFile(path.join(fixture.workspace, "src/blob.bin"), Buffer.from([1, 0, 2, 0]));
});

after(() => fixture.cleanup());

describe("read_file", () => {
  test("numbers lines and reads a requested range", async () => {
    const whole = await run("read_file", { path: "src/app.ts" });
    assert.equal(whole.content, '1\texport const greeting = "hello";\n2\texport const n = 1;');
    const range = await run("read_file", { path: "src/long.txt", start_line: 10, end_line: 12 });
    assert.equal(range.content, "10\tline 10\n11\tline 11\n12\tline 12\n[file has 2500 lines]");
  });

  test("stops at the result budget and says where to read on", async () => {
    const result = await run("read_file", { path: "src/long.txt", start_line: 2 });
    assert.equal(result.status, "ok");
    const match = /\[… (\d+) more lines; read on with start_line=(\d+)\]$/.exec(result.content);
    assert.ok(match, result.content.slice(-200));
    const shown = result.content.split("\n").length - 1;
    assert.equal(Number(match[2]), 2 + shown);
    assert.equal(Number(match[1]), 2_500 - (1 + shown));
    assert.ok(result.content.length <= 4_000);
  });

  test("shows at most 2,000 lines even with room for more", async () => {
    const roomy = await createFixture({ limits: { maxResultChars: 1_000_000 } });
    try {
      await writeFile(path.join(roomy.workspace, "src/long.txt"), `${"x\n".repeat(2_500)}`);
      const result = await executeTool("read_file", { path: "src/long.txt" }, roomy.sandbox);
      assert.match(result.content, /\n\[… 500 more lines; read on with start_line=2001\]$/);
    } finally {
      await roomy.cleanup();
    }
  });

  test("any tool result over the limit is cut with a note", async () => {
    const result = await run("run_command", { argv: ["cat", "src/long.txt"] });
    assert.match(result.content, /\[… truncated: \d+ more characters not shown\]$/);
    assert.ok(result.content.length < 4_100);
  });

  test("refuses a binary file, a directory, a missing file and a range past the end with reasons", async () => {
    assert.match((await run("read_file", { path: "src/blob.bin" })).content, /binary file \(4 bytes\)/);
    const dir = await run("read_file", { path: "src" });
    assert.equal(dir.status, "error");
    assert.match(dir.content, /is a directory; use list_files/);
    const missing = await run("read_file", { path: "src/nope.ts" });
    assert.equal(missing.status, "error");
    assert.match(missing.content, /no such file or directory/);
    assert.doesNotMatch(missing.content, new RegExp(fixture.base), "the runner's paths stay hidden");
    assert.match(
      (await run("read_file", { path: "src/app.ts", start_line: 9 })).content,
      /past the end .* \(2 lines\)/,
    );
  });
});

describe("write_file and edit_file", () => {
  test("write_file creates parent folders, then replaces", async () => {
    const created = await run("write_file", { path: "test/deep/new.test.ts", content: "one\n" });
    assert.equal(created.content, "created test/deep/new.test.ts (4 bytes)");
    const replaced = await run("write_file", { path: "test/deep/new.test.ts", content: "two\n" });
    assert.equal(replaced.content, "replaced test/deep/new.test.ts (4 bytes)");
    assert.equal(await onDisk("test/deep/new.test.ts"), "two\n");
  });

  test("edit_file replaces one exact match and keeps $ patterns literal", async () => {
    const result = await run("edit_file", {
      path: "src/app.ts",
      old_string: '"hello"',
      new_string: '"$& $1 hi"',
    });
    assert.equal(result.status, "ok");
    assert.equal(result.content, "edited src/app.ts at line 1");
    assert.equal(await onDisk("src/app.ts"), 'export const greeting = "$& $1 hi";\nexport const n = 1;\n');
  });

  test("edit_file refuses a missing match and an ambiguous one, saying how many", async () => {
    await writeFile(path.join(fixture.workspace, "src/dup.ts"), "x = 1;\nx = 1;\nx = 1;\n");
    const missing = await run("edit_file", { path: "src/dup.ts", old_string: "y = 2;", new_string: "z" });
    assert.equal(missing.status, "error");
    assert.match(missing.content, /old_string was not found in src\/dup\.ts/);
    const ambiguous = await run("edit_file", {
      path: "src/dup.ts",
      old_string: "x = 1;",
      new_string: "x = 2;",
    });
    assert.equal(ambiguous.status, "error");
    assert.match(ambiguous.content, /matches 3 times in src\/dup\.ts/);
    assert.equal(await onDisk("src/dup.ts"), "x = 1;\nx = 1;\nx = 1;\n", "nothing changed");
    const same = await run("edit_file", { path: "src/dup.ts", old_string: "x", new_string: "x" });
    assert.match(same.content, /the same/);
  });

  test("countOccurrences counts non-overlapping matches", () => {
    assert.equal(countOccurrences("aaaa", "aa"), 2);
    assert.equal(countOccurrences("abc", "d"), 0);
  });
});

describe("search_text and list_files", () => {
  test("search_text finds regex matches as path:line: text", async () => {
    const result = await run("search_text", { pattern: "^export const n", path: "src" });
    assert.equal(result.content, "src/app.ts:2: export const n = 1;");
  });

  test("search_text treats an invalid expression as plain text and says so", async () => {
    await writeFile(path.join(fixture.workspace, "src/call.ts"), "call(a, b\n");
    const result = await run("search_text", { pattern: "call(a", path: "src" });
    assert.equal(
      result.content,
      "(not a valid regular expression; searched as plain text)\nsrc/call.ts:1: call(a, b",
    );
  });

  test("search_text is bounded and refuses catastrophic patterns", async () => {
    const result = await run("search_text", { pattern: "^line \\d+$", path: "src/long.txt" });
    assert.equal(result.content.split("\n").length, 6);
    assert.match(result.content, /more matches not shown \(limit 5\)/);
    const nested = await run("search_text", { pattern: "(a+)+$" });
    assert.equal(nested.status, "error");
    assert.match(nested.content, /exponential time/);
  });

  test("list_files lists recursively, marks folders and links, skips .git, and is bounded", async () => {
    const src = await run("list_files", { path: "src" });
    assert.ok(src.content.split("\n").includes("src/link-out@"));
    const root = await run("list_files", {});
    const lines = root.content.split("\n");
    assert.equal(lines.length, 9);
    assert.ok(lines.includes(".git/"));
    assert.ok(!lines.some((line) => line.startsWith(".git/") && line !== ".git/"));
    assert.match(lines.at(-1) ?? "", /more entries not shown \(limit 8\)/);
  });
});

test("finish returns the summary, redacted", async () => {
  const token = `ghp_${"x1".repeat(18)}`;
  const result = await run("finish", { summary: `Added the flag; used ${token}` });
  assert.equal(result.status, "finished");
  assert.equal(result.status === "finished" ? result.summary : "", "Added the flag; used [REDACTED]");
});
