import { GateResult, NewReview } from "../records.ts";
import type { Review } from "../records.ts";
import { nowIso } from "./context.ts";
import type { StoreContext } from "./context.ts";

/** A pull request head: the unit gates and reviews judge. */
export interface PullHead {
  repo: string;
  pullNumber: number;
  headSha: string;
}

/** Gate verdicts, review decisions and human verdicts on pull request heads. */
export class ReviewStore {
  #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Records a gate's verdict on a head; a re-run of the same gate on the same head replaces it. */
  async recordGate(result: GateResult): Promise<void> {
    const g = GateResult.parse(result);
    const row = { ...g, findings: JSON.stringify(g.findings), at: g.at ?? nowIso(this.#ctx) };
    await this.#ctx.db
      .insertInto("gateResults")
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(["repo", "pullNumber", "headSha", "gate"])
          .doUpdateSet({ verdict: row.verdict, findings: row.findings, at: row.at }),
      )
      .execute();
  }

  /** Every gate's latest verdict on a head, by gate name. */
  async gates(head: PullHead): Promise<GateResult[]> {
    const rows = await this.#ctx.db
      .selectFrom("gateResults")
      .selectAll()
      .where("repo", "=", head.repo)
      .where("pullNumber", "=", head.pullNumber)
      .where("headSha", "=", head.headSha)
      .orderBy("gate")
      .execute();
    return rows.map((row) => GateResult.parse({ ...row, findings: JSON.parse(row.findings) as unknown }));
  }

  /** Records a review decision or a person's verdict; returns it as stored. */
  async record(review: NewReview): Promise<Review> {
    const r = NewReview.parse(review);
    return this.#ctx.db
      .insertInto("reviews")
      .values({ ...r, reason: r.reason ?? null, at: r.at ?? nowIso(this.#ctx) })
      .returningAll()
      .executeTakeFirstOrThrow() as Promise<Review>;
  }

  /** A pull request's reviews across its heads, oldest first. */
  async list(repo: string, pullNumber: number): Promise<Review[]> {
    const rows = await this.#ctx.db
      .selectFrom("reviews")
      .selectAll()
      .where("repo", "=", repo)
      .where("pullNumber", "=", pullNumber)
      .orderBy("id")
      .execute();
    return rows.map((row) => ({ ...row, kind: NewReview.shape.kind.parse(row.kind) }));
  }

  /** Every review decision and human verdict of a repository's pull requests, oldest first. */
  async listForRepo(repo: string): Promise<Review[]> {
    const rows = await this.#ctx.db
      .selectFrom("reviews")
      .selectAll()
      .where("repo", "=", repo)
      .orderBy("id")
      .execute();
    return rows.map((row) => ({ ...row, kind: NewReview.shape.kind.parse(row.kind) }));
  }

  /** Each gated head of a repository's pull requests, and whether every gate passed on it. */
  async gatedHeads(repo: string): Promise<(PullHead & { passed: boolean })[]> {
    const rows = await this.#ctx.db
      .selectFrom("gateResults")
      .select((eb) => [
        "pullNumber",
        "headSha",
        eb.fn.sum<number>(eb.case().when("verdict", "=", "fail").then(1).else(0).end()).as("failed"),
      ])
      .where("repo", "=", repo)
      .groupBy(["pullNumber", "headSha"])
      .orderBy("pullNumber")
      .execute();
    return rows.map((r) => ({
      repo,
      pullNumber: r.pullNumber,
      headSha: r.headSha,
      passed: Number(r.failed) === 0,
    }));
  }
}
