import type { SwarmConfig } from "../core/config/schema.ts";
import {
  annotationBatches,
  evaluateGates,
  renderGateSummary,
  reworkFindings,
  type GateInput,
  type GateReport,
} from "../core/gate.ts";
import { firstChangedLine } from "../core/patch.ts";
import { parseCodeowners } from "../core/codeowners.ts";
import { AGENT_CHECK_NAME, readReport, type Report } from "../core/report.ts";
import { decideReview, type ReviewDecision } from "../core/review-policy.ts";
import { totalTokens } from "../core/usage.ts";
import type { TaskKey } from "../ledger/index.ts";
import { sessionIdOf } from "./dispatch.ts";
import type { RepoScope } from "./scope.ts";
import { offerSlots } from "./slots.ts";
import { advanceToMerge } from "./merge.ts";
import { step } from "./step.ts";
import { lifecycleOf } from "./task-record.ts";

/** The name of the app's check run on an agent pull request's head. */
export const GATE_CHECK = "swarm/gate";

/** The pull request a gate run judges. */
export interface GatedPull {
  number: number;
  headSha: string;
  body: string | null;
}

/**
 * Gates one head of a task's pull request: reads its files and commits, evaluates every gate,
 * writes the `swarm/gate` check run, keeps the verdicts in the ledger for the rework, and feeds
 * the lifecycle the verdict (with the review policy's decision when it passed).
 */
export async function gatePullRequest(
  scope: RepoScope,
  config: SwarmConfig,
  key: TaskKey,
  attempt: number,
  pull: GatedPull,
): Promise<GateReport> {
  const { ledger } = scope.deps;
  const [files, commits, checks, attempts, ledgerUsage, events] = await Promise.all([
    scope.gateway.listPullFiles(key.issueNumber, pull.number),
    scope.gateway.listPullCommits(key.issueNumber, pull.number),
    scope.gateway.listCheckRuns(key.issueNumber, pull.headSha),
    ledger.attempts.list(key),
    ledger.usage.totals(key, attempt),
    ledger.events.list({ repo: key.repo, issueNumber: key.issueNumber }),
  ]);
  const current = attempts.find((a) => a.number === attempt);
  if (current === undefined)
    throw new Error(`the ledger has no attempt ${attempt} of ${key.repo}#${key.issueNumber} to gate`);
  const stored = await ledger.tasks.get(key);
  const sessionId = current.sessionId ?? sessionIdOf(key, attempt);
  const report = await agentReport(scope, key, current, sessionId, checks);
  const input: GateInput = {
    job: {
      repository: key.repo,
      issue: key.issueNumber,
      taskId: `${key.repo}#${key.issueNumber}`,
      attempt,
      agent: current.agent,
      sessionId,
      scope: stored?.fileScope ?? [],
      protectedPaths: config.protectedPaths,
      limits: {
        tokens: config.budgets.agentTokens,
        usd: config.budgets.taskUsd,
        jobMinutes: config.time.jobMinutes,
        heartbeatSeconds: config.time.heartbeatSeconds,
      },
    },
    ownership: config.ownership,
    earlierSessions: attempts
      .filter((a) => a.number < attempt && a.agent === current.agent)
      .map((a) => a.sessionId ?? sessionIdOf(key, a.number)),
    changedFiles: files.map((f) => ({
      path: f.filename,
      previousPath: f.previous_filename,
      firstChangedLine: firstChangedLine(f.patch),
    })),
    commits,
    branchUpdates: events
      .filter((e) => e.action === "conflict.branch-updated" && typeof e.detail.from === "string")
      .map((e) => String(e.detail.from)),
    // The agent's report is what the gate judges; the ledger's count is a floor it cannot go under.
    usage:
      report === null
        ? undefined
        : {
            tokens: Math.max(totalTokens(report.usage), usageTokens(ledgerUsage)),
            usd: Math.max(report.costUsd, ledgerUsage.costUsd),
          },
    pullRequestBody: pull.body ?? "",
  };
  const verdict = evaluateGates(input);
  await scope.gateway.writeCheckRun(key.issueNumber, {
    name: GATE_CHECK,
    headSha: pull.headSha,
    conclusion: verdict.passed ? "success" : "failure",
    title: verdict.passed
      ? "Every gate passed"
      : `${verdict.gates.filter((g) => !g.passed).length} gate(s) failed`,
    summary: renderGateSummary(verdict),
    annotationBatches: annotationBatches(verdict.findings),
  });
  for (const gate of verdict.gates)
    await ledger.reviews.recordGate({
      repo: key.repo,
      pullNumber: pull.number,
      headSha: pull.headSha,
      gate: gate.gate,
      verdict: gate.passed ? "pass" : "fail",
      findings: gate.findings,
    });
  if (!verdict.passed) {
    await step(scope, config, key.issueNumber, {
      kind: "gate.failed",
      attempt,
      rejection: {
        source: "gate",
        summary: `${GATE_CHECK} failed: ${verdict.gates
          .filter((g) => !g.passed)
          .map((g) => g.gate)
          .join(", ")}`,
        findings: reworkFindings(verdict),
      },
    });
    // A turned-back task waits for a slot again; one may be free now.
    await offerSlots(scope, config);
    return verdict;
  }
  if (stored !== undefined && lifecycleOf(stored).status === "in-merge-queue") {
    // A new head of work already approved (the branch was brought up to date): on to the queue.
    await advanceToMerge(scope, config, key, attempt, pull.number);
    return verdict;
  }
  const decision = await reviewDecision(
    scope,
    config,
    key,
    input.changedFiles.map((f) => f.path),
  );
  await ledger.reviews.record({
    repo: key.repo,
    pullNumber: pull.number,
    headSha: pull.headSha,
    kind: "policy",
    reviewer: "swarm/review-policy",
    verdict: decision.mode,
    reason: decision.reason,
  });
  await ledger.events.append([
    {
      ...key,
      attempt,
      agent: current.agent,
      action: "review.decided",
      target: `pull:${pull.number}`,
      detail: { mode: decision.mode, reason: decision.reason, headSha: pull.headSha },
    },
  ]);
  const reviewRequired = decision.mode === "full" || decision.mode === "spot-check";
  await step(scope, config, key.issueNumber, {
    kind: "gate.passed",
    attempt,
    reviewRequired,
    ...(reviewRequired ? { reviewers: decision.reviewers } : {}),
  });
  return verdict;
}

/**
 * The agent's report from the `swarm/agent` check run on the head, recorded in the ledger (once
 * per session) so budgets and summaries count it; null when there is none or it does not parse.
 */
async function agentReport(
  scope: RepoScope,
  key: TaskKey,
  attempt: { number: number; agent: string; model: string },
  sessionId: string,
  checks: readonly { name: string; status: string; text: string | null }[],
): Promise<Report | null> {
  const run = checks.find((c) => c.name === AGENT_CHECK_NAME && c.status === "completed");
  const read = run?.text == null ? null : readReport(run.text);
  if (read === null || !read.ok) {
    scope.log.info(
      { task: `${key.repo}#${key.issueNumber}`, problem: read?.problem ?? "no completed swarm/agent run" },
      "no agent report on the head",
    );
    return null;
  }
  const { report } = read;
  await scope.deps.ledger.usage.record({
    reportId: `report:${sessionId}`,
    ...key,
    attempt: attempt.number,
    agent: attempt.agent,
    model: report.model || attempt.model,
    inputTokens: report.usage.input,
    outputTokens: report.usage.output,
    cacheWriteTokens: report.usage.cacheWrite,
    cacheReadTokens: report.usage.cacheRead,
    costUsd: report.costUsd,
  });
  return report;
}

/**
 * The review policy's decision. Reviewers come from the config; when it names none and a review
 * is due, the repository's CODEOWNERS is read (only then, to spare a request) and asked.
 */
async function reviewDecision(
  scope: RepoScope,
  config: SwarmConfig,
  key: TaskKey,
  changedFiles: string[],
): Promise<ReviewDecision> {
  const input = { review: config.review, repo: key.repo, issue: key.issueNumber, changedFiles };
  const first = decideReview(input);
  if (first.mode === "none" || first.mode === "skip" || config.review.reviewers.length > 0) return first;
  for (const path of CODEOWNERS_PATHS) {
    const read = await scope.gateway.readFile(path);
    if (read.changed && read.value !== null)
      return decideReview({ ...input, codeowners: parseCodeowners(read.value.text) });
  }
  return first;
}

// Where GitHub looks for CODEOWNERS, in its order.
const CODEOWNERS_PATHS = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

function usageTokens(u: {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
}): number {
  return u.inputTokens + u.outputTokens + u.cacheWriteTokens + u.cacheReadTokens;
}
