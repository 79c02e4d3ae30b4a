import type { TaskKey } from "../ledger/index.ts";
import { mergedComment, type AttemptLine, type Blocker } from "./comments.ts";
import type { RepoScope } from "./scope.ts";
import { lifecycleOf } from "./task-record.ts";

/** The merged summary of a task from the ledger: agent, model, attempts, tokens, cost and the link. */
export async function mergedSummary(scope: RepoScope, key: TaskKey, pullRequest: number): Promise<string> {
  const { ledger } = scope.deps;
  const [attempts, usage] = await Promise.all([ledger.attempts.list(key), ledger.usage.totals(key)]);
  const last = attempts.at(-1);
  return mergedComment({
    pullRequest,
    pullUrl: `${scope.htmlUrl}/pull/${pullRequest}`,
    agent: last?.agent ?? null,
    model: last?.model ?? null,
    attempts: attempts.length,
    tokens: usage.inputTokens + usage.outputTokens + usage.cacheWriteTokens + usage.cacheReadTokens,
    costUsd: usage.costUsd,
  });
}

/** What was tried on a task, from the ledger: each attempt's model, outcome and reason, and the last rejection's findings. */
export async function attemptHistory(
  scope: RepoScope,
  key: TaskKey,
): Promise<{ attempts: AttemptLine[]; blockers: Blocker[] }> {
  const { ledger } = scope.deps;
  const [attempts, stored] = await Promise.all([ledger.attempts.list(key), ledger.tasks.get(key)]);
  const rejection = stored === undefined ? null : lifecycleOf(stored).rejection;
  return {
    attempts: attempts.map((a) => ({
      number: a.number,
      agent: a.agent,
      model: a.model,
      mode: a.mode,
      outcome: a.verdict ?? a.state,
      reason: a.verdictReason ?? a.outcome,
    })),
    blockers: (rejection?.findings ?? []).slice(0, 5).map((f) => ({
      file: f.file,
      line: f.line,
      expected: f.expected,
      found: f.found,
    })),
  };
}
