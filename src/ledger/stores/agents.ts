import type { Agent, AgentAreaRecord, AgentCv } from "../records.ts";
import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";

/** Which work a CV covers; without a repo it spans every repository in the ledger. */
export interface CvScope {
  repo?: string;
}

/** Agent identities and their CVs. */
export class AgentStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Records that an agent identity was used now (creating it on first use). */
  async touch(repo: string, name: string): Promise<void> {
    const now = nowIso(this.#ctx);
    await this.#ctx.db
      .insertInto("agents")
      .values({ repo, name, createdAt: now, lastUsedAt: now })
      .onConflict((oc) => oc.columns(["repo", "name"]).doUpdateSet({ lastUsedAt: now }))
      .execute();
  }

  /** A repository's agents, least recently used first (the next one to pick). */
  async list(repo: string): Promise<Agent[]> {
    return this.#ctx.db
      .selectFrom("agents")
      .selectAll()
      .where("repo", "=", repo)
      .orderBy("lastUsedAt")
      .orderBy("name")
      .execute();
  }

  /**
   * Each agent's finished attempts in the given areas of a repository, one row per agent and
   * area (only where it has some). An index on (repo, area) keeps it to the areas' own attempts.
   */
  async records(repo: string, areas: readonly string[]): Promise<AgentAreaRecord[]> {
    if (areas.length === 0) return [];
    const rows = await this.#ctx.db
      .selectFrom("attemptAreas as aa")
      .innerJoin("attempts as a", (join) =>
        join
          .onRef("a.repo", "=", "aa.repo")
          .onRef("a.issueNumber", "=", "aa.issueNumber")
          .onRef("a.number", "=", "aa.attempt"),
      )
      .select((eb) => [
        "a.agent",
        "aa.area",
        // As in the CV: work turned back after a successful run is a failure, not a pass.
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(
                eb.and([eb("a.state", "=", "succeeded"), eb("a.verdict", "is distinct from", "rejected")]),
              )
              .then(1)
              .else(0)
              .end(),
          )
          .as("passed"),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.or([eb("a.state", "in", ["failed", "timed_out"]), eb("a.verdict", "=", "rejected")]))
              .then(1)
              .else(0)
              .end(),
          )
          .as("failed"),
      ])
      .where("aa.repo", "=", repo)
      .where("aa.area", "in", [...areas])
      .where("a.state", "in", ["succeeded", "failed", "timed_out"])
      .groupBy(["a.agent", "aa.area"])
      .orderBy("a.agent")
      .orderBy("aa.area")
      .execute();
    return rows.map((r) => ({
      agent: r.agent,
      area: r.area,
      passed: Number(r.passed),
      failed: Number(r.failed),
    }));
  }

  /**
   * Each agent's CV: tasks and attempts with their outcomes (from attempts), tokens and cost
   * (from usage), how many events it is named in, and when it was last used; sorted by name.
   */
  async cv(scope: CvScope = {}): Promise<AgentCv[]> {
    const db = this.#ctx.db;
    let attempts = db
      .selectFrom("attempts")
      .select((eb) => [
        "agent",
        eb.fn.countAll<number>().as("attempts"),
        // Work turned back after its run succeeded counts as failed: the record is about results.
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.and([eb("state", "=", "succeeded"), eb("verdict", "is distinct from", "rejected")]))
              .then(1)
              .else(0)
              .end(),
          )
          .as("succeeded"),
        eb.fn
          .sum<number>(
            eb
              .case()
              .when(eb.or([eb("state", "in", ["failed", "timed_out"]), eb("verdict", "=", "rejected")]))
              .then(1)
              .else(0)
              .end(),
          )
          .as("failed"),
        eb.fn.sum<number>(eb.case().when("verdict", "=", "merged").then(1).else(0).end()).as("merged"),
      ])
      .groupBy("agent");
    // Distinct tasks per agent; a task is (repo, issue), so count distinct pairs in a subquery.
    const tasks = db
      .selectFrom((eb) => {
        let inner = eb.selectFrom("attempts").select(["agent", "repo", "issueNumber"]).distinct();
        if (scope.repo !== undefined) inner = inner.where("repo", "=", scope.repo);
        return inner.as("t");
      })
      .select((eb) => ["t.agent", eb.fn.countAll<number>().as("tasks")])
      .groupBy("t.agent");
    let usage = db
      .selectFrom("usage")
      .select((eb) => [
        "agent",
        eb.fn.sum<number>("inputTokens").as("inputTokens"),
        eb.fn.sum<number>("outputTokens").as("outputTokens"),
        eb.fn.sum<number>("cacheWriteTokens").as("cacheWriteTokens"),
        eb.fn.sum<number>("cacheReadTokens").as("cacheReadTokens"),
        eb.fn.sum<number>("costUsd").as("costUsd"),
      ])
      .groupBy("agent");
    let events = db
      .selectFrom("events")
      .select((eb) => ["agent", eb.fn.countAll<number>().as("events")])
      .where("agent", "is not", null)
      .groupBy("agent");
    let lastUsed = db
      .selectFrom("agents")
      .select((eb) => ["name", eb.fn.max<string>("lastUsedAt").as("lastUsedAt")])
      .groupBy("name");
    if (scope.repo !== undefined) {
      lastUsed = lastUsed.where("repo", "=", scope.repo);
      attempts = attempts.where("repo", "=", scope.repo);
      usage = usage.where("repo", "=", scope.repo);
      events = events.where("repo", "=", scope.repo);
    }
    const [a, t, u, e, l] = await Promise.all([
      attempts.execute(),
      tasks.execute(),
      usage.execute(),
      events.execute(),
      lastUsed.execute(),
    ]);

    const cvs = new Map<string, AgentCv>();
    const cvOf = (agent: string): AgentCv => {
      let cv = cvs.get(agent);
      if (cv === undefined) {
        cv = {
          agent,
          tasks: 0,
          attempts: 0,
          succeeded: 0,
          failed: 0,
          merged: 0,
          passRate: null,
          inputTokens: 0,
          outputTokens: 0,
          cacheWriteTokens: 0,
          cacheReadTokens: 0,
          costUsd: 0,
          events: 0,
          lastUsedAt: null,
        };
        cvs.set(agent, cv);
      }
      return cv;
    };
    for (const row of a) {
      const cv = cvOf(row.agent);
      cv.attempts = Number(row.attempts);
      cv.succeeded = Number(row.succeeded);
      cv.failed = Number(row.failed);
      cv.merged = Number(row.merged);
      const ended = cv.succeeded + cv.failed;
      cv.passRate = ended === 0 ? null : cv.succeeded / ended;
    }
    for (const row of t) cvOf(row.agent).tasks = Number(row.tasks);
    for (const row of u) {
      const cv = cvOf(row.agent);
      cv.inputTokens = Number(row.inputTokens);
      cv.outputTokens = Number(row.outputTokens);
      cv.cacheWriteTokens = Number(row.cacheWriteTokens);
      cv.cacheReadTokens = Number(row.cacheReadTokens);
      cv.costUsd = Number(row.costUsd);
    }
    for (const row of e) {
      if (row.agent === null) continue;
      cvOf(row.agent).events = Number(row.events);
    }
    // Only agents with work get a CV; an identity never used has nothing to show.
    for (const row of l) {
      const cv = cvs.get(row.name);
      if (cv !== undefined) cv.lastUsedAt = row.lastUsedAt;
    }
    return [...cvs.values()].sort((x, y) => (x.agent < y.agent ? -1 : x.agent > y.agent ? 1 : 0));
  }
}
