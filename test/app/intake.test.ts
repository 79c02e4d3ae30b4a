import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { parseJob } from "../../src/core/job.ts";
import { statusMarker } from "../../src/app/status-comment.ts";
import { FULL_NAME, GOOD_SPEC, startHarness, type Harness } from "./harness.ts";

const BOT = "swarm-foreman[bot]";

/** The runs the app dispatched, oldest first, with their jobs. */
function dispatched(h: Harness) {
  const runs = [...(h.sim.world.repo(FULL_NAME)?.workflowRuns.values() ?? [])];
  return runs.map((run) => ({ run, job: parseJob(String(run.inputs.job)) }));
}

function botComments(h: Harness, issue: number) {
  return h.comments(issue).filter((c) => c.author === BOT);
}

describe("intake and dispatch", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ files: { ".github/swarm.yml": "agents:\n  maxAgents: 1\n" } });
  });
  afterEach(async () => {
    h.sim.assertNoViolations();
    await h.close();
  });

  it("queues a ready issue with a good spec, dispatches it once with its job, and shows one status comment", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Greeting", body: GOOD_SPEC, author: "alice" });
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    const runs = dispatched(h);
    assert.equal(runs.length, 1);
    const { run, job } = runs[0] ?? assert.fail("no run");
    assert.equal(job.issue, issue.number);
    assert.equal(job.repository, FULL_NAME);
    assert.equal(job.attempt, 1);
    assert.equal(job.mode, "implement");
    assert.deepEqual(job.requestedBy.login, "alice");
    assert.deepEqual(job.scope, ["src/greet.ts"]);
    const attempt = await h.ledger.attempts.get({ repo: FULL_NAME, issueNumber: issue.number }, 1);
    assert.equal(attempt?.state, "dispatched");
    assert.equal(attempt?.workflowRunId, run.id);
    const status = botComments(h, issue.number);
    assert.equal(status.length, 1);
    assert.ok(status[0]?.body.startsWith(statusMarker(FULL_NAME, issue.number)));
    assert.match(status[0]?.body ?? "", /\*\*dispatched\*\*/);
    assert.ok(h.issue(issue.number).labels.includes("swarm:running"));
    assert.ok(!h.issue(issue.number).labels.includes("swarm:queued"));
  });

  it("dispatches once for a redelivered webhook and for the label put on twice", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Greeting", body: GOOD_SPEC, author: "alice" });
    const payload = h.labeled(issue.number, "swarm:ready", "alice");
    const id = await h.deliver("issues", payload);
    await h.deliver("issues", payload, id);
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    assert.equal(dispatched(h).length, 1);
    assert.equal(botComments(h, issue.number).length, 1);
  });

  it("keeps a second task waiting while maxAgents run, and withdraws it when the label comes off", async () => {
    const first = h.sim.world.createIssue(FULL_NAME, { title: "One", body: GOOD_SPEC, author: "alice" });
    const second = h.sim.world.createIssue(FULL_NAME, {
      title: "Two",
      body: GOOD_SPEC.replace("greet", "wave"),
      author: "alice",
    });
    await h.deliver("issues", h.labeled(first.number, "swarm:ready", "alice"));
    await h.deliver("issues", h.labeled(second.number, "swarm:ready", "alice"));
    assert.equal(dispatched(h).length, 1);
    assert.ok(h.issue(second.number).labels.includes("swarm:queued"));
    await h.deliver("issues", h.unlabeled(second.number, "swarm:ready", "alice"));
    const task = await h.ledger.tasks.get({ repo: FULL_NAME, issueNumber: second.number });
    assert.equal(task?.state, "cancelled");
    assert.ok(!h.issue(second.number).labels.includes("swarm:queued"));
    assert.equal(dispatched(h).length, 1);
  });

  it("asks for a better spec with a checklist and swarm:needs-spec", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, {
      title: "Vague",
      body: "Make it better.",
      author: "alice",
    });
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    assert.equal(dispatched(h).length, 0);
    assert.ok(h.issue(issue.number).labels.includes("swarm:needs-spec"));
    assert.ok(botComments(h, issue.number).some((c) => c.body.includes("- [ ]")));
  });

  it("holds new dispatches while paused, saying so, and releases them on /swarm resume", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, { title: "Greeting", body: GOOD_SPEC, author: "alice" });
    await h.deliver("issue_comment", h.commented(issue.number, "/swarm pause", "alice"));
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    assert.equal(dispatched(h).length, 0);
    assert.ok(botComments(h, issue.number).some((c) => /paused/i.test(c.body) && !c.body.startsWith("<!--")));
    await h.deliver("issue_comment", h.commented(issue.number, "/swarm resume", "alice"));
    assert.equal(dispatched(h).length, 1);
  });
});

describe("a broken config", () => {
  it("gets one comment listing the config check problems, and the task does not start", async () => {
    const h = await startHarness({ files: { ".github/swarm.yml": "agents:\n  maxAgent: 1\n" } });
    try {
      const issue = h.sim.world.createIssue(FULL_NAME, {
        title: "Greeting",
        body: GOOD_SPEC,
        author: "alice",
      });
      await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
      const comments = botComments(h, issue.number);
      assert.equal(comments.length, 1);
      assert.match(comments[0]?.body ?? "", /\.github\/swarm\.yml:2:3/);
      assert.match(comments[0]?.body ?? "", /did you mean "maxAgents"/);
      assert.equal(dispatched(h).length, 0);
      assert.equal(await h.ledger.tasks.get({ repo: FULL_NAME, issueNumber: issue.number }), undefined);
      h.sim.assertNoViolations();
    } finally {
      await h.close();
    }
  });
});
