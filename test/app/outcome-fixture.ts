import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Octokit } from "@octokit/rest";
import { parseJob, type Job } from "../../src/core/job.ts";
import { renderReportBlock } from "../../src/core/report.ts";
import { formatCommitMessage, trailersOf } from "../../src/core/trailers.ts";
import { openLedger, type Ledger } from "../../src/ledger/index.ts";
import type { GraphqlRoots } from "../../src/sim/github/graphql-endpoint.ts";
import { startGitHubSim, type GitHubSim } from "../../src/sim/github/server.ts";
import type { SimEventEnvelope } from "../../src/sim/github/sim-events.ts";
import type { FaultPlan } from "../../src/sim/github/webhooks/delivery.ts";
import { registerSwarmApp, startSwarmAppOnSim, type SwarmAppOnSim } from "../../src/sim/swarm-app.ts";
import { AGENT_WORKFLOW } from "./harness.ts";

// The app end to end on the offline GitHub: real signed webhooks, the repository's ruleset with a
// merge queue and required checks, and a scripted agent and CI standing in for the workflow runs.

export const OWNER = "acme";
export const REPO = "gadgets";
export const FULL = `${OWNER}/${REPO}`;
const o = { owner: OWNER, repo: REPO };

const CONFIG = [
  "maxAttempts: 3",
  "review:",
  "  sampleRate: 0",
  "  alwaysReview: ['src/auth/**']",
  "  reviewers: ['alice']",
  "",
].join("\n");

/** What the scripted agent does on each attempt of a task, and how CI judges its work. */
export interface Script {
  /** Files the attempt writes (an out-of-scope one makes the gate fail). */
  files(attempt: number): Record<string, string>;
  /** CI's verdict on the merge group of an attempt's pull request. */
  groupCi(attempt: number): "success" | "failure";
  /**
   * Whether CI's `test` check on the head is still running when the agent's run ends (the
   * default is finished, green): the caller then finishes it with `finishHeadCheck`.
   */
  headCi?: "green" | "running";
  /** The branch the pull request merges into (the default is the default branch, main). */
  base?: string;
}

/** The offline GitHub with the app, a scripted agent and CI, and a person (alice) who writes. */
export interface OutcomeWorld {
  sim: GitHubSim;
  ledger: Ledger;
  swarm: SwarmAppOnSim;
  alice: Octokit;
  /** The app's installation on the repository. */
  installationId: number;
  /** Opens an issue with a spec scoped to `file`, labels it ready and waits until all is quiet. */
  task(title: string, file: string, script: Script): Promise<number>;
  /** Waits until the app, the queue and the scripted agent and CI have nothing left to do. */
  settle(): Promise<void>;
  /** The id of CI's `test` check left running on a task's head (`headCi: "running"`). */
  runningHeadCheck(issue: number): number | undefined;
  /** Finishes CI's running `test` check on a task's head, green. */
  finishHeadCheck(issue: number): Promise<void>;
  /** Starts CI's `test` check again on an agent's head (`sha`): running until `finishHeadCheck`. */
  restartHeadCheck(sha: string): Promise<void>;
  /** Delivers the app's webhooks with these faults from now on (undefined: none). */
  setFaults(plan: FaultPlan | undefined): void;
  close(): Promise<void>;
}

function spec(file: string): string {
  return [
    "Do the thing.",
    "",
    "## Acceptance criteria",
    "- [ ] it works",
    "",
    "## Files",
    `- \`${file}\``,
  ].join("\n");
}

/**
 * Starts the offline GitHub, the app on it and the scripted agent and CI; `graphql` replaces
 * GitHub's resolvers of those GraphQL root fields (to act as a request arrives).
 */
export async function startOutcomeWorld(graphql?: GraphqlRoots): Promise<OutcomeWorld> {
  const sim = await startGitHubSim(graphql === undefined ? {} : { graphql });
  const app = registerSwarmApp(sim);
  const installation = sim.world.installApp(app.id, OWNER);
  const folder = await mkdtemp(join(tmpdir(), "swarm-outcomes-"));
  const files = {
    "README.md": "# gadgets\n",
    ".github/swarm.yml": CONFIG,
    ".github/workflows/swarm-agent.yml": AGENT_WORKFLOW,
    "src/index.ts": "export {};\n",
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  await sim.world.createRepo({ owner: OWNER, name: REPO, fromFolder: folder });
  await rm(folder, { recursive: true, force: true });
  sim.world.createRuleset(FULL, {
    name: "default branch",
    enforcement: "active",
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [
      { type: "merge_queue" },
      {
        type: "required_status_checks",
        parameters: {
          required_status_checks: [{ context: "test" }, { context: "swarm/gate" }],
          strict_required_status_checks_policy: false,
        },
      },
    ],
  });
  const { token } = sim.world.createUser("alice");
  sim.world.addCollaborator(FULL, "alice", "write");
  const alice = new Octokit({ baseUrl: sim.url, auth: token });
  // The repository's CI and the agent's workflow write as an app installed on the repository.
  const ci = new Octokit({ baseUrl: sim.url, auth: sim.world.mintInstallationToken(installation.id).token });
  const ledger = await openLedger({ url: ":memory:" });
  let faults: FaultPlan | undefined;
  const swarm = await startSwarmAppOnSim(sim, app, { ledger, faults: (d) => faults?.(d) });
  const scripts = new Map<number, Script>();
  const running = new Map<number, number>();
  // The issue of each head the scripted agent pushed.
  const heads = new Map<string, number>();
  const work = new Set<Promise<void>>();
  const failures: unknown[] = [];

  function track(p: Promise<unknown>): void {
    const w = p.then(
      () => undefined,
      (error: unknown) => void failures.push(error),
    );
    work.add(w);
    void w.finally(() => work.delete(w));
  }

  async function settle(): Promise<void> {
    for (let round = 0; round < 200; round++) {
      await swarm.idle();
      await sim.world.mergeQueues.idle();
      if (work.size === 0) {
        await swarm.idle();
        if (work.size === 0) break;
      }
      await Promise.all([...work]);
    }
    assert.deepEqual(failures, []);
  }

  async function lifecycleAttempt(issue: number): Promise<number> {
    return (await ledger.tasks.get({ repo: FULL, issueNumber: issue }))?.attempts ?? 0;
  }

  async function check(sha: string, name: string, conclusion: "success" | "failure", summary: string) {
    await ci.rest.checks.create({
      ...o,
      name,
      head_sha: sha,
      status: "completed",
      conclusion,
      output: {
        title: conclusion === "success" ? "passed" : "failed",
        summary,
        ...(conclusion === "failure"
          ? {
              annotations: [
                {
                  path: "src/index.ts",
                  start_line: 1,
                  end_line: 1,
                  annotation_level: "failure" as const,
                  message: "expected 2, got 3",
                },
              ],
            }
          : {}),
      },
    });
  }

  /** The scripted agent: the job's commit with trailers on its branch, the pull request, the report, CI on the head. */
  async function runAgent(runId: number): Promise<void> {
    const run = sim.world.repo(FULL)?.workflowRuns.get(runId);
    assert.ok(run);
    const job: Job = parseJob(String(run.inputs.job));
    const script = scripts.get(job.issue);
    assert.ok(script, `a script for #${job.issue}`);
    sim.world.updateWorkflowRun(FULL, runId, { status: "in_progress" });
    const main = await ci.rest.git.getRef({ ...o, ref: "heads/main" });
    // Listing the matching refs answers an absent branch with an empty list rather than a 404.
    const refs = await ci.rest.git.listMatchingRefs({ ...o, ref: `heads/${job.branch}` });
    const existing = refs.data.find((r) => r.ref === `refs/heads/${job.branch}`) ?? null;
    const parent = job.mode === "implement" || existing === null ? main.data.object.sha : existing.object.sha;
    const base = await ci.rest.git.getCommit({ ...o, commit_sha: parent });
    const tree = await ci.rest.git.createTree({
      ...o,
      base_tree: base.data.tree.sha,
      tree: Object.entries(script.files(job.attempt)).map(([path, content]) => ({
        path,
        mode: "100644" as const,
        type: "blob" as const,
        content,
      })),
    });
    const commit = await ci.rest.git.createCommit({
      ...o,
      message: formatCommitMessage(`Attempt ${job.attempt}`, trailersOf(job)),
      tree: tree.data.sha,
      parents: [parent],
    });
    const sha = commit.data.sha;
    heads.set(sha, job.issue);
    if (existing === null) await ci.rest.git.createRef({ ...o, ref: `refs/heads/${job.branch}`, sha });
    else await ci.rest.git.updateRef({ ...o, ref: `heads/${job.branch}`, sha, force: true });
    const open = await ci.rest.pulls.list({ ...o, head: `${OWNER}:${job.branch}`, state: "open" });
    if (open.data.length === 0)
      await ci.rest.pulls.create({
        ...o,
        head: job.branch,
        base: script.base ?? "main",
        title: `Task #${job.issue}`,
        // Like the agent's, the body ends with the trailers, which a squash merge may take as its message.
        body: formatCommitMessage(`Closes #${job.issue}`, trailersOf(job)),
      });
    if (script.headCi === "running") {
      const test = await ci.rest.checks.create({ ...o, name: "test", head_sha: sha, status: "in_progress" });
      running.set(job.issue, test.data.id);
    } else await check(sha, "test", "success", "the head's tests");
    await ci.rest.checks.create({
      ...o,
      name: "swarm/agent",
      head_sha: sha,
      status: "completed",
      conclusion: "success",
      output: {
        title: "done",
        summary: "done",
        text: renderReportBlock({
          version: 1,
          outcome: "done",
          reason: "finished",
          taskId: job.taskId,
          attempt: job.attempt,
          agent: job.agent,
          sessionId: job.sessionId,
          model: job.model.id,
          turns: 4,
          usage: { input: 1000, output: 250, cacheWrite: 0, cacheRead: 500 },
          costUsd: 0.05,
          tools: {},
          handoffs: 0,
          refusals: 0,
          filesChanged: Object.keys(script.files(job.attempt)),
          refusedChanges: [],
          commands: [],
          summary: "done",
          headSha: sha,
          pullRequest: null,
        }),
      },
    });
    sim.world.updateWorkflowRun(FULL, runId, { status: "completed", conclusion: "success" });
  }

  sim.world.events.on("event", (e: SimEventEnvelope) => {
    if (e.payload.name === "workflow_run" && e.payload.action === "requested")
      track(runAgent(e.payload.runId));
  });
  sim.world.mergeQueues.onMergeGroup((group) => {
    const pull = Number(/\/pr-(\d+)-/.exec(group.headRef)?.[1]);
    const issue = Number(/^swarm\/(\d+)-/.exec(sim.world.repo(FULL)?.pulls.get(pull)?.head ?? "")?.[1]);
    track(
      lifecycleAttempt(issue).then((n) =>
        check(group.headSha, "test", scripts.get(issue)?.groupCi(n) ?? "success", "the group's tests"),
      ),
    );
  });

  return {
    sim,
    ledger,
    swarm,
    alice,
    installationId: installation.id,
    async task(title, file, script) {
      const issue = await alice.rest.issues.create({ ...o, title, body: spec(file) });
      scripts.set(issue.data.number, script);
      await alice.rest.issues.addLabels({ ...o, issue_number: issue.data.number, labels: ["swarm:ready"] });
      await settle();
      return issue.data.number;
    },
    settle,
    runningHeadCheck: (issue) => running.get(issue),
    async finishHeadCheck(issue) {
      const id = running.get(issue);
      assert.ok(id !== undefined, `a running head check for #${issue}`);
      await ci.rest.checks.update({
        ...o,
        check_run_id: id,
        status: "completed",
        conclusion: "success",
        output: { title: "passed", summary: "the head's tests" },
      });
    },
    async restartHeadCheck(sha) {
      const issue = heads.get(sha);
      assert.ok(issue !== undefined, `an agent's head ${sha}`);
      const test = await ci.rest.checks.create({ ...o, name: "test", head_sha: sha, status: "in_progress" });
      running.set(issue, test.data.id);
    },
    setFaults: (plan) => void (faults = plan),
    async close() {
      await swarm.close();
      await ledger.close();
      await sim.close();
    },
  };
}
