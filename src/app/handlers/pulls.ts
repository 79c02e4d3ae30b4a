import { reviewRejection } from "../../core/condense-rejection.ts";
import { toFinding } from "../../core/finding.ts";
import { passes } from "../../core/merge-readiness.ts";
import type { LifecycleEvent } from "../../core/lifecycle/events.ts";
import { resolveConflict } from "../conflicts.ts";
import { turnBack } from "../merge.ts";
import { offerSlots } from "../slots.ts";
import type { Handler } from "../handle.ts";
import { configOrNull } from "../handle.ts";
import type { RepoScope } from "../scope.ts";
import { step } from "../step.ts";
import { lifecycleOf } from "../task-record.ts";

const AGENT_BRANCH = /^swarm\/(\d+)-/;

/** The task an agent's pull request belongs to (its branch is `swarm/<issue>-<agent>`), with its current attempt. */
export async function taskOfPull(
  scope: RepoScope,
  pull: { head: { ref: string; repo: { full_name: string } | null } },
): Promise<{ issueNumber: number; attempt: number } | null> {
  const m = AGENT_BRANCH.exec(pull.head.ref);
  // A fork's branch of the same name is someone else's work.
  if (!m?.[1] || pull.head.repo?.full_name !== scope.repo) return null;
  const stored = await scope.deps.ledger.tasks.get({ repo: scope.repo, issueNumber: Number(m[1]) });
  return stored === undefined
    ? null
    : { issueNumber: stored.issueNumber, attempt: lifecycleOf(stored).attempt };
}

/** Feeds an event to the pull request's task, if it is an agent's. */
async function toTask(
  scope: RepoScope,
  pull: { head: { ref: string; repo: { full_name: string } | null } },
  event: (attempt: number) => LifecycleEvent,
): Promise<void> {
  const task = await taskOfPull(scope, pull);
  if (task === null) return;
  const config = await configOrNull(scope);
  if (config !== null) await step(scope, config, task.issueNumber, event(task.attempt));
}

/** `pull_request.closed`: an agent's pull request merged finishes its task; closed unmerged, a person decides. */
export const onPullRequestClosed: Handler<"pull_request.closed"> = async (scope, payload) => {
  const pull = payload.pull_request;
  scope.knowPull(pull);
  await toTask(scope, pull, () =>
    pull.merged
      ? { kind: "pr.merged", pullRequest: pull.number }
      : { kind: "pr.closed", pullRequest: pull.number },
  );
};

/**
 * `pull_request.dequeued`: the merge queue turned the pull request back. A conflict climbs the
 * conflict tiers; failed checks in the merge group turn the work back with those checks' findings;
 * any other reason turns it back with the reason GitHub gave.
 */
export const onPullRequestDequeued: Handler<"pull_request.dequeued"> = async (scope, payload) => {
  const pull = payload.pull_request;
  const task = await taskOfPull(scope, pull);
  if (task === null) return;
  const config = await configOrNull(scope);
  if (config === null) return;
  const key = { repo: scope.repo, issueNumber: task.issueNumber };
  const why = dequeueReason(payload.reason);
  const lead = `the merge queue removed #${pull.number} (${payload.reason})`;
  if (why === "conflict") {
    await resolveConflict(scope, config, key, task.attempt, {
      number: pull.number,
      headSha: pull.head.sha,
      why: lead,
    });
    return;
  }
  if (why === "checks-failed") {
    const group = await lastMergeGroup(scope, task.issueNumber, pull.number);
    const runs = group === null ? [] : await scope.gateway.listCheckRuns(task.issueNumber, group);
    const red = runs.filter((r) => r.status === "completed" && !passes(r.conclusion));
    await turnBack(scope, config, key, task.attempt, "merge-queue", lead, red);
    return;
  }
  await step(scope, config, task.issueNumber, {
    kind: "queue.dequeued",
    attempt: task.attempt,
    reason: why,
    rejection: {
      source: "merge-queue",
      summary: lead.slice(0, 200),
      findings: [
        toFinding({
          gate: "merge-queue",
          expected: "the pull request merges through the queue",
          found: lead,
          hint: "Nothing in the change may be wrong: look at the reason, and at the pull request's timeline on GitHub.",
        }),
      ],
    },
  });
};

/** The lifecycle's reading of GitHub's dequeue reason (MERGE_CONFLICT, FAILED_CHECKS, CI_TIMEOUT, MANUAL, …). */
function dequeueReason(reason: string): "checks-failed" | "conflict" | "manual" | "other" {
  const r = reason.toUpperCase();
  if (r.includes("CONFLICT")) return "conflict";
  if (r.includes("CHECK") || r.includes("CI")) return "checks-failed";
  if (r.includes("MANUAL")) return "manual";
  return "other";
}

/** The head sha of the newest merge group the queue built for this pull request, from the ledger. */
async function lastMergeGroup(
  scope: RepoScope,
  issueNumber: number,
  pullNumber: number,
): Promise<string | null> {
  const events = await scope.deps.ledger.events.list({ repo: scope.repo, issueNumber });
  const group = events.findLast(
    (e) => e.action === "merge-group.checks-requested" && e.detail.pullNumber === pullNumber,
  );
  return typeof group?.detail.headSha === "string" ? group.detail.headSha : null;
}

/**
 * `pull_request_review.submitted`: an approval releases a held pull request; requested changes
 * send it back with the review's comments as findings. Each verdict is recorded beside the
 * gate's, for calibration.
 */
export const onPullRequestReview: Handler<"pull_request_review.submitted"> = async (scope, payload) => {
  const { review, pull_request: pull } = payload;
  const state = review.state.toLowerCase();
  const verdict =
    state === "approved" ? "approved" : state === "changes_requested" ? "changes-requested" : null;
  if (verdict === null) return;
  const task = await taskOfPull(scope, pull);
  if (task === null) return;
  const actor = review.user?.login ?? payload.sender.login;
  await scope.deps.ledger.reviews.record({
    repo: scope.repo,
    pullNumber: pull.number,
    headSha: review.commit_id,
    kind: "human",
    reviewer: actor,
    verdict,
    reason: (review.body ?? "").slice(0, 2000) || null,
  });
  const config = await configOrNull(scope);
  if (config === null) return;
  if (verdict === "approved") {
    await step(scope, config, task.issueNumber, { kind: "review.approved", attempt: task.attempt, actor });
    return;
  }
  const comments = await scope.gateway.listReviewComments(task.issueNumber, pull.number, review.id);
  await step(scope, config, task.issueNumber, {
    kind: "review.changes-requested",
    attempt: task.attempt,
    actor,
    rejection: reviewRejection({ actor, body: review.body ?? "", comments }),
  });
  await offerSlots(scope, config);
};
