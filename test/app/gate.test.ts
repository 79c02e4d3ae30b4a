import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { WebhookEventMap } from "@octokit/webhooks-types";
import { agentBranch } from "../../src/core/job.ts";
import { renderReportBlock, type Report } from "../../src/core/report.ts";
import { formatCommitMessage } from "../../src/core/trailers.ts";
import type { Attempt } from "../../src/ledger/index.ts";
import { FULL_NAME, GOOD_SPEC, OWNER, REPO, startHarness, type Harness } from "./harness.ts";
import { webhookExample } from "./webhook-examples.ts";

const o = { owner: OWNER, repo: REPO };

describe("the gate", () => {
  let h: Harness;
  before(async () => {
    // Every passing pull request is sampled for review; with no reviewers named, it waits for a person's word.
    h = await startHarness({
      files: { ".github/swarm.yml": "review:\n  sampleRate: 1\n" },
    });
  });
  after(() => h.close());

  /** Opens a task on a new issue and lets the app dispatch its first attempt. */
  async function dispatched(title: string): Promise<{ issue: number; attempt: Attempt }> {
    const issue = h.sim.world.createIssue(FULL_NAME, { title, body: GOOD_SPEC, author: "alice" });
    await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
    const attempt = await h.ledger.attempts.get({ repo: FULL_NAME, issueNumber: issue.number }, 1);
    assert.ok(attempt?.workflowRunId, "the app dispatched attempt 1");
    return { issue: issue.number, attempt };
  }

  /** The agent's work: one commit of `files` on its branch (with its trailers unless `trailers` is false) and a pull request. */
  async function agentPull(
    task: { issue: number; attempt: Attempt },
    files: Record<string, string>,
    trailers = true,
  ): Promise<{ number: number; sha: string }> {
    const octokit = await h.probot.auth(h.installation.id);
    const main = await octokit.rest.git.getRef({ ...o, ref: "heads/main" });
    const base = await octokit.rest.git.getCommit({ ...o, commit_sha: main.data.object.sha });
    const tree = await octokit.rest.git.createTree({
      ...o,
      base_tree: base.data.tree.sha,
      tree: Object.entries(files).map(([path, content]) => ({
        path,
        mode: "100644" as const,
        type: "blob" as const,
        content,
      })),
    });
    const a = task.attempt;
    const message = trailers
      ? formatCommitMessage("Add greet", {
          "Swarm-Agent": a.agent,
          "Swarm-Task": `${FULL_NAME}#${task.issue}`,
          "Swarm-Model": a.model,
          "Swarm-Session": a.sessionId ?? "",
          "Swarm-Attempt": a.number,
        })
      : "Add greet";
    const commit = await octokit.rest.git.createCommit({
      ...o,
      message,
      tree: tree.data.sha,
      parents: [main.data.object.sha],
    });
    // The agent's report, as its workflow leaves it on the head: the gate judges the budget from it.
    await octokit.rest.checks.create({
      ...o,
      name: "swarm/agent",
      head_sha: commit.data.sha,
      status: "completed",
      conclusion: "success",
      output: { title: "done", summary: "done", text: renderReportBlock(reportOf(task)) },
    });
    const branch = agentBranch(task.issue, a.agent);
    await octokit.rest.git.createRef({ ...o, ref: `refs/heads/${branch}`, sha: commit.data.sha });
    const pull = await octokit.rest.pulls.create({
      ...o,
      head: branch,
      base: "main",
      title: "Add greet",
      body: `Closes #${task.issue}`,
    });
    return { number: pull.data.number, sha: commit.data.sha };
  }

  /** A report of the attempt that stayed within its budget. */
  function reportOf(task: { issue: number; attempt: Attempt }): Report {
    const a = task.attempt;
    return {
      version: 1,
      outcome: "done",
      reason: "finished",
      taskId: `${FULL_NAME}#${task.issue}`,
      attempt: a.number,
      agent: a.agent,
      sessionId: a.sessionId ?? "",
      model: a.model,
      turns: 3,
      usage: { input: 1200, output: 300, cacheWrite: 0, cacheRead: 800 },
      costUsd: 0.02,
      tools: { write_file: 1 },
      handoffs: 0,
      refusals: 0,
      filesChanged: ["src/greet.ts"],
      refusedChanges: [],
      commands: [],
      summary: "Added greet.",
      headSha: null,
      pullRequest: null,
    };
  }

  /** Delivers the attempt's run finishing as GitHub reports it. */
  async function runCompleted(task: { issue: number; attempt: Attempt }, conclusion: string): Promise<void> {
    const payload = webhookExample("workflow_run", "completed");
    const like = h.labeled(task.issue, "swarm:ready", "alice");
    Object.assign(payload, {
      repository: like.repository,
      installation: like.installation,
      sender: like.sender,
    });
    Object.assign(payload.workflow_run, { id: task.attempt.workflowRunId, status: "completed", conclusion });
    await h.deliver("workflow_run", payload as WebhookEventMap["workflow_run"]);
  }

  const gateRuns = (sha: string) =>
    [...(h.sim.world.repo(FULL_NAME)?.checkRuns.values() ?? [])].filter(
      (r) => r.name === "swarm/gate" && r.headSha === sha,
    );

  const taskOf = (issue: number) => h.ledger.tasks.get({ repo: FULL_NAME, issueNumber: issue });
  const jobOfRun = (runId: number | null) => {
    const run = runId === null ? undefined : h.sim.world.repo(FULL_NAME)?.workflowRuns.get(runId);
    assert.ok(run, `workflow run ${runId} exists`);
    return JSON.parse(String(run.inputs.job)) as {
      attempt: number;
      mode: string;
      findings: { file?: string }[];
    };
  };

  it("passes an in-scope pull request whose commits carry the trailers and holds it for the sampled review", async () => {
    const task = await dispatched("Greet in English");
    const pull = await agentPull(task, { "src/greet.ts": "export const greet = () => 'hello';\n" });
    await runCompleted(task, "success");
    const runs = gateRuns(pull.sha);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]?.conclusion, "success");
    assert.match(runs[0]?.output.summary ?? "", /Scope/);
    assert.equal((await taskOf(task.issue))?.state, "in-review");
    const policy = (await h.ledger.reviews.list(FULL_NAME, pull.number)).filter((r) => r.kind === "policy");
    assert.deepEqual(
      policy.map((r) => [r.headSha, r.verdict]),
      [[pull.sha, "spot-check"]],
    );
    const verdicts = await h.ledger.reviews.gates({
      repo: FULL_NAME,
      pullNumber: pull.number,
      headSha: pull.sha,
    });
    assert.ok(verdicts.length > 0 && verdicts.every((g) => g.verdict === "pass"));

    // The merge queue tests the pull request in a group; the gate reports on the group's head.
    const group = webhookExample("merge_group", "checks_requested");
    const like = h.labeled(task.issue, "swarm:ready", "alice");
    const octokit = await h.probot.auth(h.installation.id);
    const main = await octokit.rest.git.getRef({ ...o, ref: "heads/main" });
    Object.assign(group, {
      repository: like.repository,
      installation: like.installation,
      sender: like.sender,
    });
    Object.assign(group.merge_group, {
      head_sha: main.data.object.sha,
      // GitHub's ref ends with the sha the group was built on, not the pull request's head.
      head_ref: `refs/heads/gh-readonly-queue/main/pr-${pull.number}-${main.data.object.sha}`,
    });
    await h.deliver("merge_group", group);
    const [reported] = gateRuns(main.data.object.sha);
    assert.equal(reported?.conclusion, "success");
  });

  it("fails an out-of-scope edit with a finding naming the file and line, and reworks with it", async () => {
    const task = await dispatched("Greet in French");
    const outside = "line one\nline two\nline three\n";
    const pull = await agentPull(task, {
      "src/greet.ts": "export const greet = () => 'hello';\n",
      "README.md": `# widgets\n${outside}`,
    });
    await runCompleted(task, "success");
    const [run] = gateRuns(pull.sha);
    assert.equal(run?.conclusion, "failure");
    const annotations = run?.output.annotations as { path: string; start_line: number; message: string }[];
    const readme = annotations.find((a) => a.path === "README.md");
    assert.ok(readme, "an annotation names README.md");
    // The README's first line is unchanged; the change starts on its second line.
    assert.equal(readme.start_line, 2);
    const second = await h.ledger.attempts.get({ repo: FULL_NAME, issueNumber: task.issue }, 2);
    assert.ok(second, "a rework attempt was dispatched");
    const job = jobOfRun(second.workflowRunId);
    assert.equal(job.mode, "rework");
    assert.ok(job.findings.some((f) => f.file === "README.md"));
  });

  it("refuses a pull request whose commit has no Swarm trailers", async () => {
    const task = await dispatched("Greet in German");
    const pull = await agentPull(task, { "src/greet.ts": "export const greet = () => 'hi';\n" }, false);
    await runCompleted(task, "success");
    const [run] = gateRuns(pull.sha);
    assert.equal(run?.conclusion, "failure");
    assert.match(run?.output.summary ?? "", /Swarm-Agent is missing/);
    const verdicts = await h.ledger.reviews.gates({
      repo: FULL_NAME,
      pullNumber: pull.number,
      headSha: pull.sha,
    });
    assert.equal(verdicts.find((g) => g.gate === "attribution")?.verdict, "fail");
  });

  it("records no OpenAPI violation", () => {
    h.sim.assertNoViolations();
  });
});
