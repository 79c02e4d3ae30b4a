import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { StatementSync } from "node:sqlite";
import { SqliteDialect } from "kysely";
import type { SqliteDatabase, SqliteStatement } from "kysely";
import { LedgerOpenError } from "./errors.ts";

// How long a writer waits for another process's lock before giving up, in milliseconds.
const busyTimeoutMs = 5000;
// Kysely prepares every query it runs; caching statements by SQL text saves the re-parse.
const statementCacheSize = 256;

/** Adapts node:sqlite to the better-sqlite3 shape Kysely's SqliteDialect expects. */
function adapt(db: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  const wrap = (stmt: StatementSync): SqliteStatement => ({
    reader: stmt.columns().length > 0,
    all: (params) => stmt.all(...(params as never[])),
    run: (params) => stmt.run(...(params as never[])),
    iterate: (params) => stmt.iterate(...(params as never[])),
  });
  return {
    close: () => db.close(),
    prepare(text) {
      let stmt = cache.get(text);
      if (stmt === undefined) {
        if (cache.size >= statementCacheSize) cache.clear();
        stmt = wrap(db.prepare(text));
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

/** SQLite's reason, made specific where the file system can tell us more. */
function explain(path: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  if (!existsSync(dirname(path))) return `${reason} (the folder ${dirname(path)} does not exist)`;
  if (existsSync(path) && statSync(path).isDirectory()) return `${reason} (it is a folder, not a file)`;
  return reason;
}

/** Opens (or creates) the SQLite ledger file and returns a Kysely dialect for it. */
export function sqliteDialect(path: string): SqliteDialect {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(path, { timeout: busyTimeoutMs, enableForeignKeyConstraints: true });
    // WAL lets readers run beside the writer; NORMAL sync is safe with WAL (no corruption,
    // at worst the last commits before a power cut are lost) and makes each commit cheap.
    if (path !== ":memory:") db.exec("pragma journal_mode = wal");
    db.exec("pragma synchronous = normal");
    // Reading the schema proves the file is a SQLite database before anything writes to it.
    db.prepare("select count(*) from sqlite_master").get();
  } catch (error) {
    db?.close();
    throw new LedgerOpenError(`cannot open the ledger database at ${path}: ${explain(path, error)}`, {
      cause: error,
    });
  }
  return new SqliteDialect({ database: adapt(db) });
}
