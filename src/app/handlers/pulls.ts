import type { LifecycleEvent } from "../../core/lifecycle/events.ts";
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
  await toTask(scope, pull, () =>
    pull.merged
      ? { kind: "pr.merged", pullRequest: pull.number }
      : { kind: "pr.closed", pullRequest: pull.number },
  );
};

/** `pull_request.dequeued`: the merge queue turned the pull request back. */
export const onPullRequestDequeued: Handler<"pull_request.dequeued"> = async (scope, payload) => {
  const pull = payload.pull_request;
  const reason = payload.reason.toUpperCase();
  const why = reason.includes("CONFLICT")
    ? "conflict"
    : reason.includes("CI") || reason.includes("CHECK")
      ? "checks-failed"
      : reason.includes("MANUAL")
        ? "manual"
        : "other";
  await toTask(scope, pull, (attempt) => ({
    kind: "queue.dequeued",
    attempt,
    reason: why,
    rejection: {
      source: "merge-queue",
      summary: `the merge queue removed the pull request (${payload.reason})`,
      findings: [],
    },
  }));
};

/** `pull_request_review.submitted`: an approval releases a held pull request; requested changes send it back. */
export const onPullRequestReview: Handler<"pull_request_review.submitted"> = async (scope, payload) => {
  const { review, pull_request: pull } = payload;
  const state = review.state.toLowerCase();
  const actor = review.user?.login ?? payload.sender.login;
  if (state === "approved")
    await toTask(scope, pull, (attempt) => ({ kind: "review.approved", attempt, actor }));
  else if (state === "changes_requested")
    await toTask(scope, pull, (attempt) => ({
      kind: "review.changes-requested",
      attempt,
      actor,
      rejection: {
        source: "review",
        summary: (review.body ?? "").trim() || `changes requested by @${actor}`,
        findings: [],
      },
    }));
};
