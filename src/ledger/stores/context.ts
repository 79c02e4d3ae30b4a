import type { Kysely } from "kysely";
import type { Backend } from "../dialect.ts";
import type { LedgerTables } from "../tables.ts";

/** What every store needs: the database and the clock (injectable so tests are deterministic). */
export interface StoreContext {
  db: Kysely<LedgerTables>;
  backend: Backend;
  clock: () => Date;
}

/** The clock's time as the ISO 8601 text the ledger stores. */
export function nowIso(ctx: StoreContext): string {
  return ctx.clock().toISOString();
}
