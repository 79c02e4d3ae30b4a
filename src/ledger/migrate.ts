import { Migrator, sql } from "kysely";
import type { Kysely } from "kysely";
import { migrationSchema, tableExists } from "./dialect.ts";
import type { Backend } from "./dialect.ts";
import { LedgerError, LedgerSchemaError } from "./errors.ts";
import { ledgerMigrations } from "./migrations.ts";

// Kysely's own bookkeeping table; keep the default name so its tooling still understands it.
const migrationTable = "kysely_migration";

/** The schema version a migration name stands for (its leading number). */
export function schemaVersion(migrationName: string): number {
  return Number.parseInt(migrationName, 10);
}

/** Brings the ledger's schema up to date, refusing a schema newer than this code. */
export async function migrateLedger(
  db: Kysely<unknown>,
  backend: Backend,
  location: string,
): Promise<number> {
  const migrations = ledgerMigrations(backend);
  const known = Object.keys(migrations).sort();
  const latestKnown = known.at(-1) ?? "0000";
  const applied = (await tableExists(db, backend, migrationTable))
    ? (
        await sql<{ name: string }>`select name from ${sql.table(migrationTable)} order by name`.execute(db)
      ).rows.map((r) => r.name)
    : [];
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const newest = unknown.sort().at(-1) ?? "";
    throw new LedgerSchemaError(
      `the ledger at ${location} has schema version ${schemaVersion(newest)} (migration ${unknown.join(", ")}), ` +
        `newer than this code, which knows up to version ${schemaVersion(latestKnown)}; ` +
        `upgrade swarm-foreman or point SWARM_DB / DATABASE_URL at another database. Nothing was changed.`,
    );
  }
  const schema = await migrationSchema(db, backend);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    ...(schema !== undefined && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "before any migration ran";
    const reason = error instanceof Error ? error.message : String(error);
    throw new LedgerError(`migrating the ledger at ${location} failed (${failed}): ${reason}`, {
      cause: error,
    });
  }
  return schemaVersion(latestKnown);
}
