import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { CamelCasePlugin, Kysely } from "kysely";
import type { Dialect } from "kysely";
import type { Backend } from "./dialect.ts";
import { migrateLedger } from "./migrate.ts";
import { postgresDialect, redactUrl } from "./postgres.ts";
import { sqliteDialect } from "./sqlite.ts";
import { AgentStore } from "./stores/agents.ts";
import { AttemptStore } from "./stores/attempts.ts";
import type { StoreContext } from "./stores/context.ts";
import { DeliveryStore } from "./stores/deliveries.ts";
import { EventStore } from "./stores/events.ts";
import { IncidentStore } from "./stores/incidents.ts";
import { MergeClaimStore } from "./stores/merges.ts";
import { RepositoryStore } from "./stores/repositories.ts";
import { ReviewStore } from "./stores/reviews.ts";
import { TaskStore } from "./stores/tasks.ts";
import { UsageStore } from "./stores/usage.ts";
import type { LedgerTables } from "./tables.ts";
import { resolveLedgerTarget } from "./target.ts";

/** The system of record for operations, one store per table group; callers never see SQL. */
export class Ledger {
  /** Which engine holds this ledger. */
  readonly backend: Backend;
  /** Where it is: the file path, or the PostgreSQL URL without its password. */
  readonly location: string;
  /** The schema version the database is at. */
  readonly schemaVersion: number;
  readonly tasks: TaskStore;
  readonly attempts: AttemptStore;
  readonly agents: AgentStore;
  readonly events: EventStore;
  readonly usage: UsageStore;
  readonly reviews: ReviewStore;
  readonly incidents: IncidentStore;
  readonly deliveries: DeliveryStore;
  readonly repositories: RepositoryStore;
  readonly merges: MergeClaimStore;
  #db: Kysely<LedgerTables>;

  constructor(ctx: StoreContext, backend: Backend, location: string, schemaVersion: number) {
    this.backend = backend;
    this.location = location;
    this.schemaVersion = schemaVersion;
    this.#db = ctx.db;
    this.tasks = new TaskStore(ctx);
    this.attempts = new AttemptStore(ctx);
    this.agents = new AgentStore(ctx);
    this.events = new EventStore(ctx);
    this.usage = new UsageStore(ctx);
    this.reviews = new ReviewStore(ctx);
    this.incidents = new IncidentStore(ctx);
    this.deliveries = new DeliveryStore(ctx);
    this.repositories = new RepositoryStore(ctx);
    this.merges = new MergeClaimStore(ctx);
  }

  /** Closes the database (the file, or the connection pool). */
  async close(): Promise<void> {
    await this.#db.destroy();
  }
}

/** How to open the ledger; everything is optional. */
export interface OpenLedgerOptions {
  /** A file path, `:memory:`, or a postgres:// URL; overrides the environment. */
  url?: string;
  /** Where SWARM_DB and DATABASE_URL are read (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Base of relative file paths (default: the working directory). */
  cwd?: string;
  /** The time source for every timestamp the ledger writes (default: the system clock). */
  clock?: () => Date;
}

/**
 * Opens the ledger (SWARM_DB, else a PostgreSQL DATABASE_URL, else `.swarm/ledger.db`), brings
 * its schema up to date and returns it. Refuses, with the reason and the location, a database
 * it cannot open or one whose schema is newer than this code.
 */
export async function openLedger(options: OpenLedgerOptions = {}): Promise<Ledger> {
  const target = resolveLedgerTarget(options.env ?? process.env, options.cwd ?? process.cwd(), options.url);
  let dialect: Dialect;
  let location: string;
  if (target.backend === "sqlite") {
    if (target.isDefault) mkdirSync(dirname(target.path), { recursive: true });
    dialect = sqliteDialect(target.path);
    location = target.path;
  } else {
    dialect = await postgresDialect(target.url);
    location = redactUrl(target.url);
  }
  const db = new Kysely<LedgerTables>({ dialect, plugins: [new CamelCasePlugin()] });
  try {
    // Migrations name their columns in snake_case themselves, so they run without the plugin.
    const version = await migrateLedger(db.withoutPlugins() as Kysely<unknown>, target.backend, location);
    return new Ledger(
      { db, backend: target.backend, clock: options.clock ?? (() => new Date()) },
      target.backend,
      location,
      version,
    );
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
