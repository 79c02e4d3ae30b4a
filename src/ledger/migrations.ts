import type { Kysely, Migration } from "kysely";
import { appendOnlyTriggers, runAll, withIdColumn } from "./dialect.ts";
import type { Backend } from "./dialect.ts";

// Migrations in order, one set for both engines. Names sort in the order they run; the number
// in front is the schema version. Never edit a migration that has shipped: add the next one.

type Db = Kysely<unknown>;

async function initial(db: Db, backend: Backend): Promise<void> {
  const s = db.schema;
  await s
    .createTable("tasks")
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("issue_number", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("tier", "text")
    .addColumn("model", "text")
    .addColumn("agent", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("priority", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("queued_at", "text")
    .addColumn("status_comment_id", "bigint")
    .addColumn("pull_number", "integer")
    .addColumn("file_scope", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("labeller_login", "text")
    .addColumn("labeller_id", "bigint")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("tasks_pk", ["repo", "issue_number"])
    .execute();
  await s
    .createIndex("tasks_queue")
    .on("tasks")
    .columns(["repo", "state", "priority", "queued_at"])
    .execute();

  await s
    .createTable("attempts")
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("issue_number", "integer", (c) => c.notNull())
    .addColumn("number", "integer", (c) => c.notNull())
    .addColumn("agent", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("session_id", "text")
    .addColumn("mode", "text", (c) => c.notNull())
    .addColumn("workflow_run_id", "bigint")
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("outcome", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("dispatched_at", "text")
    .addColumn("started_at", "text")
    .addColumn("finished_at", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("attempts_pk", ["repo", "issue_number", "number"])
    .addForeignKeyConstraint("attempts_task_fk", ["repo", "issue_number"], "tasks", ["repo", "issue_number"])
    .execute();
  await s.createIndex("attempts_repo_state").on("attempts").columns(["repo", "state"]).execute();
  await s.createIndex("attempts_state").on("attempts").column("state").execute();
  await s.createIndex("attempts_agent").on("attempts").columns(["agent", "state"]).execute();

  await s
    .createTable("agents")
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("last_used_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("agents_pk", ["repo", "name"])
    .execute();

  await withIdColumn(s.createTable("events"), backend)
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("issue_number", "integer")
    .addColumn("attempt", "integer")
    .addColumn("agent", "text")
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text")
    .addColumn("model", "text")
    .addColumn("session_id", "text")
    .addColumn("detail", "text", (c) => c.notNull().defaultTo("{}"))
    .execute();
  await s.createIndex("events_agent").on("events").columns(["agent", "at"]).execute();
  await s.createIndex("events_task").on("events").columns(["repo", "issue_number"]).execute();
  await runAll(db, appendOnlyTriggers("events", backend));

  await s
    .createTable("usage")
    .addColumn("report_id", "text", (c) => c.primaryKey())
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("issue_number", "integer", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("agent", "text", (c) => c.notNull())
    .addColumn("model", "text", (c) => c.notNull())
    .addColumn("input_tokens", "bigint", (c) => c.notNull())
    .addColumn("output_tokens", "bigint", (c) => c.notNull())
    .addColumn("cache_write_tokens", "bigint", (c) => c.notNull())
    .addColumn("cache_read_tokens", "bigint", (c) => c.notNull())
    .addColumn("cost_usd", "double precision", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .execute();
  await s.createIndex("usage_repo_at").on("usage").columns(["repo", "at"]).execute();
  await s.createIndex("usage_agent").on("usage").column("agent").execute();
  await s.createIndex("usage_attempt").on("usage").columns(["repo", "issue_number", "attempt"]).execute();

  await s
    .createTable("gate_results")
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("pull_number", "integer", (c) => c.notNull())
    .addColumn("head_sha", "text", (c) => c.notNull())
    .addColumn("gate", "text", (c) => c.notNull())
    .addColumn("verdict", "text", (c) => c.notNull())
    .addColumn("findings", "text", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("gate_results_pk", ["repo", "pull_number", "head_sha", "gate"])
    .execute();

  await withIdColumn(s.createTable("reviews"), backend)
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("pull_number", "integer", (c) => c.notNull())
    .addColumn("head_sha", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("reviewer", "text", (c) => c.notNull())
    .addColumn("verdict", "text", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("at", "text", (c) => c.notNull())
    .execute();
  await s.createIndex("reviews_pull").on("reviews").columns(["repo", "pull_number"]).execute();

  await withIdColumn(s.createTable("incidents"), backend)
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("issue_number", "integer")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("opened_at", "text", (c) => c.notNull())
    .addColumn("closed_at", "text")
    .execute();
  await s.createIndex("incidents_open").on("incidents").columns(["repo", "closed_at"]).execute();

  await s
    .createTable("deliveries")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("event", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .execute();
  await s.createIndex("deliveries_received").on("deliveries").column("received_at").execute();

  await s
    .createTable("repositories")
    .addColumn("repo", "text", (c) => c.primaryKey())
    .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("claim_seq", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

// Lookups from webhooks that name a pull request or a workflow run rather than an issue.
async function lookups(db: Db): Promise<void> {
  await db.schema.createIndex("tasks_pull").on("tasks").columns(["repo", "pull_number"]).execute();
  await db.schema.createIndex("attempts_run").on("attempts").column("workflow_run_id").execute();
}

// The app stores the lifecycle's whole record of a task, and the title for reports.
async function taskLifecycle(db: Db): Promise<void> {
  await db.schema.alterTable("tasks").addColumn("title", "text").execute();
  await db.schema.alterTable("tasks").addColumn("lifecycle", "text").execute();
}

// Routing weighs agents' records in a task's areas: each attempt keeps its areas, looked up by area.
async function attemptAreas(db: Db): Promise<void> {
  await db.schema
    .createTable("attempt_areas")
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("issue_number", "integer", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("area", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("attempt_areas_pk", ["repo", "issue_number", "attempt", "area"])
    .addForeignKeyConstraint("attempt_areas_attempt_fk", ["repo", "issue_number", "attempt"], "attempts", [
      "repo",
      "issue_number",
      "number",
    ])
    .execute();
  await db.schema.createIndex("attempt_areas_area").on("attempt_areas").columns(["repo", "area"]).execute();
}

// Outcomes: each attempt's verdict (its work merged or turned back) for the agents' records, and
// the claims that make enqueueing a pull request head happen once across redeliveries and replicas.
async function outcomes(db: Db): Promise<void> {
  await db.schema.alterTable("attempts").addColumn("verdict", "text").execute();
  await db.schema.alterTable("attempts").addColumn("verdict_reason", "text").execute();
  await db.schema
    .createTable("merge_claims")
    .addColumn("repo", "text", (c) => c.notNull())
    .addColumn("issue_number", "integer", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("head_sha", "text", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("merge_claims_pk", ["repo", "issue_number", "attempt", "head_sha"])
    .execute();
}

/** The ledger's migrations for one engine, keyed by name in the order they run. */
export function ledgerMigrations(backend: Backend): Record<string, Migration> {
  return {
    "0001_initial": { up: (db) => initial(db, backend) },
    "0002_lookups": { up: lookups },
    "0003_task_lifecycle": { up: taskLifecycle },
    "0004_attempt_areas": { up: attemptAreas },
    "0005_outcomes": { up: outcomes },
  };
}
