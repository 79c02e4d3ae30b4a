import assert from "node:assert/strict";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildAction } from "../../../../scripts/build-action.ts";
import { connectGitHub } from "../../../../src/agent/github-client.ts";
import { startActionsRunner } from "../../../../src/sim/github/actions/actions-runner.ts";
import { implementsCorrectly } from "../../../../src/sim/anthropic/behaviours/implements-correctly.ts";
import { API_KEY, startAttemptFixture } from "../../../agent/attempt-fixture.ts";

// The prize of the runner: the app's own dispatch of the project's agent workflow, run by the
// offline runner with the bundled action, ends in the agent's pull request.
test("a dispatch of the project's agent workflow runs the bundled action, which opens the task's pull request", async (t) => {
  const fx = await startAttemptFixture();
  const actionDir = await mkdtemp(join(tmpdir(), "agent-action-"));
  t.after(async () => {
    await rm(actionDir, { recursive: true, force: true });
    await fx.close();
  });
  await copyFile("action.yml", join(actionDir, "action.yml"));
  await buildAction(join(actionDir, "dist/agent/index.js"));

  const world = fx.github.world;
  world.setSecret("acme/widgets", "ANTHROPIC_API_KEY", API_KEY);
  world.setSecret("acme/widgets", "SWARM_FOREMAN_PRIVATE_KEY", fx.app.privateKey);
  world.setVariable("acme/widgets", "SWARM_FOREMAN_APP_ID", String(fx.app.id));
  const app = await connectGitHub(fx.github.url, "acme/widgets", {
    kind: "app",
    appId: String(fx.app.id),
    privateKey: fx.app.privateKey,
  });
  const o = { owner: "acme", repo: "widgets" };
  await app.octokit.rest.repos.createOrUpdateFileContents({
    ...o,
    path: ".github/workflows/swarm-agent.yml",
    message: "Add the agent workflow",
    content: (await readFile(".github/workflows/swarm-agent.yml")).toString("base64"),
  });

  const runner = startActionsRunner({
    github: fx.github,
    actions: { "swarm-foreman/swarm-foreman@v1": actionDir },
    // The workflow names no Anthropic endpoint: the SDK reads it from the runner machine's environment.
    env: { ANTHROPIC_BASE_URL: fx.anthropic.url },
  });
  t.after(() => runner.close());
  fx.anthropic.setScript(
    "acme/widgets#1",
    implementsCorrectly({
      edits: [{ path: "src/sub.js", content: "export const sub = (a, b) => a - b;\n" }],
      test: ["node", "--version"],
    }),
  );
  const events: string[] = [];
  world.events.on("event", ({ payload }) => {
    if (payload.name === "workflow_run" || payload.name === "workflow_job")
      events.push(`${payload.name}.${payload.action}`);
  });

  const job = fx.job();
  const dispatched = await app.octokit.request(
    "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
    {
      ...o,
      workflow_id: "swarm-agent.yml",
      ref: "main",
      inputs: { job: JSON.stringify(job) },
      return_run_details: true,
    },
  );
  const runId = (dispatched.data as unknown as { workflow_run_id: number }).workflow_run_id;
  const run = await runner.completed("acme/widgets", runId);
  const agentJob = run.jobs[0];
  assert.ok(agentJob);
  assert.equal(run.conclusion, "success", agentJob.log);
  assert.deepEqual(events, [
    "workflow_run.requested",
    "workflow_job.queued",
    "workflow_run.in_progress",
    "workflow_job.in_progress",
    "workflow_job.completed",
    "workflow_run.completed",
  ]);
  const outputs = agentJob.steps.find((s) => s.name === "Run swarm-foreman/swarm-foreman@v1")?.outputs ?? {};
  assert.equal(outputs.outcome, "done");
  const pull = fx.repo.pulls.get(Number(outputs["pull-request"]));
  assert.equal(pull?.head, job.branch, "the agent's pull request is on its branch");
  assert.ok(!agentJob.log.includes(API_KEY), "the key never reaches the run's log");
  fx.github.assertNoViolations();
});
