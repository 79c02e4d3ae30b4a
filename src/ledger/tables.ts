import type { Generated } from "kysely";

// Column types as Kysely sees them through CamelCasePlugin (SQL names are snake_case).
// Times are ISO 8601 UTC strings on both backends: they sort as text and compare the same way
// everywhere, so range queries stay portable. JSON columns are text, parsed at the ledger's edge.
// Flags are integers 0/1 because SQLite has no boolean type.

/** One row per issue the swarm works on, keyed by repository and issue number. */
export interface TasksTable {
  repo: string;
  issueNumber: number;
  state: string;
  tier: string | null;
  model: string | null;
  agent: string | null;
  attempts: number;
  priority: number;
  queuedAt: string | null;
  statusCommentId: number | null;
  pullNumber: number | null;
  fileScope: string;
  labellerLogin: string | null;
  labellerId: number | null;
  title: string | null;
  /** JSON text. */
  lifecycle: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One row per try at a task; (repo, issue, number) is unique. */
export interface AttemptsTable {
  repo: string;
  issueNumber: number;
  number: number;
  agent: string;
  model: string;
  sessionId: string | null;
  mode: string;
  workflowRunId: number | null;
  state: string;
  outcome: string | null;
  createdAt: string;
  dispatchedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
  /** `merged` or `rejected` once the attempt's work was judged; null before. */
  verdict: string | null;
  verdictReason: string | null;
}

/** One claim to enqueue (or auto-merge) a pull request head of an attempt. */
export interface MergeClaimsTable {
  repo: string;
  issueNumber: number;
  attempt: number;
  headSha: string;
  /** `queue` or `auto-merge`. */
  method: string;
  /** `claimed` until GitHub accepted the request, then `requested`. */
  state: string;
  at: string;
}

/** The areas an attempt's task fell in when it was claimed, for agents' records per area. */
export interface AttemptAreasTable {
  repo: string;
  issueNumber: number;
  attempt: number;
  area: string;
}

/** Agent identities known per repository. */
export interface AgentsTable {
  repo: string;
  name: string;
  createdAt: string;
  lastUsedAt: string;
}

/** The append-only attribution log. */
export interface EventsTable {
  id: Generated<number>;
  at: string;
  repo: string;
  issueNumber: number | null;
  attempt: number | null;
  agent: string | null;
  action: string;
  target: string | null;
  model: string | null;
  sessionId: string | null;
  detail: string;
}

/** One row per usage report; the report id makes recording idempotent. */
export interface UsageTable {
  reportId: string;
  repo: string;
  issueNumber: number;
  attempt: number;
  agent: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheWriteTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  at: string;
}

/** The latest verdict of each gate on a pull request head. */
export interface GateResultsTable {
  repo: string;
  pullNumber: number;
  headSha: string;
  gate: string;
  verdict: string;
  findings: string;
  at: string;
}

/** Review decisions (policy sampling) and human verdicts on a pull request head. */
export interface ReviewsTable {
  id: Generated<number>;
  repo: string;
  pullNumber: number;
  headSha: string;
  kind: string;
  reviewer: string;
  verdict: string;
  reason: string | null;
  at: string;
}

/** Problems that needed, or need, a person. */
export interface IncidentsTable {
  id: Generated<number>;
  repo: string;
  issueNumber: number | null;
  kind: string;
  summary: string;
  openedAt: string;
  closedAt: string | null;
}

/** Webhook delivery ids already handled, for de-duplication of redeliveries. */
export interface DeliveriesTable {
  id: string;
  event: string;
  receivedAt: string;
}

/** Per-repository settings, and the row claims lock to serialise per repository. */
export interface RepositoriesTable {
  repo: string;
  paused: number;
  claimSeq: number;
  updatedAt: string;
}

/** The whole schema as Kysely sees it. */
export interface LedgerTables {
  tasks: TasksTable;
  attempts: AttemptsTable;
  attemptAreas: AttemptAreasTable;
  agents: AgentsTable;
  events: EventsTable;
  usage: UsageTable;
  gateResults: GateResultsTable;
  reviews: ReviewsTable;
  incidents: IncidentsTable;
  deliveries: DeliveriesTable;
  repositories: RepositoriesTable;
  mergeClaims: MergeClaimsTable;
}
