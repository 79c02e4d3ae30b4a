import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Job } from "../core/job.ts";
import { pullRequestBody, pullRequestTitle } from "../core/pull-request-body.ts";
import { AGENT_CHECK_NAME, type Report } from "../core/report.ts";
import { formatCommitMessage, trailersOf } from "../core/trailers.ts";
import { loopStoppedBeforeStart, runAgentLoop, type LoopResult } from "./agent-loop.ts";
import { commitChanges } from "./commit.ts";
import { checkoutAt, isSymlink, removeUntracked, revertPaths, statusPorcelainZ } from "./git-workspace.ts";
import type { ConnectedClient } from "./github-client.ts";
import { Heartbeat } from "./heartbeat.ts";
import { buildSystemPrompt, buildTaskMessage, type Conventions } from "./prompt.ts";
import { partitionChangedPaths } from "./sandbox/commit-scope.ts";
import { createRedactor, type Redactor } from "./sandbox/redactor.ts";
import { createSandbox, type Sandbox } from "./sandbox/sandbox.ts";
import type { ModelClient } from "./model-client.ts";

/** Everything one attempt runs with; the runner builds it from the action's inputs. */
export interface AttemptContext {
  job: Job;
  /** The checkout of the repository. */
  workspace: string;
  /** A directory outside the workspace for the commands' HOME and TMPDIR. */
  tempRoot: string;
  anthropic: ModelClient;
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
  const deadline = context.now() + job.limits.jobMinutes * 60_000;
  const redact = createRedactor(context.secrets);

  // 1. Read the issue and where the base and the agent's branch are, all at once. Meanwhile clear
  // the checkout of untracked files and build the sandbox, which need none of that. Nothing has
  // started yet, so a failed read simply fails the attempt; a failure to prepare is reported in
  // step 2.
  const reads = Promise.all([
    octokit.rest.issues.get({ owner, repo, issue_number: job.issue }),
    octokit.rest.git
      .getRef({ owner, repo, ref: `heads/${job.baseBranch}` })
      .then(({ data }) => data.object.sha),
    octokit.rest.git
      .getRef({ owner, repo, ref: `heads/${job.branch}` })
      .then(({ data }) => data.object.sha)
      .catch((error: { status?: number }) => {
        if (error.status === 404) return null;
        throw error;
      }),
  ]);
  const cleared = removeUntracked(context.workspace);
  const sandboxBuilt = createSandbox({
    workspace: context.workspace,
    scope: job.scope,
    protectedPaths: job.protectedPaths,
    allowedCommands: job.allowedCommands,
    tempRoot: context.tempRoot,
    secrets: context.secrets,
    parentEnv: context.parentEnv,
    onRefusal: (event) => context.log(`refused ${event.tool} (${event.rule}): ${event.message}`),
  });
  // Awaited in step 2; until then a failure must not count as an unhandled rejection.
  for (const preparing of [cleared, sandboxBuilt]) preparing.catch(() => undefined);
  const [{ data: issue }, baseSha, branchSha] = await reads;

  // 2. Open the heartbeat on the starting point (the branch for rework, the base for a first or
  // fresh attempt) without waiting for it, and check that point out. From here on every failure
  // ends in a report on the check run.
  const startSha = branchSha !== null && job.mode !== "implement" ? branchSha : baseSha;
  const heartbeat = new Heartbeat({
    octokit,
    repository: job.repository,
    intervalSeconds: job.limits.heartbeatSeconds,
    now: context.now,
    log: context.log,
  });
  heartbeat.start(startSha, `${job.agent} on #${job.issue}, attempt ${job.attempt}`);
  const complete = async (report: Report): Promise<AttemptResult> => {
    try {
      await heartbeat.complete(report, report.headSha);
    } catch (error) {
      report.outcome = "error";
      report.reason = `the report could not be written to the ${AGENT_CHECK_NAME} check run: ${messageOf(error, redact)}`;
    }
    return { report, githubRequests: github.requests() };
  };
  const prepared = await Promise.all([
    cleared
      .then(() => checkoutAt(context.workspace, job.branch, startSha, { token: github.token }))
      .then(() => readConventions(context.workspace)),
    sandboxBuilt,
  ]).catch((error: unknown) => messageOf(error, redact));
  if (typeof prepared === "string") {
    const stopped = loopStoppedBeforeStart("error", `preparing the workspace failed: ${prepared}`);
    return complete(reportOf(job, stopped, { headSha: branchSha, summary: "" }));
  }
  const [conventions, sandbox] = prepared;

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
  const report = reportOf(job, loop, { headSha: branchSha, summary: sandbox.redact(loop.summary) });

  // 4-6. Commit what the second wall allows and open the pull request. The commit keeps the work
  // even when a wall stopped the loop; a GitHub failure that outlasts the retries ends the
  // attempt as `error` with its usage kept, and leaves the branch where it was or on the commit.
  try {
    await publish(context, { issueTitle: issue.title, startSha, branchSha }, sandbox, loop, report);
  } catch (error) {
    report.outcome = "error";
    report.reason = `publishing the work failed: ${messageOf(error, redact)}`;
  }

  // 7. Complete the check run with the report.
  return complete(report);
}

/** The report of an attempt whose loop ended as `loop`, before anything was committed. */
function reportOf(job: Job, loop: LoopResult, at: { headSha: string | null; summary: string }): Report {
  return {
    version: 1,
    outcome: loop.outcome,
    reason: loop.reason,
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
    filesChanged: [],
    refusedChanges: [],
    commands: loop.commands,
    summary: at.summary.slice(0, 4000),
    headSha: at.headSha,
    pullRequest: null,
  };
}

/** Steps 4 to 6: the second wall, the commit and the pull request, recorded in `report` as they succeed. */
async function publish(
  context: AttemptContext,
  at: { issueTitle: string; startSha: string; branchSha: string | null },
  sandbox: Sandbox,
  loop: LoopResult,
  report: Report,
): Promise<void> {
  const { job } = context;
  const { octokit } = context.github;
  const [owner = "", repo = ""] = job.repository.split("/");

  // 4. The second wall: only in-scope changes reach the commit; the rest is reverted and reported.
  const scope = partitionChangedPaths(await statusPorcelainZ(context.workspace), sandbox.writePolicy, (p) =>
    isSymlink(context.workspace, p),
  );
  await revertPaths(context.workspace, scope.refused);
  for (const change of scope.refused) context.log(`left out of the commit: ${change.path}: ${change.reason}`);
  report.refusedChanges = scope.refused.map((change) => ({ path: change.path, reason: change.reason }));
  const paths = scope.allowed.map((change) => change.path);
  if (loop.outcome === "done" && paths.length === 0) {
    report.outcome = "no-changes";
    report.reason = "the agent finished without changing any file in its scope";
    return;
  }
  if (paths.length === 0) return;

  // 5. Commit what is allowed, keeping the work even when a wall stopped the loop.
  const subject = `${at.issueTitle.replace(/\s+/g, " ").trim().slice(0, 60)} (#${job.issue})`;
  const summary = sandbox.redact(loop.summary.trim() || loop.reason);
  report.headSha = await commitChanges(octokit, {
    owner,
    repo,
    workspace: context.workspace,
    branch: job.branch,
    parentSha: at.startSha,
    remoteBranchSha: at.branchSha,
    message: formatCommitMessage(
      `${subject}\n\n${summary.replace(/^-{3,}/gm, "—")}`,
      trailersOf(job),
      job.requestedBy,
    ),
    paths,
  });
  report.filesChanged = paths;
  if (report.outcome !== "done") return;

  // 6. Open or update the pull request when the work is done.
  const { data: open } = await octokit.rest.pulls.list({
    owner,
    repo,
    head: `${owner}:${job.branch}`,
    state: "open",
  });
  const existing = open[0];
  const title = pullRequestTitle(job, at.issueTitle);
  const body = pullRequestBody(job, { ...report, pullRequest: existing?.number ?? null });
  if (existing) {
    await octokit.rest.pulls.update({ owner, repo, pull_number: existing.number, title, body });
    report.pullRequest = existing.number;
  } else {
    const { data: created } = await octokit.rest.pulls.create({
      owner,
      repo,
      head: job.branch,
      base: job.baseBranch,
      title,
      body,
    });
    report.pullRequest = created.number;
  }
}

function messageOf(error: unknown, redact: Redactor): string {
  return redact(error instanceof Error ? error.message : String(error)).slice(0, 500);
}

async function readConventions(workspace: string): Promise<Conventions[]> {
  const found: Conventions[] = [];
  for (const file of CONVENTION_FILES) {
    const text = await readFile(path.join(workspace, file), "utf8").catch(() => undefined);
    if (text !== undefined) found.push({ file, text });
  }
  return found;
}
