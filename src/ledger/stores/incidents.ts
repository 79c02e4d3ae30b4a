import { NewIncident } from "../records.ts";
import type { Incident } from "../records.ts";
import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";

/** Incidents: problems handed to a person, open until closed. */
export class IncidentStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Opens an incident and returns it. */
  async open(incident: NewIncident): Promise<Incident> {
    const i = NewIncident.parse(incident);
    return this.#ctx.db
      .insertInto("incidents")
      .values({ ...i, openedAt: nowIso(this.#ctx), closedAt: null })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Closes an open incident; returns false when it does not exist or was already closed. */
  async close(id: number): Promise<boolean> {
    const result = await this.#ctx.db
      .updateTable("incidents")
      .set({ closedAt: nowIso(this.#ctx) })
      .where("id", "=", id)
      .where("closedAt", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Open incidents, oldest first, of one repository or of all. */
  async listOpen(repo?: string): Promise<Incident[]> {
    let query = this.#ctx.db.selectFrom("incidents").selectAll().where("closedAt", "is", null).orderBy("id");
    if (repo !== undefined) query = query.where("repo", "=", repo);
    return query.execute();
  }
}
