import { sql } from "kysely";
import type { CreateTableBuilder, Kysely, RawBuilder } from "kysely";

// The one place where SQLite and PostgreSQL differ in the schema; everything else is written
// once through Kysely's builders.

/** Which SQL engine holds the ledger. */
export type Backend = "sqlite" | "postgres";

/** Adds a generated integer primary key `id` in the form each engine understands. */
export function withIdColumn<T extends string>(
  table: CreateTableBuilder<T, never>,
  backend: Backend,
): CreateTableBuilder<T, "id"> {
  return backend === "sqlite"
    ? table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    : table.addColumn("id", "bigint", (c) => c.primaryKey().generatedAlwaysAsIdentity());
}

/** Statements that make a table refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL). */
export function appendOnlyTriggers(table: string, backend: Backend): RawBuilder<unknown>[] {
  const message = `${table} are append-only`;
  if (backend === "sqlite") {
    return ["update", "delete"].map((op) =>
      sql.raw(
        `create trigger ${table}_no_${op} before ${op} on ${table} begin select raise(abort, '${message}'); end`,
      ),
    );
  }
  return [
    sql.raw(
      `create function ${table}_append_only() returns trigger language plpgsql as $$ begin raise exception '${message}' using errcode = 'restrict_violation'; end $$`,
    ),
    sql.raw(
      `create trigger ${table}_no_change before update or delete on ${table} for each row execute function ${table}_append_only()`,
    ),
    sql.raw(
      `create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function ${table}_append_only()`,
    ),
  ];
}

/** Runs each statement in order. */
export async function runAll(db: Kysely<unknown>, statements: RawBuilder<unknown>[]): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

/** Whether a table exists where unqualified names resolve (PostgreSQL's search_path). */
export async function tableExists(db: Kysely<unknown>, backend: Backend, table: string): Promise<boolean> {
  const query =
    backend === "sqlite"
      ? sql<{
          found: number;
        }>`select count(*) as found from sqlite_master where type = 'table' and name = ${table}`
      : sql<{
          found: number;
        }>`select count(*) as found from (select to_regclass(${table}) as t) r where t is not null`;
  const { rows } = await query.execute(db);
  return Number(rows[0]?.found ?? 0) > 0;
}

/**
 * The schema Kysely's migration tables belong in: on PostgreSQL the first schema of the
 * search_path, named explicitly because Kysely otherwise finds another schema's tables.
 */
export async function migrationSchema(db: Kysely<unknown>, backend: Backend): Promise<string | undefined> {
  if (backend === "sqlite") return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (schema === null || schema === undefined)
    throw new Error("PostgreSQL's search_path names no existing schema");
  return schema;
}

/** The VALUES list of a multi-row insert: `(?, ?), (?, ?)` on SQLite, `($1, $2), ($3, $4)` on PostgreSQL. */
export function placeholders(backend: Backend, rows: number, columns: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const marks: string[] = [];
    for (let c = 1; c <= columns; c++) marks.push(backend === "sqlite" ? "?" : `$${r * columns + c}`);
    tuples.push(`(${marks.join(", ")})`);
  }
  return tuples.join(", ");
}
