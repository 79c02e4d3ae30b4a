import { UsageReport } from "../records.ts";
import type { TaskKey, UsageTotals } from "../records.ts";
import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";

const dayMs = 86_400_000;

/** Token and cost records per attempt, and the sums budgets need. */
export class UsageStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Records a usage report; returns false when a report with that id was already counted. */
  async record(report: UsageReport): Promise<boolean> {
    const u = UsageReport.parse(report);
    const result = await this.#ctx.db
      .insertInto("usage")
      .values({ ...u, at: u.at ?? nowIso(this.#ctx) })
      .onConflict((oc) => oc.column("reportId").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** What a repository's swarm spent in US dollars on the UTC day that contains `day`. */
  async dailySpend(repo: string, day: Date): Promise<number> {
    const start = Math.floor(day.getTime() / dayMs) * dayMs;
    const row = await this.#ctx.db
      .selectFrom("usage")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("costUsd"), eb.lit(0)).as("cost"))
      .where("repo", "=", repo)
      .where("at", ">=", new Date(start).toISOString())
      .where("at", "<", new Date(start + dayMs).toISOString())
      .executeTakeFirstOrThrow();
    return Number(row.cost);
  }

  /** Totals for one task, or one attempt of it when `attempt` is given. */
  async totals(key: TaskKey, attempt?: number): Promise<UsageTotals> {
    let query = this.#ctx.db
      .selectFrom("usage")
      .select((eb) => [
        eb.fn.coalesce(eb.fn.sum<number>("inputTokens"), eb.lit(0)).as("inputTokens"),
        eb.fn.coalesce(eb.fn.sum<number>("outputTokens"), eb.lit(0)).as("outputTokens"),
        eb.fn.coalesce(eb.fn.sum<number>("cacheWriteTokens"), eb.lit(0)).as("cacheWriteTokens"),
        eb.fn.coalesce(eb.fn.sum<number>("cacheReadTokens"), eb.lit(0)).as("cacheReadTokens"),
        eb.fn.coalesce(eb.fn.sum<number>("costUsd"), eb.lit(0)).as("costUsd"),
      ])
      .where("repo", "=", key.repo)
      .where("issueNumber", "=", key.issueNumber);
    if (attempt !== undefined) query = query.where("attempt", "=", attempt);
    const row = await query.executeTakeFirstOrThrow();
    return {
      inputTokens: Number(row.inputTokens),
      outputTokens: Number(row.outputTokens),
      cacheWriteTokens: Number(row.cacheWriteTokens),
      cacheReadTokens: Number(row.cacheReadTokens),
      costUsd: Number(row.costUsd),
    };
  }
}
