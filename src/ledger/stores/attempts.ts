import type { Selectable } from "kysely";
import {
  activeAttemptStates,
  AttemptState,
  AttemptUpdate,
  AttemptVerdict,
  ClaimRequest,
  TaskKey,
} from "../records.ts";
import { NewEvent } from "../records.ts";
import type { Attempt, ClaimResult } from "../records.ts";
import type { AttemptsTable } from "../tables.ts";
import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";
import { eventRow, insertEvents } from "./events.ts";

// From which states an attempt may move to each state. The ends are final, so a stale or
// redelivered report cannot revive a finished attempt.
const allowedFrom: Record<AttemptState, readonly AttemptState[]> = {
  intent: [],
  dispatched: ["intent"],
  running: ["intent", "dispatched"],
  succeeded: activeAttemptStates,
  failed: activeAttemptStates,
  cancelled: activeAttemptStates,
  timed_out: activeAttemptStates,
};

const timestampOf: Partial<Record<AttemptState, "dispatchedAt" | "startedAt">> = {
  dispatched: "dispatchedAt",
  running: "startedAt",
};

function toAttempt(row: Selectable<AttemptsTable>): Attempt {
  return {
    ...row,
    state: AttemptState.parse(row.state),
    verdict: row.verdict === null ? null : AttemptVerdict.parse(row.verdict),
  };
}

/** Attempts at tasks: the claim that guards dispatch, their life, and what recovery needs. */
export class AttemptStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Records the intent to dispatch one attempt, atomically with the repository's cap: only one
   * caller ever gets `claimed: true` for a (task, attempt), across processes sharing the
   * database, and never while the repository already has `maxAgents` attempts active. `also`
   * are events recorded with a successful claim (the decision that led to it).
   */
  async claimDispatch(request: ClaimRequest, also: readonly NewEvent[] = []): Promise<ClaimResult> {
    const r = ClaimRequest.parse(request);
    const now = nowIso(this.#ctx);
    return this.#ctx.db.transaction().execute(async (trx): Promise<ClaimResult> => {
      // Claims serialise per repository on its settings row: the UPDATE takes PostgreSQL's row
      // lock and SQLite's write lock until commit, so the count below cannot go stale.
      await trx
        .insertInto("repositories")
        .values({ repo: r.repo, paused: 0, claimSeq: 0, updatedAt: now })
        .onConflict((oc) => oc.column("repo").doNothing())
        .execute();
      const settings = await trx
        .updateTable("repositories")
        .set((eb) => ({ claimSeq: eb("claimSeq", "+", 1) }))
        .where("repo", "=", r.repo)
        .returning("paused")
        .executeTakeFirstOrThrow();
      const task = await trx
        .selectFrom("tasks")
        .select("attempts")
        .where("repo", "=", r.repo)
        .where("issueNumber", "=", r.issueNumber)
        .executeTakeFirst();
      if (task === undefined) return { claimed: false, reason: "no-task" };
      const existing = await trx
        .selectFrom("attempts")
        .select("state")
        .where("repo", "=", r.repo)
        .where("issueNumber", "=", r.issueNumber)
        .where("number", "=", r.attempt)
        .executeTakeFirst();
      if (existing !== undefined) return { claimed: false, reason: "duplicate" };
      if (settings.paused !== 0) return { claimed: false, reason: "paused" };
      const active = await countActive(trx, r.repo);
      if (active >= r.maxAgents) return { claimed: false, reason: "at-capacity", active };
      // Two deliveries or replicas routing at once can pick the same free agent: one agent, one attempt.
      const agentBusy = await trx
        .selectFrom("attempts")
        .select("number")
        .where("repo", "=", r.repo)
        .where("agent", "=", r.agent)
        .where("state", "in", activeAttemptStates)
        .executeTakeFirst();
      if (agentBusy !== undefined) return { claimed: false, reason: "agent-busy" };

      await trx
        .insertInto("attempts")
        .values({
          repo: r.repo,
          issueNumber: r.issueNumber,
          number: r.attempt,
          agent: r.agent,
          model: r.model,
          sessionId: null,
          mode: r.mode,
          workflowRunId: null,
          state: "intent",
          outcome: null,
          createdAt: now,
          dispatchedAt: null,
          startedAt: null,
          finishedAt: null,
          updatedAt: now,
          verdict: null,
          verdictReason: null,
        })
        .execute();
      const areas = [...new Set(r.areas ?? [])];
      if (areas.length > 0)
        await trx
          .insertInto("attemptAreas")
          .values(
            areas.map((area) => ({ repo: r.repo, issueNumber: r.issueNumber, attempt: r.attempt, area })),
          )
          .execute();
      await trx
        .updateTable("tasks")
        .set({
          attempts: Math.max(task.attempts, r.attempt),
          agent: r.agent,
          model: r.model,
          ...(r.tier !== undefined && { tier: r.tier }),
          updatedAt: now,
        })
        .where("repo", "=", r.repo)
        .where("issueNumber", "=", r.issueNumber)
        .execute();
      await trx
        .insertInto("agents")
        .values({ repo: r.repo, name: r.agent, createdAt: now, lastUsedAt: now })
        .onConflict((oc) => oc.columns(["repo", "name"]).doUpdateSet({ lastUsedAt: now }))
        .execute();
      await insertEvents(trx, this.#ctx.backend, [
        eventRow(
          {
            repo: r.repo,
            issueNumber: r.issueNumber,
            attempt: r.attempt,
            agent: r.agent,
            model: r.model,
            action: "attempt.intent",
            detail: { mode: r.mode },
          },
          now,
        ),
        ...also.map((event) => eventRow(NewEvent.parse(event), now)),
      ]);
      return { claimed: true };
    });
  }

  /**
   * Moves an attempt to `to` if its current state allows it, records the facts given and
   * logs the change as an event, in one transaction. Returns the attempt, or undefined when
   * it does not exist or may not move (e.g. it already ended).
   */
  async transition(
    key: TaskKey,
    attempt: number,
    to: AttemptState,
    update: AttemptUpdate = {},
  ): Promise<Attempt | undefined> {
    TaskKey.parse(key);
    const u = AttemptUpdate.parse(update);
    const now = nowIso(this.#ctx);
    const from = allowedFrom[AttemptState.parse(to)];
    if (from.length === 0) return undefined;
    const stamp = timestampOf[to];
    const terminal = !activeAttemptStates.some((s) => s === to);
    return this.#ctx.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("attempts")
        .set({
          state: to,
          updatedAt: now,
          ...(stamp && { [stamp]: now }),
          ...(terminal && { finishedAt: now }),
          ...(u.workflowRunId !== undefined && { workflowRunId: u.workflowRunId }),
          ...(u.sessionId !== undefined && { sessionId: u.sessionId }),
          ...(u.outcome !== undefined && { outcome: u.outcome }),
        })
        .where("repo", "=", key.repo)
        .where("issueNumber", "=", key.issueNumber)
        .where("number", "=", attempt)
        .where("state", "in", from)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) return undefined;
      await insertEvents(trx, this.#ctx.backend, [
        eventRow(
          {
            repo: row.repo,
            issueNumber: row.issueNumber,
            attempt: row.number,
            agent: row.agent,
            model: row.model,
            sessionId: row.sessionId,
            action: `attempt.${to}`,
            target: row.workflowRunId === null ? null : `run:${row.workflowRunId}`,
            detail: u.outcome === undefined ? {} : { outcome: u.outcome },
          },
          now,
        ),
      ]);
      return toAttempt(row);
    });
  }

  /**
   * Records how an attempt's work was judged, with the event. A rejection is recorded once (a
   * redelivery changes nothing); a merge wins over an earlier rejection, since a person may merge
   * work the swarm turned back. Returns whether anything changed.
   */
  async judge(key: TaskKey, attempt: number, verdict: AttemptVerdict, reason: string): Promise<boolean> {
    TaskKey.parse(key);
    const v = AttemptVerdict.parse(verdict);
    const now = nowIso(this.#ctx);
    return this.#ctx.db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable("attempts")
        .set({ verdict: v, verdictReason: reason, updatedAt: now })
        .where("repo", "=", key.repo)
        .where("issueNumber", "=", key.issueNumber)
        .where("number", "=", attempt);
      update =
        v === "merged"
          ? update.where((eb) => eb.or([eb("verdict", "is", null), eb("verdict", "!=", "merged")]))
          : update.where("verdict", "is", null);
      const row = await update.returningAll().executeTakeFirst();
      if (row === undefined) return false;
      await insertEvents(trx, this.#ctx.backend, [
        eventRow(
          {
            repo: row.repo,
            issueNumber: row.issueNumber,
            attempt: row.number,
            agent: row.agent,
            model: row.model,
            sessionId: row.sessionId,
            action: `attempt.${v}`,
            detail: { reason },
          },
          now,
        ),
      ]);
      return true;
    });
  }

  /** One attempt of a task, or undefined. */
  async get(key: TaskKey, attempt: number): Promise<Attempt | undefined> {
    const row = await this.#ctx.db
      .selectFrom("attempts")
      .selectAll()
      .where("repo", "=", key.repo)
      .where("issueNumber", "=", key.issueNumber)
      .where("number", "=", attempt)
      .executeTakeFirst();
    return row && toAttempt(row);
  }

  /** All attempts of a task, first first. */
  async list(key: TaskKey): Promise<Attempt[]> {
    const rows = await this.#ctx.db
      .selectFrom("attempts")
      .selectAll()
      .where("repo", "=", key.repo)
      .where("issueNumber", "=", key.issueNumber)
      .orderBy("number")
      .execute();
    return rows.map(toAttempt);
  }

  /** The attempt a workflow run belongs to, or undefined when no attempt recorded that run. */
  async findByWorkflowRun(repo: string, workflowRunId: number): Promise<Attempt | undefined> {
    const row = await this.#ctx.db
      .selectFrom("attempts")
      .selectAll()
      .where("repo", "=", repo)
      .where("workflowRunId", "=", workflowRunId)
      .executeTakeFirst();
    return row && toAttempt(row);
  }

  /** Attempts that count against maxAgents (intent, dispatched, running), of one repository or all: what reconciling with workflow runs walks. */
  async listActive(repo?: string): Promise<Attempt[]> {
    let query = this.#ctx.db
      .selectFrom("attempts")
      .selectAll()
      .where("state", "in", activeAttemptStates)
      .orderBy("createdAt");
    if (repo !== undefined) query = query.where("repo", "=", repo);
    return (await query.execute()).map(toAttempt);
  }

  /** Attempts claimed or dispatched but not yet seen running: what recovery after a crash checks. */
  async listPending(): Promise<Attempt[]> {
    const rows = await this.#ctx.db
      .selectFrom("attempts")
      .selectAll()
      .where("state", "in", ["intent", "dispatched"])
      .orderBy("createdAt")
      .execute();
    return rows.map(toAttempt);
  }

  /**
   * Takes over the recovery of an attempt stuck in intent since before `staleBefore` (an ISO
   * time): its last change is stamped now, so exactly one caller, across processes, gets true and
   * the others see a fresh intent and leave it.
   */
  async claimRecovery(key: TaskKey, attempt: number, staleBefore: string): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable("attempts")
      .set({ updatedAt: nowIso(this.#ctx) })
      .where("repo", "=", key.repo)
      .where("issueNumber", "=", key.issueNumber)
      .where("number", "=", attempt)
      .where("state", "=", "intent")
      .where("updatedAt", "<", staleBefore)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** How many attempts of a repository count against its maxAgents. */
  async countActive(repo: string): Promise<number> {
    return countActive(this.#ctx.db, repo);
  }
}

async function countActive(db: StoreContext["db"], repo: string): Promise<number> {
  const row = await db
    .selectFrom("attempts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("repo", "=", repo)
    .where("state", "in", activeAttemptStates)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
