import * as z from "zod";
import { findingSchema } from "../finding.ts";
import { Rejection } from "./rejection.ts";

/** The attempt an event belongs to; events of an earlier attempt change nothing. */
const attempt = z.int().positive();
const pullRequest = z.int().positive();
/** The GitHub login of the person who gave a command or review. */
const actor = z.string().min(1);

/**
 * Everything that can move a task, built by the app from webhooks, `/swarm` commands, the
 * scheduler and the watchdog. Events about an attempt's work carry its number; events about the
 * issue, the pull request as a whole, or a person's command do not.
 */
export const LifecycleEvent = z.discriminatedUnion("kind", [
  /** `issues.labeled swarm:ready`, or an edit of an issue in needs-spec: the spec lint's verdict (no problems: it passed). */
  z.strictObject({ kind: z.literal("intake"), problems: z.array(z.string().min(1)) }),
  /** `issues.unlabeled swarm:ready`. */
  z.strictObject({ kind: z.literal("label.removed") }),
  /** `issues.closed` by a person. */
  z.strictObject({ kind: z.literal("issue.closed") }),
  /** The scheduler offers this task a free agent slot (fewer than maxAgents run). */
  z.strictObject({ kind: z.literal("slot.offered") }),
  /** The workflow_dispatch call for the attempt failed. */
  z.strictObject({ kind: z.literal("dispatch.failed"), attempt, reason: findingSchema.shape.found.min(1) }),
  /** `workflow_run` requested or in_progress for the attempt. */
  z.strictObject({ kind: z.literal("run.started"), attempt }),
  /** `workflow_run.completed` for the attempt, with the pull request the run opened or updated. */
  z.strictObject({
    kind: z.literal("run.completed"),
    attempt,
    conclusion: z.enum([
      "success",
      "failure",
      "neutral",
      "cancelled",
      "timed_out",
      "action_required",
      "stale",
      "skipped",
      "startup_failure",
    ]),
    pullRequest: pullRequest.nullable(),
  }),
  /** The watchdog found the attempt's run stalled (no heartbeat) or a zombie (tokens flow, nothing changes). */
  z.strictObject({ kind: z.literal("watchdog.tripped"), attempt, reason: z.enum(["stalled", "zombie"]) }),
  /** The task's own budget is spent. */
  z.strictObject({ kind: z.literal("budget.exceeded"), attempt }),
  /**
   * The `swarm/gate` check run passed on the attempt's head; the review policy says whether a
   * person must review, and whom to ask (none named: a person picks).
   */
  z.strictObject({
    kind: z.literal("gate.passed"),
    attempt,
    reviewRequired: z.boolean(),
    reviewers: z.array(z.string().min(1)).optional(),
  }),
  /** The `swarm/gate` check run failed on the attempt's head. */
  z.strictObject({ kind: z.literal("gate.failed"), attempt, rejection: Rejection }),
  /** A required check of the repository concluded red on the attempt's head. */
  z.strictObject({ kind: z.literal("checks.failed"), attempt, rejection: Rejection }),
  /** The pull request conflicts with its base and GitHub's "Update branch" could not merge it cleanly. */
  z.strictObject({ kind: z.literal("conflict.detected"), attempt, rejection: Rejection }),
  /** An approving pull request review. */
  z.strictObject({ kind: z.literal("review.approved"), attempt, actor }),
  /** A pull request review requesting changes. */
  z.strictObject({ kind: z.literal("review.changes-requested"), attempt, actor, rejection: Rejection }),
  /** `pull_request.dequeued`: the merge queue removed the pull request unmerged. */
  z.strictObject({
    kind: z.literal("queue.dequeued"),
    attempt,
    reason: z.enum(["checks-failed", "conflict", "manual", "other"]),
    rejection: Rejection,
  }),
  /** The task's pull request was merged (through the merge queue or by a person). */
  z.strictObject({ kind: z.literal("pr.merged"), pullRequest }),
  /** The task's pull request was closed without being merged. */
  z.strictObject({ kind: z.literal("pr.closed"), pullRequest }),
  /** `/swarm retry [model=…] [fresh]`. */
  z.strictObject({
    kind: z.literal("command.retry"),
    actor,
    model: z.string().min(1).optional(),
    fresh: z.boolean(),
  }),
  /** `/swarm cancel`. */
  z.strictObject({ kind: z.literal("command.cancel"), actor }),
  /** `/swarm escalate`. */
  z.strictObject({ kind: z.literal("command.escalate"), actor }),
  /** `/swarm approve`: releases a pull request held for review. */
  z.strictObject({ kind: z.literal("command.approve"), actor }),
  /** `/swarm status`. */
  z.strictObject({ kind: z.literal("command.status"), actor }),
]);
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;
export type LifecycleEventKind = LifecycleEvent["kind"];
