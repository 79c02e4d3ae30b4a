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
import { decideReview } from "../core/review-policy.ts";
import type { TaskKey } from "../ledger/index.ts";
import { sessionIdOf } from "./dispatch.ts";
import type { RepoScope } from "./scope.ts";
import { offerSlots } from "./slots.ts";
import { step } from "./step.ts";

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
  const [files, commits, attempts, usage] = await Promise.all([
    scope.gateway.listPullFiles(key.issueNumber, pull.number),
    scope.gateway.listPullCommits(key.issueNumber, pull.number),
    ledger.attempts.list(key),
    ledger.usage.totals(key, attempt),
  ]);
  const current = attempts.find((a) => a.number === attempt);
  if (current === undefined)
    throw new Error(`the ledger has no attempt ${attempt} of ${key.repo}#${key.issueNumber} to gate`);
  const stored = await ledger.tasks.get(key);
  const input: GateInput = {
    job: {
      repository: key.repo,
      issue: key.issueNumber,
      taskId: `${key.repo}#${key.issueNumber}`,
      attempt,
      agent: current.agent,
      sessionId: current.sessionId ?? sessionIdOf(key, attempt),
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
    usage: {
      tokens: usage.inputTokens + usage.outputTokens + usage.cacheWriteTokens + usage.cacheReadTokens,
      usd: usage.costUsd,
    },
    pullRequestBody: pull.body ?? "",
  };
  const report = evaluateGates(input);
  await scope.gateway.writeCheckRun(key.issueNumber, {
    name: GATE_CHECK,
    headSha: pull.headSha,
    conclusion: report.passed ? "success" : "failure",
    title: report.passed
      ? "Every gate passed"
      : `${report.gates.filter((g) => !g.passed).length} gate(s) failed`,
    summary: renderGateSummary(report),
    annotationBatches: annotationBatches(report.findings),
  });
  for (const gate of report.gates)
    await ledger.reviews.recordGate({
      repo: key.repo,
      pullNumber: pull.number,
      headSha: pull.headSha,
      gate: gate.gate,
      verdict: gate.passed ? "pass" : "fail",
      findings: gate.findings,
    });
  if (!report.passed) {
    await step(scope, config, key.issueNumber, {
      kind: "gate.failed",
      attempt,
      rejection: {
        source: "gate",
        summary: `${GATE_CHECK} failed: ${report.gates
          .filter((g) => !g.passed)
          .map((g) => g.gate)
          .join(", ")}`,
        findings: reworkFindings(report),
      },
    });
    // A turned-back task waits for a slot again; one may be free now.
    await offerSlots(scope, config);
    return report;
  }
  const decision = decideReview({
    review: config.review,
    repo: key.repo,
    issue: key.issueNumber,
    changedFiles: input.changedFiles.map((f) => f.path),
  });
  await ledger.reviews.record({
    repo: key.repo,
    pullNumber: pull.number,
    headSha: pull.headSha,
    kind: "policy",
    reviewer: "swarm/review-policy",
    verdict: decision.mode,
    reason: decision.reason,
  });
  await step(scope, config, key.issueNumber, {
    kind: "gate.passed",
    attempt,
    reviewRequired: decision.mode === "full" || decision.mode === "spot-check",
  });
  return report;
}
