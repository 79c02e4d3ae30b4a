import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";

/** Webhook deliveries already seen: GitHub redelivers with the same id, and we act once. */
export class DeliveryStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Records a delivery; returns false when that delivery id was recorded before. */
  async record(id: string, event: string): Promise<boolean> {
    if (id.trim() === "") throw new Error("a webhook delivery needs a non-empty id (X-GitHub-Delivery)");
    const result = await this.#ctx.db
      .insertInto("deliveries")
      .values({ id, event, receivedAt: nowIso(this.#ctx) })
      .onConflict((oc) => oc.column("id").doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /**
   * Forgets deliveries received before `before` and returns how many. GitHub redelivers only on
   * request and within three days, so ids older than that can no longer come back.
   */
  async pruneBefore(before: Date): Promise<number> {
    const result = await this.#ctx.db
      .deleteFrom("deliveries")
      .where("receivedAt", "<", before.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
