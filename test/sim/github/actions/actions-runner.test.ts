import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  startActionsRunner,
  type ActionsRunner,
  type ActionsRunnerOptions,
} from "../../../../src/sim/github/actions/actions-runner.ts";
import type { SimEvent, SimEventEnvelope } from "../../../../src/sim/github/sim-events.ts";
import type {
  SimWorkflowJob,
  SimWorkflowRun,
  SimWorkflowStep,
  SimWorld,
} from "../../../../src/sim/github/world.ts";
import { WebhookDelivery } from "../../../../src/sim/github/webhooks/delivery.ts";
import { startReceiver } from "../webhooks/receiver.ts";
import { startFixture, type SimFixture } from "../sim-fixture.ts";

const PROBE = join(dirname(fileURLToPath(import.meta.url)), "probe-action");
const API_KEY = "sk-probe-secret-0123456789";

// A workflow like the agent workflow: checkout, setup-node, one action with inputs built from
// expressions, then a shell step reading the action's output.
const WORKFLOW = `name: Probe
on:
  workflow_dispatch:
    inputs:
      mode:
        required: false
        default: report
      group:
        required: false
        default: one
concurrency:
  group: probe-\${{ fromJSON(format('{{"g":"{0}"}}', inputs.group)).g }}
  cancel-in-progress: false
jobs:
  probe:
    runs-on: ubuntu-latest
    timeout-minutes: 1
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/setup-node@v4
        with:
          node-version: 24
      - id: probe
        uses: acme/probe@v1
        with:
          mode: \${{ inputs.mode }}
          greeting: hello \${{ vars.WHO }} on \${{ github.ref_name }}
          api-key: \${{ secrets.API_KEY }}
      - run: echo "said [\${{ steps.probe.outputs.greeting }}]" && test -f README.md
`;

// A step with its own timeout, and a step that runs only after a failure.
const STEP_TIMEOUT = `name: Step timeout
on: workflow_dispatch
jobs:
  probe:
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: acme/probe@v1
        timeout-minutes: 1
        with:
          mode: hang
          greeting: hi
      - if: failure()
        run: echo "cleaning up after the timeout"
`;

const BROKEN = `name: Broken
on: workflow_dispatch
jobs:
  probe:
    steps:
      - run: echo \${{ nosuch.context }}
`;

/** The next event of the world that `match` accepts. */
function nextEvent(world: SimWorld, match: (event: SimEvent) => boolean): Promise<SimEventEnvelope> {
  return new Promise((resolve) => {
    const listener = (envelope: SimEventEnvelope) => {
      if (!match(envelope.payload)) return;
      world.events.off("event", listener);
      resolve(envelope);
    };
    world.events.on("event", listener);
  });
}

/** Whether a process is gone (exited, or a zombie nobody has reaped yet). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

describe("the offline Actions runner", () => {
  let fx: SimFixture;
  let runner: ActionsRunner | undefined;
  let log: string[];

  beforeEach(async () => {
    fx = await startFixture({
      "README.md": "# widgets\n",
      ".github/workflows/probe.yml": WORKFLOW,
      ".github/workflows/broken.yml": BROKEN,
      ".github/workflows/step-timeout.yml": STEP_TIMEOUT,
    });
    fx.sim.world.setSecret("acme/widgets", "API_KEY", API_KEY);
    fx.sim.world.setVariable("acme/widgets", "WHO", "octocat");
    fx.sim.world.createIssue("acme/widgets", { title: "A place for the probe to write", author: "octocat" });
    log = [];
    fx.sim.world.events.on("event", ({ payload }) => {
      if (payload.name === "workflow_run" || payload.name === "workflow_job")
        log.push(`${payload.runId} ${payload.name}.${payload.action}`);
    });
  });

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
    const violations = fx.sim.violations();
    await fx.close();
    assert.deepEqual(violations, []);
  });

  function start(options: Partial<ActionsRunnerOptions> = {}): ActionsRunner {
    runner = startActionsRunner({
      github: fx.sim,
      actions: { "acme/probe@v1": PROBE },
      graceMs: 50,
      ...options,
    });
    return runner;
  }

  async function dispatch(workflow: string, inputs: Record<string, string> = {}): Promise<number> {
    const res = await fx.octokit.request(
      "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
      {
        owner: "acme",
        repo: "widgets",
        workflow_id: workflow,
        ref: "main",
        inputs,
        return_run_details: true,
      },
    );
    return (res.data as unknown as { workflow_run_id: number }).workflow_run_id;
  }

  function jobOf(run: SimWorkflowRun): SimWorkflowJob {
    const job = run.jobs[0];
    assert.ok(job, `run ${run.id} has a job`);
    return job;
  }

  function probeStep(run: SimWorkflowRun): SimWorkflowStep {
    const step = jobOf(run).steps.find((s) => s.name === "Run acme/probe@v1");
    assert.ok(step, "the probe step is listed");
    return step;
  }

  // The pids the hanging probe announced in its comment: its own and its child's.
  function probePids({ payload }: SimEventEnvelope): number[] {
    const comment = payload.name === "issue_comment" ? fx.repo.comments.get(payload.commentId) : undefined;
    assert.ok(comment);
    return comment.body.split(" ").slice(1).map(Number);
  }

  it("runs a dispatched workflow's action in a child process with a runner's environment, announcing the run and its job in order", async () => {
    const receiver = await startReceiver();
    const delivery = new WebhookDelivery(fx.sim, { appId: fx.app.id, url: receiver.url });
    try {
      const r = start();
      const id = await dispatch("probe.yml");
      const run = await r.completed("acme/widgets", id);
      assert.equal(run.conclusion, "success", run.jobs[0]?.log);
      assert.deepEqual(
        log.filter((line) => line.startsWith(`${id} `)).map((line) => line.split(" ")[1]),
        [
          "workflow_run.requested",
          "workflow_job.queued",
          "workflow_run.in_progress",
          "workflow_job.in_progress",
          "workflow_job.completed",
          "workflow_run.completed",
        ],
      );
      const job = jobOf(run);
      assert.deepEqual(
        job.steps.map((s) => [s.name, s.conclusion]),
        [
          ["Set up job", "success"],
          ["Run actions/checkout@v4", "success"],
          ["Run actions/setup-node@v4", "success"],
          ["Run acme/probe@v1", "success"],
          ['Run echo "said [${{ steps.probe.outputs.greeting }}]" && test -f README.md', "success"],
          ["Complete job", "success"],
        ],
      );
      const outputs = probeStep(run).outputs;
      assert.equal(outputs.greeting, "hello octocat on main");
      assert.equal(outputs["repo-status"], "200", "the action reached the offline GitHub with its token");
      assert.match(job.log, /said \[hello octocat on main\]/);
      assert.equal(job.summary, "### probe report\n");

      const env = JSON.parse(outputs.env ?? "{}") as Record<string, string>;
      assert.equal(env.GITHUB_API_URL, fx.sim.url);
      assert.equal(env.GITHUB_GRAPHQL_URL, fx.sim.graphqlUrl);
      assert.equal(env.GITHUB_REPOSITORY, "acme/widgets");
      assert.equal(env.GITHUB_REF, "refs/heads/main");
      assert.equal(env.GITHUB_SHA, run.headSha);
      assert.equal(env.GITHUB_RUN_ID, String(id));
      assert.equal(env.GITHUB_EVENT_NAME, "workflow_dispatch");
      assert.equal(env.GITHUB_WORKFLOW, "Probe");
      assert.equal(env.RUNNER_OS, "Linux");
      assert.equal(env.INPUT_MODE, "report");
      for (const name of [
        "GITHUB_WORKSPACE",
        "RUNNER_TEMP",
        "GITHUB_EVENT_PATH",
        "GITHUB_OUTPUT",
        "GITHUB_STEP_SUMMARY",
      ])
        assert.ok(env[name]?.startsWith("/"), `${name} is a path`);
      // The token an action gets is the run's own, and it dies with the run.
      const token = env.INPUT_TOKEN ?? "";
      assert.match(token, /^ghs_/);
      assert.equal((await fx.call("GET", "/repos/acme/widgets", token)).status, 401);

      const jobs = await fx.octokit.rest.actions.listJobsForWorkflowRun({
        owner: "acme",
        repo: "widgets",
        run_id: id,
      });
      assert.deepEqual(
        jobs.data.jobs.map((j) => [j.name, j.status, j.conclusion, j.steps?.length]),
        [["probe", "completed", "success", 6]],
      );
      delivery.stop();
      await delivery.idle();
      const jobEvents = receiver.received.filter((r) => r.headers["x-github-event"] === "workflow_job");
      assert.deepEqual(
        jobEvents.map((r) => [r.payload.action, (r.payload.workflow_job as { status: string }).status]),
        [
          ["queued", "queued"],
          ["in_progress", "in_progress"],
          ["completed", "completed"],
        ],
      );
      const runEvents = receiver.received.filter((r) => r.headers["x-github-event"] === "workflow_run");
      assert.deepEqual(
        runEvents.map((r) => (r.payload.workflow_run as { status: string }).status),
        ["queued", "in_progress", "completed"],
        "each workflow_run webhook shows the run as it was when it happened",
      );
    } finally {
      delivery.stop();
      await receiver.close();
    }
  });

  it("gives a secret only to the input that names it and masks it in the log", async () => {
    const r = start();
    const run = await r.completed("acme/widgets", await dispatch("probe.yml"));
    const env = JSON.parse(probeStep(run).outputs.env ?? "{}") as Record<string, string>;
    assert.deepEqual(
      Object.keys(env).filter((name) => env[name]?.includes(API_KEY)),
      ["INPUT_API-KEY"],
    );
    assert.match(jobOf(run).log, /api key \*\*\*/);
    assert.ok(!jobOf(run).log.includes(API_KEY));
  });

  it("fails the run when the action exits non-zero, skipping the steps after it", async () => {
    const r = start();
    const run = await r.completed("acme/widgets", await dispatch("probe.yml", { mode: "fail" }));
    assert.equal(run.conclusion, "failure");
    assert.deepEqual(
      jobOf(run)
        .steps.slice(3)
        .map((s) => s.conclusion),
      ["failure", "skipped", "success"],
    );
    assert.match(jobOf(run).log, /probe failing on purpose\n##\[error\]Process completed with exit code 1\./);
  });

  it("cancel kills the action's whole process group and completes the run cancelled", async () => {
    const r = start();
    const started = nextEvent(fx.sim.world, (e) => e.name === "issue_comment");
    const id = await dispatch("probe.yml", { mode: "hang" });
    const pids = probePids(await started);
    assert.equal(pids.length, 2);
    assert.ok(!pids.some(gone), "the action and its child run");
    await fx.octokit.rest.actions.cancelWorkflowRun({ owner: "acme", repo: "widgets", run_id: id });
    const run = await r.completed("acme/widgets", id);
    assert.equal(run.conclusion, "cancelled");
    assert.equal(jobOf(run).conclusion, "cancelled");
    assert.equal(probeStep(run).conclusion, "cancelled");
    assert.ok(pids.every(gone), "the action and the process it started are gone");
  });

  it("stops a run that outlives its timeout-minutes and completes it timed_out", async () => {
    const r = start({ minuteMs: 400 });
    const id = await dispatch("probe.yml", { mode: "hang" });
    const run = await r.completed("acme/widgets", id);
    assert.equal(run.conclusion, "timed_out");
    assert.equal(jobOf(run).conclusion, "cancelled");
    assert.match(jobOf(run).log, /exceeded the maximum execution time of 1 minutes/);
  });

  it("fails a step that outlives its own timeout-minutes, and the job goes on to the steps that ask for failure()", async () => {
    const r = start({ minuteMs: 400 });
    const run = await r.completed("acme/widgets", await dispatch("step-timeout.yml"));
    assert.equal(run.conclusion, "failure");
    assert.deepEqual(
      jobOf(run)
        .steps.slice(2, 4)
        .map((s) => s.conclusion),
      ["failure", "success"],
    );
    assert.match(jobOf(run).log, /The action 'Run acme\/probe@v1' has timed out after 1 minutes\./);
    assert.match(jobOf(run).log, /cleaning up after the timeout/);
  });

  it("holds a second run of the same concurrency group until the first completes", async () => {
    const r = start();
    const started = nextEvent(fx.sim.world, (e) => e.name === "issue_comment");
    const first = await dispatch("probe.yml", { mode: "hang", group: "a" });
    await started;
    const queued = nextEvent(fx.sim.world, (e) => e.name === "workflow_job" && e.action === "queued");
    const second = await dispatch("probe.yml", { group: "a" });
    await queued;
    const other = await dispatch("probe.yml", { group: "b" });
    assert.equal((await r.completed("acme/widgets", other)).conclusion, "success", "another group runs");
    assert.equal(fx.repo.workflowRuns.get(second)?.status, "queued", "the same group waits");
    await fx.octokit.rest.actions.cancelWorkflowRun({ owner: "acme", repo: "widgets", run_id: first });
    assert.equal((await r.completed("acme/widgets", second)).conclusion, "success");
    const order = log.filter(
      (line) => line === `${first} workflow_run.completed` || line === `${second} workflow_run.in_progress`,
    );
    assert.deepEqual(order, [`${first} workflow_run.completed`, `${second} workflow_run.in_progress`]);
  });

  it("runs no more jobs at once than it has slots", async () => {
    const r = start({ slots: 1 });
    const started = nextEvent(fx.sim.world, (e) => e.name === "issue_comment");
    const first = await dispatch("probe.yml", { mode: "hang", group: "a" });
    await started;
    const queued = nextEvent(fx.sim.world, (e) => e.name === "workflow_job" && e.action === "queued");
    const second = await dispatch("probe.yml", { group: "b" });
    await queued;
    assert.equal(fx.repo.workflowRuns.get(second)?.status, "queued");
    await fx.octokit.rest.actions.cancelWorkflowRun({ owner: "acme", repo: "widgets", run_id: first });
    assert.equal((await r.completed("acme/widgets", second)).conclusion, "success");
  });

  it("fails a run whose workflow uses an expression it cannot evaluate, saying which", async () => {
    const r = start();
    const run = await r.completed("acme/widgets", await dispatch("broken.yml"));
    assert.equal(run.conclusion, "failure");
    assert.match(jobOf(run).log, /expression ` nosuch.context `: unknown context "nosuch"/);
  });

  it("close kills running jobs and completes their runs cancelled", async () => {
    const r = start();
    const started = nextEvent(fx.sim.world, (e) => e.name === "issue_comment");
    const id = await dispatch("probe.yml", { mode: "hang" });
    const pids = probePids(await started);
    await r.close();
    assert.equal(fx.repo.workflowRuns.get(id)?.conclusion, "cancelled");
    assert.ok(pids.every(gone));
  });
});
