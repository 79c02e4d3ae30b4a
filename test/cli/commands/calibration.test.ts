import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../../src/cli/main.ts";
import { openLedger } from "../../../src/ledger/index.ts";

describe("swarm-foreman calibration", () => {
  let dir: string;
  let db: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "swarm-calibration-"));
    db = join(dir, "ledger.db");
    const ledger = await openLedger({ url: db });
    const head = { repo: "acme/widgets", pullNumber: 4, headSha: "a".repeat(40) };
    await ledger.reviews.recordGate({ ...head, gate: "scope", verdict: "pass", findings: [] });
    await ledger.reviews.record({
      ...head,
      kind: "policy",
      reviewer: "swarm/review-policy",
      verdict: "spot-check",
    });
    await ledger.reviews.record({ ...head, kind: "human", reviewer: "alice", verdict: "changes-requested" });
    await ledger.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("prints how often people found problems in what the gate passed, from the ledger", async () => {
    const out: string[] = [];
    const code = await main(["calibration", "--repo", "acme/widgets", "--db", db], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    assert.equal(code, 0);
    assert.match(
      out.join("\n"),
      /all: 1 judged by people, 0 approved, 1 with changes requested \(100\.0% with problems\)/,
    );
    assert.match(out.join("\n"), /spot-check: 1 judged/);
  });

  it("refuses to run without a repository", async () => {
    const err: string[] = [];
    assert.equal(await main(["calibration"], { out: () => {}, err: (l) => err.push(l) }), 2);
    assert.match(err.join("\n"), /--repo owner\/name is required/);
  });
});
