import assert from "node:assert/strict";
import { after, afterEach, beforeEach, describe, it } from "node:test";
import { Reconciler } from "../../src/app/reconcile.ts";
import { DEFAULT_TIERS } from "../../src/core/config/defaults.ts";
import { openLedger } from "../../src/ledger/index.ts";
import { startGitHubSim } from "../../src/sim/github/server.ts";
import { postgresBackend } from "../ledger/backends.ts";
import { FULL_NAME, GOOD_SPEC, startHarness, type Harness } from "./harness.ts";
import { webhookExample } from "./webhook-examples.ts";

function runs(h: Harness) {
  return [...(h.sim.world.repo(FULL_NAME)?.workflowRuns.values() ?? [])];
}

/** A real `workflow_run` payload adapted to one of the sim's runs. */
function runEvent(h: Harness, runId: number, action: "in_progress" | "completed", conclusion: string | null) {
  const payload = webhookExample("workflow_run", action === "completed" ? "completed" : "requested");
  const base = payload as unknown as Record<string, Record<string, unknown>>;
  payload.action = action as never;
  base.workflow_run = {
    ...base.workflow_run,
    id: runId,
    status: action === "completed" ? "completed" : "in_progress",
    conclusion,
    event: "workflow_dispatch",
  };
  const repo = h.sim.world.repo(FULL_NAME);
  base.repository = {
    ...base.repository,
    name: "widgets",
    full_name: FULL_NAME,
    owner: { ...(base.repository?.owner as object), login: "acme" },
    html_url: `${h.sim.url}/${FULL_NAME}`,
    default_branch: repo?.defaultBranch,
  };
  base.installation = { id: h.installation.id, node_id: "x" };
  return payload;
}

describe("runs", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({
      files: {
        ".github/swarm.yml": "agents:\n  maxAgents: 1\nmaxAttempts: 2\n",
      },
    });
  });
  afterEach(async () => {
    h.sim.assertNoViolations();
    await h.close();
  });

  it("moves the task with its run, and a failed run frees the slot for the next waiting task at once", async () => {
    const one = h.sim.world.createIssue(FULL_NAME, {
      title: "One",
      body: GOOD_SPEC,
      author: "alice",
    });
    const two = h.sim.world.createIssue(FULL_NAME, {
      title: "Two",
      body: GOOD_SPEC.replace("greet", "wave"),
      author: "alice",
    });
    await h.deliver("issues", h.labeled(one.number, "swarm:ready", "alice"));
    h.clock.advance(1000);
    await h.deliver("issues", h.labeled(two.number, "swarm:ready", "alice"));
    h.clock.advance(1000);
    const [first] = runs(h);
    assert.ok(first);
    await h.deliver("workflow_run", runEvent(h, first.id, "in_progress", null));
    assert.equal((await h.ledger.tasks.get({ repo: FULL_NAME, issueNumber: one.number }))?.state, "running");
    await h.deliver("workflow_run", runEvent(h, first.id, "completed", "failure"));
    assert.equal((await h.ledger.tasks.get({ repo: FULL_NAME, issueNumber: one.number }))?.state, "rework");
    assert.equal(runs(h).length, 2, "the freed slot went to the waiting task");
    const attempt = await h.ledger.attempts.findByWorkflowRun(FULL_NAME, runs(h)[1]?.id ?? 0);
    assert.equal(attempt?.issueNumber, two.number);
  });

  it("ignores a late or replayed event of an earlier attempt", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, {
      title: "One",
      body: GOOD_SPEC,
      author: "alice",
    });
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    const first = runs(h)[0];
    assert.ok(first);
    await h.deliver("workflow_run", runEvent(h, first.id, "completed", "failure"));
    const second = runs(h)[1];
    assert.ok(second, "the rework attempt was dispatched");
    const before = await h.ledger.tasks.get({
      repo: FULL_NAME,
      issueNumber: issue.number,
    });
    await h.deliver("workflow_run", runEvent(h, first.id, "in_progress", null));
    await h.deliver("workflow_run", runEvent(h, first.id, "completed", "success"));
    const after = await h.ledger.tasks.get({
      repo: FULL_NAME,
      issueNumber: issue.number,
    });
    assert.equal(after?.state, before?.state);
    assert.deepEqual(after?.lifecycle, before?.lifecycle);
    assert.equal(runs(h).length, 2);
  });

  it("cancels the workflow run on /swarm cancel", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, {
      title: "One",
      body: GOOD_SPEC,
      author: "alice",
    });
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    await h.deliver("issue_comment", h.commented(issue.number, "/swarm cancel", "alice"));
    const run = runs(h)[0];
    assert.equal(run?.cancelRequested, true);
    assert.equal(
      (await h.ledger.tasks.get({ repo: FULL_NAME, issueNumber: issue.number }))?.state,
      "cancelled",
    );
  });

  it("recovers a crash between the intent and the dispatch when the app starts again", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, {
      title: "One",
      body: GOOD_SPEC,
      author: "alice",
    });
    // Let intake queue the task, then stand in for an app that claimed the attempt and stopped.
    await h.ledger.repositories.setPaused(FULL_NAME, true);
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    await h.ledger.repositories.setPaused(FULL_NAME, false);
    const key = { repo: FULL_NAME, issueNumber: issue.number };
    const stored = await h.ledger.tasks.get(key);
    await h.ledger.tasks.update(key, {
      state: "dispatched",
      lifecycle: {
        ...stored?.lifecycle,
        status: "dispatched",
        attempt: 1,
        plan: null,
        hold: null,
      },
    });
    const claim = await h.ledger.attempts.claimDispatch({
      ...key,
      attempt: 1,
      agent: "builder-01",
      model: DEFAULT_TIERS.standard,
      mode: "implement",
      maxAgents: 1,
    });
    assert.equal(claim.claimed, true);
    assert.equal(runs(h).length, 0);
    h.clock.advance(3 * 60_000);
    const reconciler = new Reconciler(h.probot, h.deps);
    await reconciler.reconcileRepository(FULL_NAME, await h.probot.auth(h.installation.id));
    assert.equal(runs(h).length, 1);
    const attempt = await h.ledger.attempts.get(key, 1);
    assert.equal(attempt?.state, "dispatched");
    assert.equal(attempt?.workflowRunId, runs(h)[0]?.id);
    await reconciler.reconcileRepository(FULL_NAME, await h.probot.auth(h.installation.id));
    assert.equal(runs(h).length, 1, "a second pass dispatches nothing more");
  });

  it("settles a run whose completion event was lost, on the next reconcile", async () => {
    const issue = h.sim.world.createIssue(FULL_NAME, {
      title: "One",
      body: GOOD_SPEC,
      author: "alice",
    });
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    const run = runs(h)[0];
    assert.ok(run);
    h.sim.world.updateWorkflowRun(FULL_NAME, run.id, {
      status: "completed",
      conclusion: "failure",
    });
    const reconciler = new Reconciler(h.probot, h.deps);
    await reconciler.reconcileRepository(FULL_NAME, await h.probot.auth(h.installation.id));
    const attempt = await h.ledger.attempts.get({ repo: FULL_NAME, issueNumber: issue.number }, 1);
    assert.equal(attempt?.state, "failed");
    assert.equal(runs(h).length, 2, "the rework attempt went out");
  });
});

const backend = await postgresBackend();
after(() => backend.cleanup());

describe("runs finishing at once", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ files: { ".github/swarm.yml": "agents:\n  maxAgents: 4\n" } });
  });
  afterEach(async () => {
    h.sim.assertNoViolations();
    await h.close();
  });

  it("hand every freed slot to a waiting task, each with an agent of its own", async () => {
    const verbs = ["greet", "wave", "nod", "bow", "clap", "cheer", "smile", "shout"];
    const issues = verbs.map(
      (verb) =>
        h.sim.world.createIssue(FULL_NAME, {
          title: verb,
          body: GOOD_SPEC.replace("greet", verb),
          author: "alice",
        }).number,
    );
    for (const issue of issues) {
      await h.deliver("issues", h.labeled(issue, "swarm:ready", "alice"));
      h.clock.advance(1000);
    }
    const first = runs(h);
    assert.equal(first.length, 4, "four slots, four runs");
    await Promise.all(
      first.map((run) => h.deliver("workflow_run", runEvent(h, run.id, "completed", "cancelled"))),
    );
    const active = await h.ledger.attempts.listActive(FULL_NAME);
    assert.deepEqual(
      active.map((a) => a.issueNumber).sort((a, b) => a - b),
      issues.slice(4),
      "the four waiting tasks took the four freed slots",
    );
    assert.equal(new Set(active.map((a) => a.agent)).size, 4, "no agent works on two tasks");
  });
});

describe("two app instances on one PostgreSQL", { skip: backend.unavailable ?? false }, () => {
  it("racing for the same label dispatch it once", async () => {
    const fresh = await backend.fresh();
    const sim = await startGitHubSim();
    const a = await startHarness({
      sim,
      ledger: await openLedger({ url: fresh.url, env: {} }),
      files: { ".github/swarm.yml": "agents:\n  maxAgents: 3\n" },
    });
    const b = await startHarness({
      sim,
      ledger: await openLedger({ url: fresh.url, env: {} }),
    });
    try {
      const issue = sim.world.createIssue(FULL_NAME, {
        title: "One",
        body: GOOD_SPEC,
        author: "alice",
      });
      await Promise.all([
        a.deliver("issues", a.labeled(issue.number, "swarm:ready", "alice")),
        b.deliver("issues", b.labeled(issue.number, "swarm:ready", "alice")),
      ]);
      assert.equal([...(sim.world.repo(FULL_NAME)?.workflowRuns.values() ?? [])].length, 1);
      const status = [...(sim.world.repo(FULL_NAME)?.comments.values() ?? [])].filter(
        (c) => c.user.type === "Bot",
      );
      assert.equal(status.length, 1, "one status comment");
      sim.assertNoViolations();
    } finally {
      await a.ledger.close();
      await b.ledger.close();
      await sim.close();
    }
  });
});
