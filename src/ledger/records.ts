import * as z from "zod";

// The ledger's contract with the rest of the system: what goes in and what comes out.
// Inputs are validated at the ledger's edge because some arrive from outside the app
// (usage reports and events from the action); outputs are built from rows the ledger wrote.

const repo = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected a repository full name owner/name");
const positive = z.number().int().positive();
const tokens = z.number().int().nonnegative();
const githubId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const json = z.record(z.string(), z.unknown());

/** A task is one issue: its repository full name and issue number. */
export const TaskKey = z.object({ repo, issueNumber: positive });
export type TaskKey = z.infer<typeof TaskKey>;

/** Fields a caller may set on a task; the task lifecycle in core owns the state vocabulary. */
export const TaskFields = z.object({
  state: z.string().min(1),
  tier: z.string().nullable(),
  model: z.string().nullable(),
  agent: z.string().nullable(),
  /** Lower runs first; parsed from a `priority:` label by core. */
  priority: z.number().int(),
  /** When the task entered the queue (FIFO within a priority). */
  queuedAt: z.iso.datetime().nullable(),
  pullNumber: positive.nullable(),
  /** Globs the task may touch, from the issue's file scope. */
  fileScope: z.array(z.string()),
  labellerLogin: z.string().nullable(),
  labellerId: githubId.nullable(),
  /** The issue's title when the task was taken, for reports and the duplicate check. */
  title: z.string().nullable(),
  /** The task lifecycle's own record of the task (core's schema), stored whole as JSON. */
  lifecycle: json.nullable(),
});
export type TaskFields = z.infer<typeof TaskFields>;

/** A new task: its key, a state and any other fields (missing ones start empty). */
export const NewTask = TaskKey.extend(TaskFields.partial().required({ state: true }).shape);
export type NewTask = z.infer<typeof NewTask>;

/** A change to some of a task's fields. */
export const TaskPatch = TaskFields.partial();
export type TaskPatch = z.infer<typeof TaskPatch>;

/** A task as stored. */
export interface Task extends TaskKey, TaskFields {
  /** Attempts dispatched so far (the highest attempt number claimed). */
  attempts: number;
  /** The one status comment on the issue, once posted. */
  statusCommentId: number | null;
  createdAt: string;
  updatedAt: string;
}

/** Where an attempt is in its life: intent → dispatched → running → one of the ends. */
export const AttemptState = z.enum([
  "intent",
  "dispatched",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
]);
export type AttemptState = z.infer<typeof AttemptState>;

/** States that count against a repository's maxAgents. */
export const activeAttemptStates = ["intent", "dispatched", "running"] as const satisfies AttemptState[];

/** A request to dispatch one attempt of a task. */
export const ClaimRequest = TaskKey.extend({
  attempt: positive,
  agent: z.string().min(1),
  model: z.string().min(1),
  /** How the agent works this attempt (e.g. fresh or rework); core names the modes. */
  mode: z.string().min(1),
  /** The repository's cap on active attempts. */
  maxAgents: positive,
  /** The areas the task's scope falls in (routing's), kept with the attempt for agents' records. */
  areas: z.array(z.string().min(1).max(200)).max(100).optional(),
  /** The model tier routing chose, recorded on the task with the agent and model. */
  tier: z.string().min(1).optional(),
});
export type ClaimRequest = z.infer<typeof ClaimRequest>;

/** Which tasks to list; the filters combine with AND. */
export interface TaskFilter {
  repo?: string;
  /** Only tasks in one of these states. */
  states?: readonly string[];
}

/** The answer to a claim: dispatch only when `claimed` is true. */
export type ClaimResult =
  | { claimed: true }
  | { claimed: false; reason: "duplicate" }
  | { claimed: false; reason: "at-capacity"; active: number }
  | { claimed: false; reason: "agent-busy" }
  | { claimed: false; reason: "paused" }
  | { claimed: false; reason: "no-task" };

/** Facts learned as an attempt moves on. */
export const AttemptUpdate = z.object({
  workflowRunId: githubId.optional(),
  sessionId: z.string().min(1).optional(),
  outcome: z.string().optional(),
});
export type AttemptUpdate = z.infer<typeof AttemptUpdate>;

/** An attempt as stored. */
export interface Attempt extends TaskKey {
  number: number;
  agent: string;
  model: string;
  sessionId: string | null;
  mode: string;
  workflowRunId: number | null;
  state: AttemptState;
  outcome: string | null;
  createdAt: string;
  dispatchedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** Whether the attempt's work was merged or turned back; null until it is judged. */
  verdict: AttemptVerdict | null;
  /** Why, in one line (the rejection's summary, or the merge). */
  verdictReason: string | null;
}

/** How an attempt's work was judged: merged, or turned back (by the gate, checks, a person or the queue). */
export const AttemptVerdict = z.enum(["merged", "rejected"]);
export type AttemptVerdict = z.infer<typeof AttemptVerdict>;

/** A claim to put one head of an attempt's pull request into the merge queue, or to auto-merge it. */
export const MergeClaim = z.object({
  repo,
  issueNumber: positive,
  attempt: positive,
  headSha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "expected a full commit sha"),
  method: z.enum(["queue", "auto-merge"]),
});
export type MergeClaim = z.infer<typeof MergeClaim>;

/** One entry for the attribution log. */
export const NewEvent = z.object({
  /** Defaults to the ledger's clock. */
  at: z.iso.datetime().optional(),
  repo,
  issueNumber: positive.nullable().optional(),
  attempt: positive.nullable().optional(),
  agent: z.string().nullable().optional(),
  action: z.string().min(1),
  target: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  sessionId: z.string().nullable().optional(),
  detail: json.optional(),
});
export type NewEvent = z.infer<typeof NewEvent>;

/** An event as stored. */
export interface LedgerEvent {
  id: number;
  at: string;
  repo: string;
  issueNumber: number | null;
  attempt: number | null;
  agent: string | null;
  action: string;
  target: string | null;
  model: string | null;
  sessionId: string | null;
  detail: Record<string, unknown>;
}

/** A usage report for one attempt; `reportId` makes recording it twice harmless. */
export const UsageReport = TaskKey.extend({
  reportId: z.string().min(1),
  attempt: positive,
  agent: z.string().min(1),
  model: z.string().min(1),
  inputTokens: tokens,
  outputTokens: tokens,
  cacheWriteTokens: tokens,
  cacheReadTokens: tokens,
  costUsd: z.number().nonnegative().finite(),
  /** Defaults to the ledger's clock. */
  at: z.iso.datetime().optional(),
});
export type UsageReport = z.infer<typeof UsageReport>;

/** Token and cost totals. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
}

/** An agent's finished attempts in one area: passed (succeeded) and failed (failed or timed out). */
export interface AgentAreaRecord {
  agent: string;
  area: string;
  passed: number;
  failed: number;
}

/** One agent's record of work: the CV. */
export interface AgentCv extends UsageTotals {
  agent: string;
  /** Distinct tasks the agent made attempts at. */
  tasks: number;
  attempts: number;
  /** Attempts whose run succeeded and whose work was not turned back. */
  succeeded: number;
  /** Attempts that ended failed or timed out, or whose work was turned back. */
  failed: number;
  /** Attempts whose work was merged. */
  merged: number;
  /** succeeded / (succeeded + failed); null before any attempt has ended that way. */
  passRate: number | null;
  /** Events in the attribution log that name this agent. */
  events: number;
  /** When the agent identity was last given work. */
  lastUsedAt: string | null;
}

/** An agent identity in a repository. */
export interface Agent {
  repo: string;
  name: string;
  createdAt: string;
  lastUsedAt: string;
}

/** One gate's verdict on a pull request head. */
export const GateResult = z.object({
  repo,
  pullNumber: positive,
  headSha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "expected a full commit sha"),
  gate: z.string().min(1),
  verdict: z.enum(["pass", "fail", "neutral"]),
  findings: z.array(json),
  at: z.iso.datetime().optional(),
});
export type GateResult = z.infer<typeof GateResult>;

/** A review decision by policy or a person's verdict on a pull request head. */
export const NewReview = GateResult.pick({ repo: true, pullNumber: true, headSha: true, at: true }).extend({
  kind: z.enum(["policy", "human"]),
  reviewer: z.string().min(1),
  /** The review policy in core names the verdicts. */
  verdict: z.string().min(1),
  reason: z.string().nullable().optional(),
});
export type NewReview = z.infer<typeof NewReview>;

/** A review as stored. */
export type Review = Required<Omit<NewReview, "reason">> & { id: number; reason: string | null };

/** Something that needs, or needed, a person. */
export const NewIncident = z.object({
  repo,
  issueNumber: positive.nullable(),
  kind: z.string().min(1),
  summary: z.string().min(1),
});
export type NewIncident = z.infer<typeof NewIncident>;

/** An incident as stored. */
export interface Incident extends NewIncident {
  id: number;
  openedAt: string;
  closedAt: string | null;
}
