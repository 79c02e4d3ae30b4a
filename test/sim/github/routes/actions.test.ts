import { test } from "node:test";
import assert from "node:assert/strict";
import { startFixture } from "../sim-fixture.ts";
import type { SimEventEnvelope } from "../../../../src/sim/github/sim-events.ts";

const o = { owner: "acme", repo: "widgets" };
const WORKFLOW = `name: Swarm agent
on:
  workflow_dispatch:
    inputs:
      job:
        required: true
        type: string
      model:
        required: false
        default: sonnet
`;

test("workflow dispatch with return_run_details answers 200 with the run, which can be read and cancelled", async (t) => {
  const f = await startFixture({ "README.md": "x\n", ".github/workflows/agent.yml": WORKFLOW });
  t.after(() => f.close());
  const events: SimEventEnvelope[] = [];
  f.sim.world.events.on("event", (e) => events.push(e));
  const job = JSON.stringify({ issue: 12, attempt: 1 });
  const res = await f.octokit.request(
    "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    {
      ...o,
      workflow_id: "agent.yml",
      ref: "main",
      inputs: { job },
      return_run_details: true,
    },
  );
  assert.equal(res.status, 200);
  const details = res.data as unknown as { workflow_run_id: number; run_url: string; html_url: string };
  assert.equal(details.run_url, `${f.sim.url}/repos/acme/widgets/actions/runs/${details.workflow_run_id}`);
  const dispatch = events.find((e) => e.name === "workflow_dispatch");
  assert.ok(dispatch && dispatch.payload.name === "workflow_dispatch");
  assert.deepEqual(dispatch.payload.inputs, { job, model: "sonnet" });
  assert.equal(dispatch.causedBy.kind, "installation");

  const run = await f.octokit.rest.actions.getWorkflowRun({ ...o, run_id: details.workflow_run_id });
  assert.equal(run.data.status, "queued");
  assert.equal(run.data.path, ".github/workflows/agent.yml");

  // The run's GITHUB_TOKEN is attributed to the task its job names.
  const token = f.sim.world.mintWorkflowToken("acme/widgets", details.workflow_run_id);
  assert.equal((await f.call("GET", "/repos/acme/widgets", token)).status, 200);
  assert.equal(f.sim.requests().byTask["12"], 3);

  await f.octokit.rest.actions.cancelWorkflowRun({ ...o, run_id: details.workflow_run_id });
  const cancelled = await f.octokit.rest.actions.getWorkflowRun({ ...o, run_id: details.workflow_run_id });
  assert.deepEqual([cancelled.data.status, cancelled.data.conclusion], ["completed", "cancelled"]);
  await assert.rejects(f.octokit.rest.actions.cancelWorkflowRun({ ...o, run_id: details.workflow_run_id }), {
    status: 409,
  });
  f.sim.assertNoViolations();
});

test("dispatch refuses unknown inputs, a missing required input, an unknown ref and a missing workflow", async (t) => {
  const f = await startFixture({ "README.md": "x\n", ".github/workflows/agent.yml": WORKFLOW });
  t.after(() => f.close());
  const dispatch = (workflow_id: string, ref: string, inputs: Record<string, string>) =>
    f.octokit.rest.actions.createWorkflowDispatch({ ...o, workflow_id, ref, inputs });
  await assert.rejects(dispatch("agent.yml", "main", { job: "{}", colour: "red" }), { status: 422 });
  await assert.rejects(dispatch("agent.yml", "main", {}), { status: 422 });
  await assert.rejects(dispatch("agent.yml", "nope", { job: "{}" }), { status: 422 });
  await assert.rejects(dispatch("other.yml", "main", { job: "{}" }), { status: 404 });
  const ok = await dispatch("agent.yml", "main", { job: "{}" });
  assert.equal(ok.status, 204);
  const runs = await f.octokit.rest.actions.listWorkflowRunsForRepo(o);
  assert.equal(runs.data.total_count, 1);
  f.sim.assertNoViolations();
});
