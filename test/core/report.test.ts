import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_REPORT_BLOCK_CHARS, readReport, renderReportBlock, type Report } from "../../src/core/report.ts";

const report: Report = {
  version: 1,
  outcome: "done",
  reason: "the agent finished its task",
  taskId: "acme/widgets#1",
  attempt: 1,
  agent: "builder-01",
  sessionId: "s-1",
  model: "claude-sonnet-5-5",
  turns: 4,
  usage: { input: 10, output: 20, cacheWrite: 30, cacheRead: 40 },
  costUsd: 0.01,
  tools: { read_file: 2 },
  handoffs: 0,
  refusals: 0,
  filesChanged: ["src/a.ts"],
  refusedChanges: [],
  commands: [{ argv: "npm test", exitCode: 0 }],
  summary: "Did it.",
  headSha: "a".repeat(40),
  pullRequest: 2,
};

test("a report rendered into Markdown reads back the same from any surrounding text", () => {
  const text = `Some prose.\n\n<details>\n\n${renderReportBlock(report)}\n\n</details>\n\nSwarm-Agent: builder-01`;
  assert.deepEqual(readReport(text), { ok: true, report });
});

test("a missing, broken or malformed report block is named as such", () => {
  assert.match(JSON.stringify(readReport("no block")), /no `swarm-report` block/);
  assert.match(JSON.stringify(readReport("```json swarm-report\n{oops\n```")), /not JSON/);
  const bad = renderReportBlock({ ...report, turns: -1 });
  const result = readReport(bad);
  assert.equal(result.ok, false);
  assert.match(result.ok ? "" : result.problem, /turns/);
});

test("a report too long for a check run is shortened to fit, oldest commands first, counting what it left out", () => {
  const big: Report = {
    ...report,
    commands: Array.from({ length: 3000 }, (_, i) => ({ argv: `npm test -- --shard=${i}`, exitCode: 0 })),
    filesChanged: Array.from({ length: 400 }, (_, i) => `src/module-${i}/index.ts`),
  };
  const text = renderReportBlock(big);
  assert.ok(text.length <= MAX_REPORT_BLOCK_CHARS, `${text.length} characters`);
  const read = readReport(text);
  assert.ok(read.ok);
  const kept = read.report.commands;
  assert.ok(kept.length > 0 && kept.length < 3000);
  assert.deepEqual(kept.at(-1), big.commands.at(-1), "the newest commands stay");
  assert.deepEqual(read.report.omitted, { commands: 3000 - kept.length, refusedChanges: 0, filesChanged: 0 });
  assert.deepEqual(read.report.filesChanged, big.filesChanged, "files go only after every command");
  assert.equal(read.report.outcome, "done");
  assert.deepEqual(read.report.usage, big.usage);
});

test("a report that fits is written whole, indented, with nothing marked omitted", () => {
  const text = renderReportBlock(report, 2000);
  assert.match(text, /\n {2}"version": 1,/);
  assert.deepEqual(readReport(text), { ok: true, report });
  const tight = renderReportBlock(report, text.length - 1);
  assert.ok(tight.length < text.length && !tight.includes("\n  "), "on one line when that is what fits");
});
