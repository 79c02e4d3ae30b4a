// Test support: open fresh ledgers on each backend and reach under them for the few checks that
// must bypass the typed interface (the database's own refusal of UPDATE/DELETE on events).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import pg from "pg";
import { openLedger } from "../../src/ledger/index.ts";
import type { Ledger } from "../../src/ledger/index.ts";

/** A clock that only moves when told, so timestamps in tests are known. */
export function manualClock(start = "2026-03-01T09:00:00.000Z") {
  let now = new Date(start).getTime();
  return {
    clock: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
    iso: () => new Date(now).toISOString(),
  };
}

/** One fresh, empty ledger database on a backend, and ways to reach it. */
export interface Fresh {
  /** Where openLedger should look. */
  url: string;
  /** Runs one SQL statement directly on the database, outside the ledger; returns its rows. */
  raw(sql: string): Promise<unknown[]>;
}

/** A backend under test: makes fresh databases and removes them all at the end. */
export interface Backend {
  name: "sqlite" | "postgres";
  /** Why the backend cannot run here, when it cannot (the suite is then skipped, visibly). */
  unavailable?: string;
  fresh(): Promise<Fresh>;
  open(fresh: Fresh, clock?: () => Date): Promise<Ledger>;
  cleanup(): Promise<void>;
}

/** SQLite files in a temporary folder. */
export function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), "ledger-test-"));
  let n = 0;
  return {
    name: "sqlite",
    fresh() {
      const path = join(dir, `ledger-${++n}.db`);
      return Promise.resolve({
        url: path,
        async raw(sql: string) {
          const db = new DatabaseSync(path);
          try {
            const statement = db.prepare(sql);
            if (statement.columns().length > 0) return statement.all();
            statement.run();
            return [];
          } finally {
            db.close();
          }
        },
      });
    },
    open: (fresh, clock) => openLedger({ url: fresh.url, env: {}, ...(clock && { clock }) }),
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** The server the PostgreSQL suite uses: LEDGER_TEST_DATABASE_URL, a postgres DATABASE_URL, or CI's. */
export function postgresTestUrl(env = process.env): string {
  const fromEnv = env["LEDGER_TEST_DATABASE_URL"] ?? env["DATABASE_URL"];
  return fromEnv !== undefined && /^postgres(ql)?:\/\//.test(fromEnv)
    ? fromEnv
    : "postgres://postgres@127.0.0.1:5432/test";
}

/**
 * A database per run, with a random name so concurrent runs on one server never meet (Kysely's
 * migrator reads the catalogue of the whole database, which another run's DDL would disturb),
 * and a schema per fresh ledger inside it. The database is dropped at cleanup.
 */
export async function postgresBackend(): Promise<Backend> {
  const base = postgresTestUrl();
  const server = new pg.Client({ connectionString: base, connectionTimeoutMillis: 10_000 });
  const database = `ledger_test_${randomBytes(6).toString("hex")}`;
  try {
    await server.connect();
    await server.query(`create database ${database}`);
  } catch (error) {
    await server.end().catch(() => undefined);
    const where = new URL(base);
    const reason = error instanceof Error ? error.message || error.name : String(error);
    return {
      name: "postgres",
      unavailable: `PostgreSQL at ${where.host}${where.pathname} is unavailable (${reason}); set LEDGER_TEST_DATABASE_URL or start a server`,
      fresh: () => Promise.reject(new Error("PostgreSQL is unavailable")),
      open: () => Promise.reject(new Error("PostgreSQL is unavailable")),
      cleanup: () => Promise.resolve(),
    };
  }
  const runUrl = new URL(base);
  runUrl.pathname = `/${database}`;
  const admin = new pg.Pool({ connectionString: runUrl.toString(), max: 2 });
  admin.on("error", () => undefined);
  let schemas = 0;
  return {
    name: "postgres",
    async fresh() {
      const schema = `ledger_${++schemas}`;
      await admin.query(`create schema ${schema}`);
      const url = new URL(runUrl);
      url.searchParams.set("options", `-c search_path=${schema}`);
      return {
        url: url.toString(),
        async raw(sql: string) {
          const client = await admin.connect();
          try {
            await client.query(`set search_path to ${schema}`);
            return (await client.query(sql)).rows as unknown[];
          } finally {
            await client.query("reset search_path").catch(() => undefined);
            client.release();
          }
        },
      };
    },
    open: (fresh, clock) => openLedger({ url: fresh.url, env: {}, ...(clock && { clock }) }),
    async cleanup() {
      await admin.end();
      await server.query(`drop database if exists ${database} with (force)`);
      await server.end();
    },
  };
}
