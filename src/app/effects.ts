import { issuesClosedByMerge } from "../core/closing-keywords.ts";
import type { SwarmConfig } from "../core/config/schema.ts";
import type { Effect } from "../core/lifecycle/effects.ts";
import { statusLabel } from "../core/lifecycle/status.ts";
import type { Task as LifecycleTask } from "../core/lifecycle/task.ts";
import type { TaskKey } from "../ledger/index.ts";
import { escalationComment, holdComment, specChecklistComment } from "./comments.ts";
import { advanceToMerge } from "./merge.ts";
import { attemptHistory, mergedSummary } from "./outcome-summary.ts";
import { dispatchAttempt } from "./dispatch.ts";
import { runIntake } from "./intake.ts";
import { statusView } from "./publish-status.ts";
import type { RepoScope } from "./scope.ts";
import { offerSlots } from "./slots.ts";
import { renderStatusReply } from "./status-comment.ts";

/** A task that just moved: its key, and the lifecycle task before and after. */
export interface Moved {
  key: TaskKey;
  before: LifecycleTask;
  after: LifecycleTask;
}

/**
 * Performs a transition's effects in order, through the gateway and the ledger. A freed slot is
 * offered to the next waiting task last, once the task that freed it has settled. If a dispatch
 * finds no slot after all, the task went back to wait and the remaining effects are dropped.
 */
export async function applyEffects(
  scope: RepoScope,
  config: SwarmConfig,
  moved: Moved,
  effects: readonly Effect[],
): Promise<void> {
  const { gateway, deps } = scope;
  const issue = moved.key.issueNumber;
  let slotFreed = false;
  for (const effect of effects) {
    switch (effect.type) {
      case "dispatch":
        if ((await dispatchAttempt(scope, config, moved, effect)) !== "dispatched") return;
        break;
      case "cancelRun": {
        const attempt = await deps.ledger.attempts.get(moved.key, effect.attempt);
        if (attempt?.workflowRunId != null) await gateway.cancelWorkflowRun(issue, attempt.workflowRunId);
        await deps.ledger.attempts.transition(moved.key, effect.attempt, "cancelled", {
          outcome: "cancelled",
        });
        break;
      }
      case "slotFreed":
        slotFreed = true;
        break;
      case "setStatusLabel":
        scope.publication.label(config, issue, statusLabel[moved.before.status], effect.label);
        break;
      case "comment.status":
        scope.publication.status(config, issue, statusLabel[moved.before.status]);
        break;
      case "comment.spec-checklist":
        await gateway.createComment(issue, specChecklistComment(effect.problems));
        break;
      case "comment.hold":
        await gateway.createComment(issue, holdComment(effect.reason, config));
        break;
      case "comment.escalation":
        await gateway.createComment(
          issue,
          escalationComment(effect.reason, config, await attemptHistory(scope, moved.key)),
        );
        break;
      case "comment.reply": {
        const view = await statusView(scope, config, issue);
        if (view !== null) await gateway.createComment(issue, renderStatusReply(view));
        break;
      }
      case "enqueue":
        await advanceToMerge(scope, config, moved.key, moved.after.attempt, effect.pullRequest);
        break;
      case "dequeue":
        try {
          await gateway.dequeuePullRequest(issue, effect.pullRequest);
        } catch (error) {
          // Not (or no longer) in the queue: a moved head or a conflict already took it out.
          scope.log.info(
            { task: `${moved.key.repo}#${issue}`, error: (error as Error).message },
            "dequeue refused",
          );
        }
        break;
      case "requestReview":
        await gateway.requestReviewers(
          issue,
          effect.pullRequest,
          effect.reviewers ?? config.review.reviewers,
        );
        break;
      case "closeIssue":
        await gateway.createComment(issue, await mergedSummary(scope, moved.key, effect.pullRequest));
        if (!(await closedByMerge(scope, issue, effect.pullRequest))) await gateway.closeIssue(issue);
        break;
      case "rejectAttempt":
        await deps.ledger.attempts.judge(moved.key, effect.attempt, "rejected", effect.reason);
        break;
      case "incident":
        await deps.ledger.incidents.open({ ...moved.key, kind: "needs-human", summary: effect.reason });
        break;
      case "recordOutcome":
        if (effect.outcome === "merged" && effect.attempts > 0)
          await deps.ledger.attempts.judge(moved.key, effect.attempts, "merged", effect.reason);
        await deps.ledger.events.append([
          {
            ...moved.key,
            action: `task.${effect.outcome}`,
            detail: { attempts: effect.attempts },
          },
        ]);
        break;
      case "runIntake":
        await runIntake(scope, config, issue);
        break;
    }
  }
  if (slotFreed) await offerSlots(scope, config);
}

/**
 * Whether GitHub closes the task's issue itself: the merged pull request names it with a closing
 * keyword and merged into the default branch. When the event does not know the pull request the
 * app closes the issue, which costs no more than reading the pull request would.
 */
async function closedByMerge(scope: RepoScope, issue: number, pullNumber: number): Promise<boolean> {
  const pull = await scope.knownPull(pullNumber);
  if (pull?.merged !== true) return false;
  const repository = { fullName: scope.repo, defaultBranch: await scope.defaultBranch() };
  return issuesClosedByMerge({ body: pull.body, base: pull.base.ref }, repository).includes(issue);
}
