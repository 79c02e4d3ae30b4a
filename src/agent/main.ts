import type Anthropic from "@anthropic-ai/sdk";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Job } from "../core/job.ts";
import { pullRequestBody, pullRequestTitle } from "../core/pull-request-body.ts";
import type { Outcome, Report } from "../core/report.ts";
import { formatCommitMessage, trailersOf } from "../core/trailers.ts";
import { runAgentLoop } from "./agent-loop.ts";
import { commitChanges } from "./commit.ts";
import { checkoutAt, isSymlink, revertPaths, statusPorcelainZ } from "./git-workspace.ts";
import type { ConnectedClient } from "./github-client.ts";
import { Heartbeat } from "./heartbeat.ts";
import { buildSystemPrompt, buildTaskMessage, type Conventions } from "./prompt.ts";
import { partitionChangedPaths } from "./sandbox/commit-scope.ts";
import { createSandbox } from "./sandbox/sandbox.ts";

/** Everything one attempt runs with; the runner builds it from the action's inputs. */
export interface AttemptContext {
  job: Job;
  /** The checkout of the repository. */
  workspace: string;
  /** A directory outside the workspace for the commands' HOME and TMPDIR. */
  tempRoot: string;
  anthropic: Anthropic;
  github: ConnectedClient;
  /** Secret values to redact from everything the job writes. */
  secrets: string[];
  /** The environment the commands' safe variables are taken from. */
  parentEnv: Readonly<Record<string, string | undefined>>;
  now: () => number;
  maxTurns: number;
  maxTokens: number;
  log: (line: string) => void;
}

/** What an attempt produced. */
export interface AttemptResult {
  report: Report;
  /** GitHub requests the attempt made, for the request budget. */
  githubRequests: number;
}

const CONVENTION_FILES = ["CLAUDE.md", "AGENTS.md"];

/** Runs one attempt of a job from checkout to report. */
export async function runAttempt(context: AttemptContext): Promise<AttemptResult> {
  const { job, github } = context;
  const { octokit } = github;
  const [owner = "", repo = ""] = job.repository.split("/");
  let requests = 0;
  const deadline = context.now() + job.limits.jobMinutes * 60_000;

  // 1. Read the issue and where the base and the agent's branch are, all at once.
  const [{ data: issue }, baseSha, branchSha] = await Promise.all([
    octokit.rest.issues.get({ owner, repo, issue_number: job.issue }),
    octokit.rest.git.getRef({ owner, repo, ref: `heads/${job.baseBranch}` }).then(({ data }) => data.object.sha),
    octokit.rest.git
      .getRef({ owner, repo, ref: `heads/${job.branch}` })
      .then(({ data }) => data.object.sha)
      .catch((error: { status?: number }) => {
        if (error.status === 404) return null;
        throw error;
      }),
  ]);
  requests += 3;

  // 2. Open the heartbeat on the starting point (the branch for rework, the base for a first or
  // fresh attempt) without waiting for it, check that point out, and build the sandbox meanwhile.
  const startSha = branchSha !== null && job.mode !== "implement" ? branchSha : baseSha;
  const heartbeat = new Heartbeat({
    octokit,
    repository: job.repository,
    intervalSeconds: job.limits.heartbeatSeconds,
    now: context.now,
    log: context.log,
  });
  heartbeat.start(startSha, `${job.agent} on #${job.issue}, attempt ${job.attempt}`);
  const [conventions, sandbox] = await Promise.all([
    checkoutAt(context.workspace, job.branch, startSha, { token: github.token }).then(() =>
      readConventions(context.workspace),
    ),
    createSandbox({
      workspace: context.workspace,
      scope: job.scope,
      protectedPaths: job.protectedPaths,
      allowedCommands: job.allowedCommands,
      tempRoot: context.tempRoot,
      secrets: context.secrets,
      parentEnv: context.parentEnv,
      onRefusal: (event) => context.log(`refused ${event.tool} (${event.rule}): ${event.message}`),
    }),
  ]);

  // 3. Run the loop; its first turn also waits for the heartbeat's check run to be open.
  const loop = await runAgentLoop(
    {
      model: job.model.id,
      price: job.model.price,
      maxTokens: context.maxTokens,
      maxTurns: context.maxTurns,
      system: buildSystemPrompt(job, conventions),
      task: buildTaskMessage(job, { title: issue.title, body: issue.body ?? "" }),
      limits: job.limits,
      deadline,
    },
    { client: context.anthropic, sandbox, now: context.now, onTurn: (progress) => heartbeat.beat(progress) },
  );

  // 4. The second wall: only in-scope changes reach the commit; the rest is reverted and reported.
  const scope = partitionChangedPaths(await statusPorcelainZ(context.workspace), sandbox.writePolicy, (p) =>
    isSymlink(context.workspace, p),
  );
  await revertPaths(context.workspace, scope.refused);
  for (const change of scope.refused) context.log(`left out of the commit: ${change.path}: ${change.reason}`);
  const paths = scope.allowed.map((change) => change.path);

  // 5. Commit what is allowed, keeping the work even when a wall stopped the loop.
  let headSha: string | null = branchSha;
  if (paths.length > 0) {
    const subject = `${issue.title.replace(/\s+/g, " ").trim().slice(0, 60)} (#${job.issue})`;
    const body = sandbox.redact(loop.summary.trim() || loop.reason);
    headSha = await commitChanges(octokit, {
      owner,
      repo,
      workspace: context.workspace,
      branch: job.branch,
      parentSha: startSha,
      remoteBranchSha: branchSha,
      message: formatCommitMessage(
        `${subject}\n\n${body.replace(/^-{3,}/gm, "—")}`,
        trailersOf(job),
        job.requestedBy,
      ),
      paths,
    });
    requests += 3;
  }
  const outcome: Outcome = loop.outcome === "done" && paths.length === 0 ? "no-changes" : loop.outcome;
  const report: Report = {
    version: 1,
    outcome,
    reason:
      outcome === "no-changes" ? "the agent finished without changing any file in its scope" : loop.reason,
    taskId: job.taskId,
    attempt: job.attempt,
    agent: job.agent,
    sessionId: job.sessionId,
    model: job.model.id,
    turns: loop.turns,
    usage: loop.usage,
    costUsd: loop.costUsd,
    tools: loop.tools,
    handoffs: loop.handoffs,
    refusals: loop.refusals,
    filesChanged: paths,
    refusedChanges: scope.refused.map((change) => ({ path: change.path, reason: change.reason })),
    commands: loop.commands,
    summary: sandbox.redact(loop.summary).slice(0, 4000),
    headSha,
    pullRequest: null,
  };

  // 6. Open or update the pull request when the work is done.
  if (outcome === "done" && headSha !== null) {
    const { data: open } = await octokit.rest.pulls.list({
      owner,
      repo,
      head: `${owner}:${job.branch}`,
      state: "open",
    });
    const existing = open[0];
    const draft = { ...report, pullRequest: existing?.number ?? null };
    const title = pullRequestTitle(job, issue.title);
    if (existing) {
      await octokit.rest.pulls.update({
        owner,
        repo,
        pull_number: existing.number,
        title,
        body: pullRequestBody(job, draft),
      });
      report.pullRequest = existing.number;
    } else {
      const { data: created } = await octokit.rest.pulls.create({
        owner,
        repo,
        head: job.branch,
        base: job.baseBranch,
        title,
        body: pullRequestBody(job, draft),
      });
      report.pullRequest = created.number;
    }
    requests += 2;
  }

  // 7. Complete the check run with the report.
  await heartbeat.complete(report, headSha);
  return { report, githubRequests: requests + heartbeat.requests };
}

async function readConventions(workspace: string): Promise<Conventions[]> {
  const found: Conventions[] = [];
  for (const file of CONVENTION_FILES) {
    const text = await readFile(path.join(workspace, file), "utf8").catch(() => undefined);
    if (text !== undefined) found.push({ file, text });
  }
  return found;
}
