import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDemo } from "../../../src/sim/demo/run-demo.ts";
import { demoIssues } from "../../../src/sim/demo/demo-issues.ts";
import { formatSummaryTable } from "../../../src/sim/demo/summary-table.ts";

test("the demo labels every issue ready, reports a row per task and leaves no temporary folder", async () => {
  // A folder of this test's own, so a demo run by another test at the same time cannot interfere.
  const tempRoot = await mkdtemp(join(tmpdir(), "demo-test-"));
  const lines: string[] = [];
  const result = await runDemo({ seed: 7, progress: (line) => lines.push(line), tempRoot });
  const issues = demoIssues();
  assert.deepEqual(
    result.rows.map((r) => [r.issue, r.title, r.behaviour]),
    issues.map((issue, i) => [i + 1, issue.title, issue.plan.behaviour]),
  );
  const ready = result.changes.filter((c) => c.state === "swarm:ready").map((c) => c.issue);
  assert.deepEqual(
    [...ready].sort(),
    issues.map((_, i) => i + 1),
  );
  assert.equal(lines.length, result.changes.length);
  // Each label request names its issue, so the offline GitHub attributes it to that task.
  for (const row of result.rows) assert.ok(row.githubRequests >= 1, `#${row.issue} has no GitHub requests`);
  assert.equal(formatSummaryTable(result.rows).length, issues.length + 2);
  assert.deepEqual(await readdir(tempRoot), [], "the run removed its temporary folder");
  await rm(tempRoot, { recursive: true });
});

test("the seed alone decides the order the issues are labelled in", async () => {
  const order = async (seed: number) => (await runDemo({ seed })).changes.map((c) => c.issue);
  const first = await order(3);
  assert.deepEqual(await order(3), first);
  assert.notDeepEqual(await order(4), first);
});
