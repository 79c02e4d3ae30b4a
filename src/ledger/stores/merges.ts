import { MergeClaim } from "../records.ts";
import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";

/** The head of an attempt's pull request a claim is about. */
export type ClaimedHead = Omit<MergeClaim, "method">;

/**
 * Claims to enqueue (or auto-merge) a pull request head, one per (task, attempt, head sha): the
 * intent is written before GitHub is called, so a redelivered event or a second replica finds
 * the claim and leaves the head alone.
 */
export class MergeClaimStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Claims a head for the merge; true for exactly one caller across processes sharing the database. */
  async claim(claim: MergeClaim): Promise<boolean> {
    const c = MergeClaim.parse(claim);
    const row = await this.#ctx.db
      .insertInto("mergeClaims")
      .values({ ...c, state: "claimed", at: nowIso(this.#ctx) })
      .onConflict((oc) => oc.columns(["repo", "issueNumber", "attempt", "headSha"]).doNothing())
      .returning("headSha")
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Marks a claimed head as accepted by GitHub. */
  async requested(head: ClaimedHead): Promise<void> {
    await this.#ctx.db
      .updateTable("mergeClaims")
      .set({ state: "requested" })
      .where("repo", "=", head.repo)
      .where("issueNumber", "=", head.issueNumber)
      .where("attempt", "=", head.attempt)
      .where("headSha", "=", head.headSha)
      .execute();
  }

  /** Gives a claim up after GitHub refused the request, so a later event may try the head again. */
  async release(head: ClaimedHead): Promise<void> {
    await this.#ctx.db
      .deleteFrom("mergeClaims")
      .where("repo", "=", head.repo)
      .where("issueNumber", "=", head.issueNumber)
      .where("attempt", "=", head.attempt)
      .where("headSha", "=", head.headSha)
      .execute();
  }

  /**
   * Claims written before `before` (ISO time) that GitHub never confirmed: the app stopped between
   * the claim and the call, or between the call and recording its answer. In one repository, or all.
   */
  async listUnconfirmed(before: string, repo?: string): Promise<ClaimedHead[]> {
    let query = this.#ctx.db
      .selectFrom("mergeClaims")
      .select(["repo", "issueNumber", "attempt", "headSha"])
      .where("state", "=", "claimed")
      .where("at", "<", before);
    if (repo !== undefined) query = query.where("repo", "=", repo);
    return query.orderBy("at").execute();
  }

  /** The claim on a head, if any: its method and whether GitHub accepted it. */
  async get(
    head: ClaimedHead,
  ): Promise<{ method: MergeClaim["method"]; state: "claimed" | "requested" } | undefined> {
    const row = await this.#ctx.db
      .selectFrom("mergeClaims")
      .select(["method", "state"])
      .where("repo", "=", head.repo)
      .where("issueNumber", "=", head.issueNumber)
      .where("attempt", "=", head.attempt)
      .where("headSha", "=", head.headSha)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      method: MergeClaim.shape.method.parse(row.method),
      state: row.state === "requested" ? "requested" : "claimed",
    };
  }
}
