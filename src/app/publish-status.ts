import type { SwarmConfig } from "../core/config/schema.ts";
import type { TaskKey } from "../ledger/index.ts";
import { nextStep } from "./comments.ts";
import type { RepoScope } from "./scope.ts";
import { renderStatusComment, statusMarker, type StatusView } from "./status-comment.ts";
import { lifecycleOf } from "./task-record.ts";

/** What the status comment shows about a task, read from the ledger; null when there is no task. */
export async function statusView(
  scope: RepoScope,
  config: SwarmConfig,
  issueNumber: number,
): Promise<StatusView | null> {
  return (await readStatus(scope, config, issueNumber))?.view ?? null;
}

/** The task's status view and the status comment the ledger knows for it; null when there is no task. */
async function readStatus(
  scope: RepoScope,
  config: SwarmConfig,
  issueNumber: number,
): Promise<{ view: StatusView; commentId: number | null } | null> {
  const { ledger, now } = scope.deps;
  const key: TaskKey = { repo: scope.repo, issueNumber };
  const stored = await ledger.tasks.get(key);
  if (stored === undefined) return null;
  const task = lifecycleOf(stored);
  const [attempts, usage, heartbeat] = await Promise.all([
    ledger.attempts.list(key),
    ledger.usage.totals(key),
    ledger.events.latest(key, ["attempt.heartbeat", "attempt.running"]),
  ]);
  const latest = attempts.at(-1);
  const view: StatusView = {
    repo: scope.repo,
    issueNumber,
    state: task.status,
    agent: latest?.agent ?? stored.agent,
    model: latest?.model ?? stored.model,
    tier: stored.tier,
    attempt: task.attempt,
    maxAttempts: config.maxAttempts,
    pullNumber: task.pullRequest,
    runUrl: latest?.workflowRunId == null ? null : `${scope.htmlUrl}/actions/runs/${latest.workflowRunId}`,
    tokens: usage.inputTokens + usage.outputTokens + usage.cacheWriteTokens + usage.cacheReadTokens,
    costUsd: usage.costUsd,
    lastHeartbeat: heartbeat?.at ?? null,
    next: nextStep(task.status, task.hold),
    updatedAt: now().toISOString(),
  };
  return { view, commentId: stored.statusCommentId };
}

/**
 * Writes the task's one status comment: edits the comment the ledger knows; when the ledger lost
 * it, adopts the app's comment found by its hidden marker; only then creates one. If another
 * replica recorded a comment first, this one deletes its own, so an issue never shows two.
 */
export async function publishStatus(
  scope: RepoScope,
  config: SwarmConfig,
  issueNumber: number,
): Promise<void> {
  const status = await readStatus(scope, config, issueNumber);
  if (status === null) return;
  const { ledger } = scope.deps;
  const key: TaskKey = { repo: scope.repo, issueNumber };
  const body = renderStatusComment(status.view);
  const known = status.commentId;
  if (known !== null && (await scope.gateway.updateComment(issueNumber, known, body))) return;

  // An issue the event knows to have no comments has none of the app's to adopt.
  const comments = (await scope.knownIssue(issueNumber))?.comments;
  const found =
    comments === 0
      ? null
      : await scope.gateway.findBotComment(issueNumber, statusMarker(scope.repo, issueNumber));
  const id = found?.id ?? (await scope.gateway.createComment(issueNumber, body));
  const recorded =
    known === null
      ? await ledger.tasks.setStatusComment(key, id)
      : await ledger.tasks.replaceStatusComment(key, known, id);
  if (!recorded) {
    // Someone else recorded the task's comment in the meantime: keep theirs, drop ours.
    const winner = (await ledger.tasks.get(key))?.statusCommentId ?? null;
    if (found === null && winner !== id) await scope.gateway.deleteComment(issueNumber, id);
    if (winner !== null && winner !== id) await scope.gateway.updateComment(issueNumber, winner, body);
    return;
  }
  if (found !== null) await scope.gateway.updateComment(issueNumber, id, body);
}
