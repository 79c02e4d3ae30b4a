import { CompiledQuery } from "kysely";
import type { Insertable, Kysely, Selectable } from "kysely";
import { placeholders } from "../dialect.ts";
import type { Backend } from "../dialect.ts";
import { NewEvent } from "../records.ts";
import type { LedgerEvent, TaskKey } from "../records.ts";
import type { EventsTable, LedgerTables } from "../tables.ts";
import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";

// Rows per INSERT: 10 columns each stays well under SQLite's 32,766 and PostgreSQL's 65,535
// bound parameters, and large enough that statement overhead is small.
const rowsPerStatement = 1000;

/** Turns a validated event into a row, stamping `at` when the caller left it out. */
export function eventRow(event: NewEvent, at: string): Insertable<EventsTable> {
  return {
    at: event.at ?? at,
    repo: event.repo,
    issueNumber: event.issueNumber ?? null,
    attempt: event.attempt ?? null,
    agent: event.agent ?? null,
    action: event.action,
    target: event.target ?? null,
    model: event.model ?? null,
    sessionId: event.sessionId ?? null,
    detail: JSON.stringify(event.detail ?? {}),
  };
}

const columns = [
  "at",
  "repo",
  "issue_number",
  "attempt",
  "agent",
  "action",
  "target",
  "model",
  "session_id",
  "detail",
];
const statements = new Map<string, string>();

/** An event as stored, with its detail parsed. */
function toEvent(row: Selectable<EventsTable>): LedgerEvent {
  return { ...row, detail: JSON.parse(row.detail) as Record<string, unknown> };
}

// The hot path of the ledger: the statement text is built once per size and the values go in
// flat, because building Kysely's syntax tree for thousands of rows cost a third of the time.
function insertSql(backend: Backend, rowCount: number): string {
  const key = `${backend}:${rowCount}`;
  let text = statements.get(key);
  if (text === undefined) {
    text = `insert into events (${columns.join(", ")}) values ${placeholders(backend, rowCount, columns.length)}`;
    statements.set(key, text);
  }
  return text;
}

/** Inserts event rows in statements of bounded size; callers pass a transaction to group them. */
export async function insertEvents(
  db: Kysely<LedgerTables>,
  backend: Backend,
  rows: Insertable<EventsTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const chunk = rows.slice(i, i + rowsPerStatement);
    const values: unknown[] = [];
    for (const r of chunk) {
      values.push(
        r.at,
        r.repo,
        r.issueNumber,
        r.attempt,
        r.agent,
        r.action,
        r.target,
        r.model,
        r.sessionId,
        r.detail,
      );
    }
    await db.executeQuery(CompiledQuery.raw(insertSql(backend, chunk.length), values));
  }
}

/** Which events to list; all filters are optional and combine with AND. */
export interface EventFilter {
  repo?: string;
  issueNumber?: number;
  agent?: string;
  /** Only events with a larger id (for paging). */
  afterId?: number;
  limit?: number;
}

/** The append-only attribution log: events are added, never changed or removed. */
export class EventStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Appends events in one transaction (all or none) and returns how many were written. */
  async append(events: readonly NewEvent[]): Promise<number> {
    const at = nowIso(this.#ctx);
    const rows = events.map((e) => eventRow(NewEvent.parse(e), at));
    if (rows.length === 0) return 0;
    if (rows.length <= rowsPerStatement) await insertEvents(this.#ctx.db, this.#ctx.backend, rows);
    else await this.#ctx.db.transaction().execute((trx) => insertEvents(trx, this.#ctx.backend, rows));
    return rows.length;
  }

  /** Lists events in the order they were appended. */
  async list(filter: EventFilter = {}): Promise<LedgerEvent[]> {
    let query = this.#ctx.db.selectFrom("events").selectAll().orderBy("id");
    if (filter.repo !== undefined) query = query.where("repo", "=", filter.repo);
    if (filter.issueNumber !== undefined) query = query.where("issueNumber", "=", filter.issueNumber);
    if (filter.agent !== undefined) query = query.where("agent", "=", filter.agent);
    if (filter.afterId !== undefined) query = query.where("id", ">", filter.afterId);
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    const rows = await query.execute();
    return rows.map(toEvent);
  }

  /** A task's most recent event among `actions`, without reading the rest of its history. */
  async latest(key: TaskKey, actions: readonly string[]): Promise<LedgerEvent | undefined> {
    if (actions.length === 0) return undefined;
    const row = await this.#ctx.db
      .selectFrom("events")
      .selectAll()
      .where("repo", "=", key.repo)
      .where("issueNumber", "=", key.issueNumber)
      .where("action", "in", actions)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row && toEvent(row);
  }
}
