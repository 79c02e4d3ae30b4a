import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { labelOrder, runDemo, type DemoResult } from "../../../src/sim/demo/run-demo.ts";
import { demoIssues } from "../../../src/sim/demo/demo-issues.ts";
import { formatSummaryTable } from "../../../src/sim/demo/summary-table.ts";

const SEED = 7;

describe("the demo", () => {
  let tempRoot: string;
  let result: DemoResult;
  const lines: string[] = [];

  before(async () => {
    // A folder of this test's own, so a demo run by another test at the same time cannot interfere.
    tempRoot = await mkdtemp(join(tmpdir(), "demo-test-"));
    result = await runDemo({ seed: SEED, progress: (line) => lines.push(line), tempRoot });
  });
  after(async () => {
    await rm(tempRoot, { recursive: true, force: true });
  });

  it("reports a row per task and leaves no temporary folder", async (t) => {
    t.diagnostic(`the demo took ${(result.elapsedMs / 1000).toFixed(1)}s; stopped at: ${result.stoppedAt}`);
    const issues = demoIssues();
    assert.deepEqual(
      result.rows.map((r) => [r.issue, r.title, r.behaviour]),
      issues.map((issue, i) => [i + 1, issue.title, issue.plan.behaviour]),
    );
    assert.equal(formatSummaryTable(result.rows).length, issues.length + 2);
    assert.ok(lines.length >= result.changes.length, "a progress line per state change at least");
    assert.deepEqual(await readdir(tempRoot), [], "the run removed its temporary folder");
  });

  it("queues the five issues labelled while paused, in the seed's order", () => {
    const queued = result.changes.filter((c) => c.state === "queued" && c.attempt === 0).map((c) => c.issue);
    assert.deepEqual(queued, labelOrder(SEED, demoIssues().length));
    const firstDispatch = result.changes.findIndex((c) => c.state === "dispatched");
    assert.ok(firstDispatch >= queued.length, "nothing was dispatched before /swarm resume");
  });

  it("dispatches up to the agent cap and never more", () => {
    assert.ok(result.maxAgents < demoIssues().length, "the demo's cap leaves tasks waiting");
    assert.equal(result.peakRuns, result.maxAgents);
    const dispatched = new Set(result.changes.filter((c) => c.state === "dispatched").map((c) => c.issue));
    assert.ok(dispatched.size > result.maxAgents, "a freed slot went to a waiting task");
  });

  it("cancels a task on /swarm cancel and queues it again on /swarm retry", () => {
    assert.deepEqual(
      result.commands.map((c) => c.command),
      ["/swarm pause", "/swarm resume", "/swarm cancel", "/swarm retry"],
    );
    const target = result.commands[2]?.issue;
    const states = result.changes.filter((c) => c.issue === target).map((c) => c.state);
    const cancelled = states.indexOf("cancelled");
    assert.ok(cancelled > states.indexOf("dispatched"), `#${target} went ${states.join(" → ")}`);
    assert.ok(states.indexOf("queued", cancelled) > cancelled, `#${target} went ${states.join(" → ")}`);
  });

  it("keeps one status comment per task", () => {
    assert.deepEqual(result.statusComments, Object.fromEntries(demoIssues().map((_, i) => [i + 1, 1])));
  });

  it("counts GitHub requests per task", () => {
    for (const row of result.rows) assert.ok(row.githubRequests >= 1, `#${row.issue} has no GitHub requests`);
  });
});

describe("the labelling order", () => {
  it("is decided by the seed alone", () => {
    assert.deepEqual(labelOrder(3, 5), labelOrder(3, 5));
    assert.notDeepEqual(labelOrder(4, 5), labelOrder(3, 5));
    assert.deepEqual([...labelOrder(3, 5)].sort(), [1, 2, 3, 4, 5]);
  });
});
