import pg from "pg";
import { PostgresDialect } from "kysely";
import { LedgerOpenError } from "./errors.ts";

const int8 = 20;
const numeric = 1700;
const connectTimeoutMs = 5000;

// Counts and sums arrive from PostgreSQL as 64-bit integers or numerics, which pg returns as
// strings; the ledger's values (ids, tokens, counts) stay far below 2^53, so numbers are exact.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === int8 || oid === numeric
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/** A PostgreSQL URL with any password replaced, safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unparsable PostgreSQL URL)";
  }
}

/** Connects to PostgreSQL, proving the server answers, and returns a Kysely dialect for it. */
export async function postgresDialect(url: string): Promise<PostgresDialect> {
  const pool = new pg.Pool({ connectionString: url, types, connectionTimeoutMillis: connectTimeoutMs });
  // An idle connection dropped by the server is replaced by the pool; the next query that
  // fails reports its own error, so the event needs no handling beyond not crashing.
  pool.on("error", () => undefined);
  try {
    await pool.query("select 1");
  } catch (error) {
    await pool.end();
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new LedgerOpenError(`cannot reach the ledger database at ${redactUrl(url)}: ${reason}`, {
      cause: error,
    });
  }
  return new PostgresDialect({ pool });
}
