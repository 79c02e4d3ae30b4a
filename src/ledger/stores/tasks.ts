import type { Selectable, Updateable } from "kysely";
import { NewEvent, NewTask, TaskKey, TaskPatch } from "../records.ts";
import type { Task, TaskFilter } from "../records.ts";
import type { TasksTable } from "../tables.ts";
import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";
import { eventRow, insertEvents } from "./events.ts";

/** A stored row as the Task the rest of the system sees. */
export function toTask(row: Selectable<TasksTable>): Task {
  return {
    ...row,
    fileScope: JSON.parse(row.fileScope) as string[],
    lifecycle: row.lifecycle === null ? null : (JSON.parse(row.lifecycle) as Record<string, unknown>),
  };
}

/** Tasks, one per issue, keyed by repository and issue number. */
export class TaskStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Creates the task unless it exists (a redelivered label is harmless); returns the stored task. */
  async ensure(input: NewTask): Promise<{ task: Task; created: boolean }> {
    const t = NewTask.parse(input);
    const now = nowIso(this.#ctx);
    const result = await this.#ctx.db
      .insertInto("tasks")
      .values({
        repo: t.repo,
        issueNumber: t.issueNumber,
        state: t.state,
        tier: t.tier ?? null,
        model: t.model ?? null,
        agent: t.agent ?? null,
        attempts: 0,
        priority: t.priority ?? 0,
        queuedAt: t.queuedAt ?? null,
        statusCommentId: null,
        pullNumber: t.pullNumber ?? null,
        fileScope: JSON.stringify(t.fileScope ?? []),
        labellerLogin: t.labellerLogin ?? null,
        labellerId: t.labellerId ?? null,
        title: t.title ?? null,
        lifecycle: t.lifecycle == null ? null : JSON.stringify(t.lifecycle),
        createdAt: now,
        updatedAt: now,
      })
      .onConflict((oc) => oc.columns(["repo", "issueNumber"]).doNothing())
      .executeTakeFirst();
    const task = await this.get(t);
    if (task === undefined)
      throw new Error(`task ${t.repo}#${t.issueNumber} vanished right after it was ensured`);
    return { task, created: Number(result.numInsertedOrUpdatedRows ?? 0) > 0 };
  }

  /** The task, or undefined when the ledger has none for that issue. */
  async get(key: TaskKey): Promise<Task | undefined> {
    const row = await this.#ctx.db
      .selectFrom("tasks")
      .selectAll()
      .where("repo", "=", key.repo)
      .where("issueNumber", "=", key.issueNumber)
      .executeTakeFirst();
    return row && toTask(row);
  }

  /**
   * Changes the given fields, with `also` recorded as events in the same transaction (the change's
   * own record); returns the updated task, or undefined when there is none (then nothing is recorded).
   */
  async update(key: TaskKey, patch: TaskPatch, also: readonly NewEvent[] = []): Promise<Task | undefined> {
    TaskKey.parse(key);
    const p = TaskPatch.parse(patch);
    const events = also.map((event) => NewEvent.parse(event));
    const { fileScope, lifecycle, ...rest } = p;
    const now = nowIso(this.#ctx);
    const changes: Updateable<TasksTable> = { ...rest, updatedAt: now };
    if (fileScope !== undefined) changes.fileScope = JSON.stringify(fileScope);
    if (lifecycle !== undefined) changes.lifecycle = lifecycle === null ? null : JSON.stringify(lifecycle);
    const write = async (db: StoreContext["db"]) => {
      const row = await db
        .updateTable("tasks")
        .set(changes)
        .where("repo", "=", key.repo)
        .where("issueNumber", "=", key.issueNumber)
        .returningAll()
        .executeTakeFirst();
      if (row !== undefined && events.length > 0)
        await insertEvents(
          db,
          this.#ctx.backend,
          events.map((event) => eventRow(event, now)),
        );
      return row && toTask(row);
    };
    return events.length === 0 ? write(this.#ctx.db) : this.#ctx.db.transaction().execute(write);
  }

  /** The task whose pull request this is, or undefined. */
  async findByPull(repo: string, pullNumber: number): Promise<Task | undefined> {
    const row = await this.#ctx.db
      .selectFrom("tasks")
      .selectAll()
      .where("repo", "=", repo)
      .where("pullNumber", "=", pullNumber)
      .executeTakeFirst();
    return row && toTask(row);
  }

  /** A repository's tasks in one state, by issue number. */
  async listByState(repo: string, state: string): Promise<Task[]> {
    const rows = await this.#ctx.db
      .selectFrom("tasks")
      .selectAll()
      .where("repo", "=", repo)
      .where("state", "=", state)
      .orderBy("issueNumber")
      .execute();
    return rows.map(toTask);
  }

  /**
   * Waiting tasks of a repository in dispatch order: priority, then first queued first. A task
   * waits in any of `states` (the lifecycle names them; "queued" unless told). `limit` keeps the
   * first few, for a caller that needs only the head of the queue.
   */
  async listQueued(repo: string, states: readonly string[] = ["queued"], limit?: number): Promise<Task[]> {
    if (states.length === 0) return [];
    let query = this.#ctx.db
      .selectFrom("tasks")
      .selectAll()
      .where("repo", "=", repo)
      .where("state", "in", states)
      .orderBy("priority")
      .orderBy("queuedAt")
      .orderBy("issueNumber");
    if (limit !== undefined) query = query.limit(limit);
    const rows = await query.execute();
    return rows.map(toTask);
  }

  /**
   * Records the task's status comment if it has none yet. Returns false when another comment
   * was recorded first: the caller then deletes its own, so the issue keeps exactly one.
   */
  async setStatusComment(key: TaskKey, commentId: number): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable("tasks")
      .set({ statusCommentId: commentId, updatedAt: nowIso(this.#ctx) })
      .where("repo", "=", key.repo)
      .where("issueNumber", "=", key.issueNumber)
      .where("statusCommentId", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Replaces the recorded status comment, when it is still `previous` (the comment was deleted
   * and a new one posted). Returns false when another writer changed it first.
   */
  async replaceStatusComment(key: TaskKey, previous: number, commentId: number): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable("tasks")
      .set({ statusCommentId: commentId, updatedAt: nowIso(this.#ctx) })
      .where("repo", "=", key.repo)
      .where("issueNumber", "=", key.issueNumber)
      .where("statusCommentId", "=", previous)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Tasks matching the filter, by repository and issue number. */
  async list(filter: TaskFilter = {}): Promise<Task[]> {
    if (filter.states !== undefined && filter.states.length === 0) return [];
    let query = this.#ctx.db.selectFrom("tasks").selectAll().orderBy("repo").orderBy("issueNumber");
    if (filter.repo !== undefined) query = query.where("repo", "=", filter.repo);
    if (filter.states !== undefined) query = query.where("state", "in", filter.states);
    return (await query.execute()).map(toTask);
  }
}
