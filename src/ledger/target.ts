import { join, resolve } from "node:path";

/** Where the ledger lives: a SQLite file or a PostgreSQL server. */
export type LedgerTarget =
  { backend: "sqlite"; path: string; isDefault: boolean } | { backend: "postgres"; url: string };

/** The ledger file used when nothing else is configured, relative to the working directory. */
export const defaultLedgerPath = join(".swarm", "ledger.db");

function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/**
 * Picks the ledger's home: an explicit url, else SWARM_DB (a file path or a PostgreSQL URL),
 * else DATABASE_URL when it is a PostgreSQL URL, else `.swarm/ledger.db` under cwd.
 */
export function resolveLedgerTarget(
  env: Record<string, string | undefined>,
  cwd: string,
  url?: string,
): LedgerTarget {
  const chosen = url ?? (env["SWARM_DB"] || undefined);
  if (chosen !== undefined) {
    if (isPostgresUrl(chosen)) return { backend: "postgres", url: chosen };
    const path = chosen.startsWith("file:") ? new URL(chosen).pathname : chosen;
    return { backend: "sqlite", path: path === ":memory:" ? path : resolve(cwd, path), isDefault: false };
  }
  const databaseUrl = env["DATABASE_URL"];
  // A DATABASE_URL for another engine belongs to something else; the embedded file serves.
  if (databaseUrl !== undefined && isPostgresUrl(databaseUrl))
    return { backend: "postgres", url: databaseUrl };
  return { backend: "sqlite", path: resolve(cwd, defaultLedgerPath), isDefault: true };
}
