import { test } from "node:test";
import assert from "node:assert/strict";
import { readReport, renderReportBlock, type Report } from "../../src/core/report.ts";

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
