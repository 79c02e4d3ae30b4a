// The app's GitHub requests per task on the happy path, label to closed, and how soon the merge
// queue hears of a pull request once its last required check is green: the time from that
// check's completion on the offline GitHub (its check_run webhook goes out then) to the
// enqueuePullRequest mutation arriving there. No latency is added anywhere.
import { performance } from "node:perf_hooks";
import type { SimEventEnvelope } from "../src/sim/github/sim-events.ts";
import { FULL, startOutcomeWorld } from "../test/app/outcome-fixture.ts";
import type { BenchRow } from "./run.ts";

const countedTasks = 10;
const timedTasks = 60;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Runs tasks to merged one after another and measures each. */
export default async function bench(): Promise<BenchRow[]> {
  const world = await startOutcomeWorld();
  try {
    const { swarm, sim } = world;
    const charged: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < countedTasks; i++) {
      const before = total(swarm.deps.requests.snapshot());
      const issue = await world.task(`Counted ${i}`, `src/counted-${i}.ts`, {
        files: () => ({ [`src/counted-${i}.ts`]: `export const n = ${i};\n` }),
        groupCi: () => "success",
      });
      if ((await world.ledger.tasks.get({ repo: FULL, issueNumber: issue }))?.state !== "merged")
        throw new Error(`counted task #${issue} did not merge`);
      charged.push(swarm.deps.requests.forTask(FULL, issue));
      all.push(total(swarm.deps.requests.snapshot()) - before);
    }

    const latencies: number[] = [];
    let greenAt: { id: number; at: number } | undefined;
    let enqueuedAt: number | undefined;
    sim.world.events.on("event", (e: SimEventEnvelope) => {
      const p = e.payload;
      if (p.name === "check_run" && p.action === "completed" && p.checkRunId === greenAt?.id)
        greenAt.at = performance.now();
      if (p.name === "pull_request" && p.action === "enqueued") enqueuedAt ??= performance.now();
    });
    for (let i = 0; i < timedTasks; i++) {
      const issue = await world.task(`Timed ${i}`, `src/timed-${i}.ts`, {
        files: () => ({ [`src/timed-${i}.ts`]: `export const n = ${i};\n` }),
        groupCi: () => "success",
        headCi: "running",
      });
      const id = world.runningHeadCheck(issue);
      if (id === undefined) throw new Error(`timed task #${issue} has no running head check`);
      greenAt = { id, at: Number.NaN };
      enqueuedAt = undefined;
      await world.finishHeadCheck(issue);
      await world.settle();
      if (enqueuedAt === undefined) throw new Error(`timed task #${issue} was never enqueued`);
      latencies.push(enqueuedAt - greenAt.at);
    }
    sim.assertNoViolations();
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    return [
      {
        measure: "GitHub requests per task charged to it, happy path",
        value: mean(charged),
        unit: "requests",
        target: { atMost: 16 },
      },
      { measure: "GitHub requests per task, all the app sent", value: mean(all), unit: "requests" },
      { measure: "last required check green → enqueue, p50", value: percentile(latencies, 50), unit: "ms" },
      {
        measure: "last required check green → enqueue, p99",
        value: percentile(latencies, 99),
        unit: "ms",
        target: { atMost: 1000 },
      },
    ];
  } finally {
    await world.close();
  }
}
