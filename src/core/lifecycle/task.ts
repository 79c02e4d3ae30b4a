import * as z from "zod";
import { Rejection } from "./rejection.ts";
import { TaskStatus } from "./status.ts";
import { JOB_MODES } from "../job.ts";

/**
 * How the next attempt starts: `fresh` from the current base, `continue` on the task's branch,
 * `resolve-conflict` on the task's branch with the base merged in.
 */
export const DispatchMode = z.enum(["fresh", "continue", "resolve-conflict"]);
export type DispatchMode = z.infer<typeof DispatchMode>;

/** What the next dispatch will be, decided when the task starts waiting for a slot. */
export const DispatchPlan = z.strictObject({
  mode: DispatchMode,
  /** A model or tier a person asked for with `/swarm retry model=…`; routing decides otherwise. */
  model: z.string().min(1).optional(),
});
export type DispatchPlan = z.infer<typeof DispatchPlan>;

/** Why a waiting task is not dispatched although a slot is free. */
export const HoldReason = z.enum(["paused", "budget"]);
export type HoldReason = z.infer<typeof HoldReason>;

const waiting: ReadonlySet<TaskStatus> = new Set(["queued", "rework"]);
const withPullRequest: ReadonlySet<TaskStatus> = new Set(["pr-open", "in-review", "in-merge-queue"]);
const attempted: ReadonlySet<TaskStatus> = new Set([
  "dispatched",
  "running",
  "pr-open",
  "in-review",
  "in-merge-queue",
  "rework",
]);

/** A task as the ledger stores it: everything the lifecycle needs to decide the next step. */
export const Task = z
  .strictObject({
    status: TaskStatus,
    /** The latest attempt dispatched; 0 before the first. Never decreases, so late events are told apart. */
    attempt: z.int().min(0),
    /** The task's pull request once a run opened one; cleared when a person closes it unmerged. */
    pullRequest: z.int().positive().nullable(),
    /** How the next dispatch starts; set while the task waits for one. */
    plan: DispatchPlan.nullable(),
    /** Set while a waiting task is held back, so the hold notice is posted once. */
    hold: HoldReason.nullable(),
    /** The spec lint's problems while the task is in needs-spec. */
    specProblems: z.array(z.string().min(1)),
    /** The latest rejection of the task's work, handed to the next attempt unless it starts fresh. */
    rejection: Rejection.nullable(),
    /** The job mode of the latest attempt; a failed conflict resolution makes the next attempt start fresh. */
    attemptMode: z.enum(JOB_MODES).optional(),
  })
  .superRefine((task, ctx) => {
    const where = `a ${task.status} task`;
    if (waiting.has(task.status) && task.plan === null)
      ctx.addIssue({ code: "custom", path: ["plan"], message: `${where} needs a dispatch plan` });
    if (task.hold !== null && !waiting.has(task.status))
      ctx.addIssue({ code: "custom", path: ["hold"], message: `${where} cannot be held for dispatch` });
    if (withPullRequest.has(task.status) && task.pullRequest === null)
      ctx.addIssue({ code: "custom", path: ["pullRequest"], message: `${where} needs a pull request` });
    if (attempted.has(task.status) && task.attempt === 0)
      ctx.addIssue({
        code: "custom",
        path: ["attempt"],
        message: `${where} has been dispatched at least once`,
      });
    if ((task.status === "needs-spec") !== task.specProblems.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["specProblems"],
        message: "spec problems are listed exactly when the task is in needs-spec",
      });
  });
export type Task = z.infer<typeof Task>;

/** A task that has just entered the swarm: `swarm:ready` was put on its issue and intake is due. */
export function newTask(): Task {
  return {
    status: "ready",
    attempt: 0,
    pullRequest: null,
    plan: null,
    hold: null,
    specProblems: [],
    rejection: null,
  };
}
