import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Octokit } from "@octokit/rest";
import { startActionsRunner, type ActionsRunner } from "../../../../src/sim/github/actions/actions-runner.ts";
import type { SimEvent, SimEventEnvelope } from "../../../../src/sim/github/sim-events.ts";
import type { SimCheckRun, SimWorld } from "../../../../src/sim/github/world.ts";
import { startFixture, type SimFixture } from "../sim-fixture.ts";

const o = { owner: "acme", repo: "widgets" };

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

describe("CI checks on the offline runner", () => {
  let fx: SimFixture;
  let runner: ActionsRunner;

  beforeEach(async () => {
    fx = await startFixture({ "README.md": "# widgets\n", "status.txt": "green\n" });
    fx.sim.world.defineCiCheck("acme/widgets", {
      name: "CI",
      command: 'grep -q green status.txt && echo "all green"',
    });
    runner = startActionsRunner({ github: fx.sim });
  });

  afterEach(async () => {
    await runner.close();
    const violations = fx.sim.violations();
    await fx.close();
    assert.deepEqual(violations, []);
  });

  // Commits status.txt on `branch` through the contents API as whoever `octokit` is.
  async function push(octokit: Octokit, branch: string, status: string): Promise<string> {
    const { data: current } = await octokit.rest.repos.getContent({ ...o, path: "status.txt", ref: branch });
    const res = await octokit.rest.repos.createOrUpdateFileContents({
      ...o,
      path: "status.txt",
      branch,
      message: `status ${status}`,
      content: Buffer.from(`${status}\n`).toString("base64"),
      sha: (current as { sha: string }).sha,
    });
    return res.data.commit.sha ?? "";
  }

  // The completed check run the next `check_run` completed event announces.
  async function nextCompletedCheck(): Promise<SimCheckRun> {
    const { payload } = await nextEvent(
      fx.sim.world,
      (e) => e.name === "check_run" && e.action === "completed",
    );
    const run = payload.name === "check_run" ? fx.repo.checkRuns.get(payload.checkRunId) : undefined;
    assert.ok(run);
    return run;
  }

  async function openPull(): Promise<string> {
    const main = await fx.octokit.rest.git.getRef({ ...o, ref: "heads/main" });
    await fx.octokit.rest.git.createRef({ ...o, ref: "refs/heads/feature", sha: main.data.object.sha });
    await push(fx.octokit, "feature", "green, and more");
    const completed = nextCompletedCheck();
    const pull = await fx.octokit.rest.pulls.create({
      ...o,
      head: "feature",
      base: "main",
      title: "Feature",
    });
    const check = await completed;
    assert.equal(check.headSha, pull.data.head.sha);
    return pull.data.head.sha;
  }

  it("goes green when the command passes and red when a new head makes it fail", async () => {
    await openPull();
    const [green] = [...fx.repo.checkRuns.values()];
    assert.ok(green);
    assert.deepEqual([green.name, green.status, green.conclusion], ["CI", "completed", "success"]);
    assert.equal(green.app?.slug, "github-actions");
    assert.match(green.output.summary ?? "", /all green/);

    const completed = nextCompletedCheck();
    const red = await push(fx.octokit, "feature", "red");
    const check = await completed;
    assert.deepEqual([check.headSha, check.conclusion], [red, "failure"]);
    assert.match(check.output.summary ?? "", /Process completed with exit code 1/);
    const listed = await fx.octokit.rest.checks.listForRef({ ...o, ref: red });
    assert.deepEqual(
      listed.data.check_runs.map((c) => [c.name, c.conclusion, c.app?.slug]),
      [["CI", "failure", "github-actions"]],
    );
  });

  it("starts no CI for a push made with a workflow's GITHUB_TOKEN, as GitHub starts no workflow for it", async () => {
    await openPull();
    const token = fx.sim.world.mintWorkflowToken("acme/widgets", 1);
    const workflow = new Octokit({ baseUrl: fx.sim.url, auth: token });
    const byToken = await push(workflow, "feature", "green again");
    const completed = nextCompletedCheck();
    const byApp = await push(fx.octokit, "feature", "green");
    assert.equal((await completed).headSha, byApp);
    await runner.idle();
    assert.deepEqual(
      [...fx.repo.checkRuns.values()].filter((c) => c.headSha === byToken),
      [],
      "the GITHUB_TOKEN's head has no check",
    );
  });

  it("runs the checks on a merge group when the queue asks for them, and runChecks answers with the same runs", async () => {
    const main = await fx.octokit.rest.git.getRef({ ...o, ref: "heads/main" });
    const sha = main.data.object.sha;
    const branch = `gh-readonly-queue/main/pr-1-${sha}`;
    await fx.octokit.rest.git.createRef({ ...o, ref: `refs/heads/${branch}`, sha });
    const completed = nextCompletedCheck();
    fx.sim.world.emit(
      {
        name: "merge_group",
        action: "checks_requested",
        repository: "acme/widgets",
        group: { headSha: sha, headRef: `refs/heads/${branch}`, baseSha: sha, baseRef: "refs/heads/main" },
      },
      { kind: "installation", appId: fx.app.id, installationId: fx.installation.id, login: fx.app.bot.login },
    );
    const requested = await completed;
    assert.deepEqual([requested.headSha, requested.conclusion], [sha, "success"]);
    const asked = await runner.runChecks("acme/widgets", sha, branch);
    assert.deepEqual(
      asked.map((c) => c.id),
      [requested.id],
    );
  });
});
