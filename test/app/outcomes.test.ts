import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/rest";
import { parseJob, type Job } from "../../src/core/job.ts";
import { renderReportBlock } from "../../src/core/report.ts";
import { formatCommitMessage } from "../../src/core/trailers.ts";
import { openLedger, type Ledger } from "../../src/ledger/index.ts";
import { startGitHubSim, type GitHubSim } from "../../src/sim/github/server.ts";
import type { SimEventEnvelope } from "../../src/sim/github/sim-events.ts";
import type { FaultPlan } from "../../src/sim/github/webhooks/delivery.ts";
import { registerSwarmApp, startSwarmAppOnSim, type SwarmAppOnSim } from "../../src/sim/swarm-app.ts";

// The app end to end on the offline GitHub: real signed webhooks, the repository's ruleset with a
// merge queue and required checks, and a scripted agent and CI standing in for the workflow runs.

const OWNER = "acme";
const REPO = "gadgets";
const FULL = `${OWNER}/${REPO}`;
const o = { owner: OWNER, repo: REPO };

const CONFIG = [
  "maxAttempts: 3",
  "review:",
  "  sampleRate: 0",
  "  alwaysReview: ['src/auth/**']",
  "  reviewers: ['alice']",
  "",
].join("\n");

const WORKFLOW = [
  "name: swarm agent",
  "run-name: swarm ${{ fromJSON(inputs.job).sessionId }}",
  "on:",
  "  workflow_dispatch:",
  "    inputs:",
  "      job:",
  "        required: true",
  "jobs:",
  "  agent:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo working",
  "",
].join("\n");

/** What the scripted agent does on each attempt of a task, and how CI judges its work. */
interface Script {
  /** Files the attempt writes (an out-of-scope one makes the gate fail). */
  files(attempt: number): Record<string, string>;
  /** CI's verdict on the merge group of an attempt's pull request. */
  groupCi(attempt: number): "success" | "failure";
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

describe("outcomes end to end on the offline GitHub", () => {
  let sim: GitHubSim;
  let ledger: Ledger;
  let swarm: SwarmAppOnSim;
  let ci: Octokit;
  let alice: Octokit;
  const scripts = new Map<number, Script>();
  const work = new Set<Promise<void>>();
  const failures: unknown[] = [];
  let faults: FaultPlan | undefined;

  before(async () => {
    sim = await startGitHubSim();
    const app = registerSwarmApp(sim);
    const installation = sim.world.installApp(app.id, OWNER);
    const folder = await mkdtemp(join(tmpdir(), "swarm-outcomes-"));
    const files = {
      "README.md": "# gadgets\n",
      ".github/swarm.yml": CONFIG,
      ".github/workflows/swarm-agent.yml": WORKFLOW,
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
    alice = new Octokit({ baseUrl: sim.url, auth: token });
    // The repository's CI and the agent's workflow write as an app installed on the repository.
    ci = new Octokit({ baseUrl: sim.url, auth: sim.world.mintInstallationToken(installation.id).token });
    ledger = await openLedger({ url: ":memory:" });
    swarm = await startSwarmAppOnSim(sim, app, { ledger, faults: (d) => faults?.(d) });
    sim.world.events.on("event", (e: SimEventEnvelope) => {
      if (e.payload.name === "workflow_run" && e.payload.action === "requested")
        track(runAgent(e.payload.runId));
    });
    sim.world.mergeQueues.onMergeGroup((group) => {
      const pull = Number(/\/pr-(\d+)-/.exec(group.headRef)?.[1]);
      const issue = Number(/^swarm\/(\d+)-/.exec(sim.world.repo(FULL)?.pulls.get(pull)?.head ?? "")?.[1]);
      const attempt = lifecycleAttempt(issue);
      track(
        attempt.then((n) =>
          check(group.headSha, "test", scripts.get(issue)?.groupCi(n) ?? "success", "the group's tests"),
        ),
      );
    });
  });

  after(async () => {
    await swarm.close();
    await ledger.close();
    await sim.close();
  });

  function track(p: Promise<unknown>): void {
    const w = p.then(
      () => undefined,
      (error: unknown) => void failures.push(error),
    );
    work.add(w);
    void w.finally(() => work.delete(w));
  }

  /** Waits until the app, the queue and the scripted agent and CI have nothing left to do. */
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
    const existing = await ci.rest.git.getRef({ ...o, ref: `heads/${job.branch}` }).catch(() => null);
    const parent =
      job.mode === "implement" || existing === null ? main.data.object.sha : existing.data.object.sha;
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
      message: formatCommitMessage(`Attempt ${job.attempt}`, {
        "Swarm-Agent": job.agent,
        "Swarm-Task": job.taskId,
        "Swarm-Model": job.model.id,
        "Swarm-Session": job.sessionId,
        "Swarm-Attempt": job.attempt,
      }),
      tree: tree.data.sha,
      parents: [parent],
    });
    const sha = commit.data.sha;
    if (existing === null) await ci.rest.git.createRef({ ...o, ref: `refs/heads/${job.branch}`, sha });
    else await ci.rest.git.updateRef({ ...o, ref: `heads/${job.branch}`, sha, force: true });
    const open = await ci.rest.pulls.list({ ...o, head: `${OWNER}:${job.branch}`, state: "open" });
    if (open.data.length === 0)
      await ci.rest.pulls.create({
        ...o,
        head: job.branch,
        base: "main",
        title: `Task #${job.issue}`,
        body: `Closes #${job.issue}`,
      });
    await check(sha, "test", "success", "the head's tests");
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

  async function task(title: string, file: string, script: Script): Promise<number> {
    const issue = await alice.rest.issues.create({ ...o, title, body: spec(file) });
    scripts.set(issue.data.number, script);
    await alice.rest.issues.addLabels({ ...o, issue_number: issue.data.number, labels: ["swarm:ready"] });
    await settle();
    return issue.data.number;
  }

  const stored = (issue: number) => ledger.tasks.get({ repo: FULL, issueNumber: issue });
  const commentsOf = async (issue: number) =>
    (await alice.rest.issues.listComments({ ...o, issue_number: issue, per_page: 100 })).data.map(
      (c) => c.body ?? "",
    );

  it("takes a task from label to merged through the queue, closes the issue with a summary and records the merge", async () => {
    const issue = await task("Happy", "src/happy.ts", {
      files: () => ({ "src/happy.ts": "export const happy = true;\n" }),
      groupCi: () => "success",
    });
    const t = await stored(issue);
    assert.equal(t?.state, "merged");
    const state = await alice.rest.issues.get({ ...o, issue_number: issue });
    assert.equal(state.data.state, "closed");
    assert.ok(state.data.labels.some((l) => (typeof l === "string" ? l : l.name) === "swarm:done"));
    const summary = (await commentsOf(issue)).find((c) => c.startsWith("**Merged in"));
    assert.ok(summary, "the merged summary comment");
    assert.match(summary, /\| builder-\d+ \| claude-[^|]+ \| 1 \| 1,750 \| \$0\.05 \|/);
    const [attempt] = await ledger.attempts.list({ repo: FULL, issueNumber: issue });
    assert.equal(attempt?.verdict, "merged");
    const enqueued = (await ledger.events.list({ repo: FULL, issueNumber: issue })).filter(
      (e) => e.action === "merge.enqueued",
    );
    assert.equal(enqueued.length, 1, "enqueued once");
    // Requests on the app's side for the whole task, the target being 16.
    const requests = swarm.deps.requests.forTask(FULL, issue);
    console.log(`app requests for the happy path: ${requests}`);
  });

  it("reads an issue closed by its merged pull request's closing keyword as the merge, whichever webhook comes first", async () => {
    // Hold back the pull request's `closed` webhook so the issue's arrives first.
    faults = (d) => (d.event === "pull_request" && d.action === "closed" ? { delay: 5 } : undefined);
    try {
      const issue = await task("Closed by keyword", "src/keyword.ts", {
        files: () => ({ "src/keyword.ts": "export const keyword = true;\n" }),
        groupCi: () => "success",
      });
      assert.equal((await stored(issue))?.state, "merged");
      const events = (await ledger.events.list({ repo: FULL, issueNumber: issue })).map((e) => e.action);
      assert.ok(events.includes("task.merged"), "the merge is recorded");
      assert.ok(!events.includes("task.cancelled"), "no cancel is recorded");
    } finally {
      faults = undefined;
    }
  });

  it("sends an out-of-scope edit back through a red gate, then merges the reworked, in-scope attempt", async () => {
    const issue = await task("Scope", "src/scope.ts", {
      files: (n) =>
        n === 1
          ? { "src/scope.ts": "export const a = 1;\n", "README.md": "# changed\n" }
          : { "README.md": "# gadgets\n", "src/scope.ts": "export const a = 2;\n" },
      groupCi: () => "success",
    });
    const attempts = await ledger.attempts.list({ repo: FULL, issueNumber: issue });
    assert.deepEqual(
      attempts.map((a) => [a.mode, a.verdict]),
      [
        ["implement", "rejected"],
        ["rework", "merged"],
      ],
    );
    assert.equal((await stored(issue))?.state, "merged");
  });

  it("turns a red CI in the merge group into a dequeue and a rework carrying the check's annotation", async () => {
    const issue = await task("Red group", "src/red.ts", {
      files: (n) => ({ "src/red.ts": `export const red = ${n};\n` }),
      groupCi: (n) => (n === 1 ? "failure" : "success"),
    });
    const attempts = await ledger.attempts.list({ repo: FULL, issueNumber: issue });
    assert.equal(attempts[0]?.verdict, "rejected");
    const job = parseJob(
      String(sim.world.repo(FULL)?.workflowRuns.get(attempts[1]?.workflowRunId ?? 0)?.inputs.job),
    );
    assert.equal(job.mode, "rework");
    assert.ok(job.findings.some((f) => f.gate === "check:test" && f.file === "src/index.ts" && f.line === 1));
    assert.equal((await stored(issue))?.state, "merged");
  });

  it("escalates after three failures with a comment listing each attempt and what is needed", async () => {
    const issue = await task("Never", "src/never.ts", {
      files: (n) => ({ "src/never.ts": `export const n = ${n};\n`, "README.md": `# out of scope ${n}\n` }),
      groupCi: () => "success",
    });
    assert.equal((await stored(issue))?.state, "needs-human");
    const escalation = (await commentsOf(issue)).find((c) => c.includes("needs a person"));
    assert.ok(escalation);
    assert.match(escalation, /attempt 3 of 3 failed/);
    for (const n of [1, 2, 3])
      assert.match(escalation, new RegExp(`\\| ${n} \\| builder-\\d+ \\|[^\\n]*\\| rejected \\|`));
    assert.match(escalation, /README\.md/);
    assert.match(escalation, /What is needed/);
    const state = await alice.rest.issues.get({ ...o, issue_number: issue });
    assert.ok(state.data.labels.some((l) => (typeof l === "string" ? l : l.name) === "swarm:needs-human"));
  });

  it("holds a sensitive change for review until a writer's /swarm approve releases it to the queue", async () => {
    const issue = await task("Auth", "src/auth/login.ts", {
      files: () => ({ "src/auth/login.ts": "export const login = () => true;\n" }),
      groupCi: () => "success",
    });
    assert.equal((await stored(issue))?.state, "in-review");
    const pull = (await stored(issue))?.pullNumber ?? 0;
    const requested = await alice.rest.pulls.listRequestedReviewers({ ...o, pull_number: pull });
    assert.deepEqual(
      requested.data.users.map((u) => u.login),
      ["alice"],
    );
    await alice.rest.issues.createComment({ ...o, issue_number: issue, body: "/swarm approve" });
    await settle();
    assert.equal((await stored(issue))?.state, "merged");
    const human = (await ledger.reviews.list(FULL, pull)).filter((r) => r.kind === "human");
    assert.deepEqual(
      human.map((r) => [r.reviewer, r.verdict, r.reason]),
      [["alice", "approved", "/swarm approve"]],
    );
  });

  it("records no OpenAPI or webhook violation", () => {
    sim.assertNoViolations();
  });
});
