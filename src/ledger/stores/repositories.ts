import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";

/** Per-repository settings the app changes at run time (today: the pause switch). */
export class RepositoryStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Pauses or resumes dispatch for a repository; a paused repository refuses new claims. */
  async setPaused(repo: string, paused: boolean): Promise<void> {
    const now = nowIso(this.#ctx);
    const flag = paused ? 1 : 0;
    await this.#ctx.db
      .insertInto("repositories")
      .values({ repo, paused: flag, claimSeq: 0, updatedAt: now })
      .onConflict((oc) => oc.column("repo").doUpdateSet({ paused: flag, updatedAt: now }))
      .execute();
  }

  /** Whether dispatch is paused for a repository (never-seen repositories are not). */
  async isPaused(repo: string): Promise<boolean> {
    const row = await this.#ctx.db
      .selectFrom("repositories")
      .select("paused")
      .where("repo", "=", repo)
      .executeTakeFirst();
    return row !== undefined && row.paused !== 0;
  }
}
