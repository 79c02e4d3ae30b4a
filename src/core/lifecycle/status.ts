import * as z from "zod";

/** Every status a task can be in; the ledger stores exactly one per task. */
export const TaskStatus = z.enum([
  "ready",
  "needs-spec",
  "queued",
  "dispatched",
  "running",
  "pr-open",
  "in-review",
  "in-merge-queue",
  "rework",
  "needs-human",
  "merged",
  "cancelled",
]);
export type TaskStatus = z.infer<typeof TaskStatus>;

/**
 * The labels the app owns on an issue. `swarm:ready` is not among them: people put it on, and the
 * app never takes it off.
 */
export const StatusLabel = z.enum([
  "swarm:queued",
  "swarm:running",
  "swarm:review",
  "swarm:needs-spec",
  "swarm:needs-human",
  "swarm:done",
]);
export type StatusLabel = z.infer<typeof StatusLabel>;

/**
 * The one status label each status shows (null: none). The only place that decides it, so labels
 * always mirror the ledger. `swarm:running` means "the swarm is working on it", which covers the
 * gate and the merge queue; `swarm:review` means a person's review is awaited.
 */
export const statusLabel: Readonly<Record<TaskStatus, StatusLabel | null>> = {
  ready: null,
  "needs-spec": "swarm:needs-spec",
  queued: "swarm:queued",
  dispatched: "swarm:running",
  running: "swarm:running",
  "pr-open": "swarm:running",
  "in-review": "swarm:review",
  "in-merge-queue": "swarm:running",
  rework: "swarm:queued",
  "needs-human": "swarm:needs-human",
  merged: "swarm:done",
  cancelled: null,
};

/** Statuses in which a workflow run of the current attempt has been requested and may be running. */
export const runActiveStatuses: ReadonlySet<TaskStatus> = new Set(["dispatched", "running"]);

/** Statuses that end a task's way: merged is final; a cancelled task may be revived by a person. */
export const terminalStatuses: ReadonlySet<TaskStatus> = new Set(["merged", "cancelled"]);
