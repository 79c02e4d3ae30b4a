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

  /** The table's rows of the tasks whose scripted behaviour is one of `behaviours`. */
  function rowsDoing(...behaviours: string[]) {
    const rows = result.rows.filter((r) => behaviours.includes(r.behaviour));
    assert.ok(rows.length > 0, `no task does ${behaviours.join(" or ")}`);
    return rows;
  }

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

  it("reaches the story's end: every task merged or with a person, none left under way", () => {
    assert.equal(result.stoppedAt, null);
  });

  it("merges the pull requests of the tasks scripted to succeed", () => {
    for (const row of rowsDoing("implements correctly", "edits out of scope")) {
      assert.equal(row.outcome, "merged", `#${row.issue}`);
      assert.notEqual(row.pullNumber, null, `#${row.issue} has its pull request`);
      assert.equal(result.attempts[row.issue]?.at(-1)?.verdict, "merged", `#${row.issue}`);
    }
  });

  it("sends the broken test back for rework on the same branch, and merges the fix", () => {
    const [row] = rowsDoing("fixes a broken test on rework");
    assert.equal(row?.outcome, "merged");
    const attempts = result.attempts[row.issue] ?? [];
    const rejected = attempts.findIndex((a) => a.verdict === "rejected");
    assert.ok(rejected >= 0, `#${row.issue}: ${JSON.stringify(attempts)}`);
    const last = attempts.at(-1);
    assert.deepEqual([last?.mode, last?.verdict], ["rework", "merged"]);
    // The rework pushes to the rejected attempt's branch, which is its agent's.
    assert.equal(last?.agent, attempts[rejected]?.agent);
  });

  it("hands the task that keeps failing to a person, with the escalation comment", () => {
    const [row] = rowsDoing("keeps breaking a test");
    assert.equal(row?.outcome, "needs-human");
    assert.ok(row.attempts >= 2, `#${row.issue} was tried ${row.attempts} time(s)`);
    const escalation = result.appComments[row.issue]?.find((body) => /needs a person/.test(body));
    assert.ok(escalation, `#${row.issue} has no escalation comment`);
    assert.match(escalation, /What was tried/);
    assert.match(escalation, /What is needed/);
  });

  it("records each agent's usage report: tokens and cost for every task an agent worked on", () => {
    for (const row of result.rows.filter((r) => r.pullNumber !== null)) {
      assert.ok(row.tokens > 0, `#${row.issue} tokens`);
      assert.ok(row.costUsd > 0, `#${row.issue} cost`);
    }
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
