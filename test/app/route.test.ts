import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { parseJob } from "../../src/core/job.ts";
import { FULL_NAME, startHarness, type Harness } from "./harness.ts";

const CONFIG = ["agents:", "  maxAgents: 3", "ownership:", '  "src/auth/**": auth', ""].join("\n");

function spec(file: string): string {
  return ["Change it.", "", "## Acceptance criteria", "- [ ] it works", "", "## Files", `- \`${file}\``].join(
    "\n",
  );
}

/**
 * Seeds finished attempts of earlier tasks: each entry is one attempt by `agent` in `areas`,
 * ending as `state`, claimed `minutes` after the harness clock's start (so last use is known).
 */
async function seedHistory(
  h: Harness,
  attempts: { agent: string; areas: string[]; state: "succeeded" | "failed" }[],
): Promise<void> {
  let issueNumber = 1000;
  for (const a of attempts) {
    issueNumber++;
    h.clock.advance(60_000);
    const key = { repo: FULL_NAME, issueNumber };
    await h.ledger.tasks.ensure({ ...key, state: "done" });
    const claim = await h.ledger.attempts.claimDispatch({
      ...key,
      attempt: 1,
      agent: a.agent,
      model: "claude-sonnet-4-5",
      mode: "implement",
      maxAgents: 3,
      areas: a.areas,
    });
    assert.equal(claim.claimed, true);
    await h.ledger.attempts.transition(key, 1, a.state);
  }
  h.clock.advance(60_000);
}

async function label(h: Harness, file: string) {
  const issue = h.sim.world.createIssue(FULL_NAME, {
    title: `Change ${file}`,
    body: spec(file),
    author: "alice",
  });
  await h.deliver("issues", h.labeled(issue.number, "swarm:ready", "alice"));
  const key = { repo: FULL_NAME, issueNumber: issue.number };
  const attempt = await h.ledger.attempts.get(key, 1);
  const decided = (await h.ledger.events.list({ repo: FULL_NAME, issueNumber: issue.number })).find(
    (e) => e.action === "routing.decided",
  );
  const runs = [...(h.sim.world.repo(FULL_NAME)?.workflowRuns.values() ?? [])];
  const run = runs.find((r) => r.id === attempt?.workflowRunId);
  return {
    agent: attempt?.agent,
    detail: decided?.detail as { reason: string; areas: string[] } | undefined,
    job: run === undefined ? undefined : parseJob(String(run.inputs.job)),
  };
}

describe("routing from the ledger's records", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ files: { ".github/swarm.yml": CONFIG } });
  });
  afterEach(async () => {
    h.sim.assertNoViolations();
    await h.close();
  });

  it("gives a task to the free agent with the best pass rate in its area, and records why against the runner-up", async () => {
    await seedHistory(h, [
      // builder-01 has the better record overall, but not in auth.
      ...Array.from({ length: 6 }, () => ({
        agent: "builder-01",
        areas: ["billing"],
        state: "succeeded" as const,
      })),
      { agent: "builder-01", areas: ["auth"], state: "failed" },
      { agent: "builder-01", areas: ["auth"], state: "failed" },
      { agent: "builder-02", areas: ["auth"], state: "succeeded" },
      { agent: "builder-02", areas: ["auth"], state: "succeeded" },
      { agent: "builder-02", areas: ["auth"], state: "succeeded" },
      { agent: "builder-02", areas: ["auth"], state: "failed" },
      // builder-03 worked last: least recently used would never pick it first.
      { agent: "builder-03", areas: ["billing"], state: "failed" },
    ]);
    const picked = await label(h, "src/auth/login.ts");
    assert.equal(picked.agent, "builder-02");
    assert.equal(picked.job?.agent, "builder-02");
    assert.deepEqual(picked.detail?.areas, ["auth"]);
    assert.match(
      picked.detail?.reason ?? "",
      /builder-02: best of 3 free \(3\/4 passed in auth; ahead of builder-03 \(no record in auth\)\)/,
    );
  });

  it("breaks a tie in the area by least recent use, naming both agents' last use", async () => {
    await seedHistory(h, [
      { agent: "builder-02", areas: ["auth"], state: "succeeded" },
      { agent: "builder-03", areas: ["auth"], state: "succeeded" },
      { agent: "builder-01", areas: ["auth"], state: "succeeded" },
      // Records elsewhere do not count in docs/.
      { agent: "builder-01", areas: ["src/"], state: "failed" },
    ]);
    // docs/guide.md lies in no owned area, so its area is its folder: nobody has a record there.
    const picked = await label(h, "docs/guide.md");
    assert.equal(picked.agent, "builder-02");
    assert.deepEqual(picked.detail?.areas, ["docs/"]);
    assert.match(
      picked.detail?.reason ?? "",
      /builder-02: best of 3 free \(no record in docs\/; least recently used among equals: last used 2026-11-22T08:01:00\.000Z, ahead of builder-03 \(no record in docs\/, last used 2026-11-22T08:02:00\.000Z\)\)/,
    );
  });
});
