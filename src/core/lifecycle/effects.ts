import * as z from "zod";
import { Rejection } from "./rejection.ts";
import { StatusLabel, TaskStatus } from "./status.ts";
import { HoldReason } from "./task.ts";
import { JOB_MODES } from "../job.ts";

const attempt = z.int().positive();
const pullRequest = z.int().positive();

/**
 * What the app must do after a transition, as data, in order. The app writes the new task state
 * (the intent) to the ledger before it performs any of them.
 */
export const Effect = z.discriminatedUnion("type", [
  /**
   * Dispatch the agent workflow for this attempt. `mode` is the job's: `rework` carries the
   * rejection whose findings go into the job. `fresh` starts the branch again from the base.
   */
  z.strictObject({
    type: z.literal("dispatch"),
    attempt,
    mode: z.enum(JOB_MODES),
    fresh: z.boolean(),
    model: z.string().min(1).optional(),
    rejection: Rejection.optional(),
  }),
  /** Cancel the workflow run of this attempt. */
  z.strictObject({ type: z.literal("cancelRun"), attempt }),
  /** The task gave up its agent slot: the scheduler may offer it to the next waiting task. */
  z.strictObject({ type: z.literal("slotFreed") }),
  /** Put this status label on the issue and take the other status labels off (null: none). */
  z.strictObject({ type: z.literal("setStatusLabel"), label: StatusLabel.nullable() }),
  /** Edit the task's one status comment in place to show this status. */
  z.strictObject({ type: z.literal("comment.status"), status: TaskStatus, attempt: z.int().min(0) }),
  /** Post the spec checklist: what the issue needs before the swarm takes it. */
  z.strictObject({ type: z.literal("comment.spec-checklist"), problems: z.array(z.string().min(1)).min(1) }),
  /** Say why the task waits although a slot was free. */
  z.strictObject({ type: z.literal("comment.hold"), reason: HoldReason }),
  /** Ask people to take over, saying why. */
  z.strictObject({
    type: z.literal("comment.escalation"),
    attempt: z.int().min(0),
    reason: z.string().min(1),
  }),
  /** Answer `/swarm status`. */
  z.strictObject({
    type: z.literal("comment.reply"),
    status: TaskStatus,
    attempt: z.int().min(0),
    hold: HoldReason.nullable(),
  }),
  /**
   * Add the pull request to the merge queue (auto-merge where the branch has no queue) once the
   * repository's required checks are green on its head.
   */
  z.strictObject({ type: z.literal("enqueue"), pullRequest }),
  /** Take the pull request out of the merge queue. */
  z.strictObject({ type: z.literal("dequeue"), pullRequest }),
  /** Request a person's review of the pull request (from these reviewers, when the policy named any). */
  z.strictObject({
    type: z.literal("requestReview"),
    pullRequest,
    reviewers: z.array(z.string().min(1)).optional(),
  }),
  /** Close the issue with a summary of the merged work. */
  z.strictObject({ type: z.literal("closeIssue"), pullRequest, attempts: attempt }),
  /** Record an incident: the swarm stopped and handed the task to a person. */
  z.strictObject({ type: z.literal("incident"), attempt: z.int().min(0), reason: z.string().min(1) }),
  /** Record that the attempt's work was turned back (its agent's record counts it as failed). */
  z.strictObject({ type: z.literal("rejectAttempt"), attempt, reason: z.string().min(1) }),
  /** Record how the task ended. */
  z.strictObject({
    type: z.literal("recordOutcome"),
    outcome: z.enum(["merged", "cancelled"]),
    attempts: z.int().min(0),
    reason: z.string().min(1),
  }),
  /** Run the spec lint on the issue and feed its verdict back as an `intake` event. */
  z.strictObject({ type: z.literal("runIntake") }),
]);
export type Effect = z.infer<typeof Effect>;
