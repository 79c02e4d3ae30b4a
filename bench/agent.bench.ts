// The agent runner's figures: cold start of the bundled action to its first model request, the
// share of input tokens billed as cache reads on a 40-turn session and its cost against the same
// session uncached, and GitHub requests per job. Everything runs against the offline GitHub and
// Anthropic on this machine.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAction } from "../scripts/build-action.ts";
import { call, finish } from "../src/sim/anthropic/behaviours/steps.ts";
import type { Script } from "../src/sim/anthropic/script.ts";
import { fromApiUsage } from "../src/core/usage.ts";
import { startAttemptFixture } from "../test/agent/attempt-fixture.ts";
import type { BenchRow } from "./run.ts";

const COLD_RUNS = 5;
const TURNS = 40;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Reads a different file each turn, then finishes on the last one: a session that keeps growing. */
function longSession(): Script {
  const files = ["src/math.js", "test/math.test.js", "package.json", "tools/generate.js"];
  return {
    name: "long-session",
    next: (context) => {
      if (context.turn === TURNS - 2)
        return call("Writing.", "write_file", {
          path: "src/done.js",
          content: "export const done = true;\n",
        });
      if (context.turn >= TURNS - 1) return finish("Read the project and wrote src/done.js.");
      return call(`Reading (turn ${context.turn}).`, "read_file", {
        path: files[context.turn % files.length],
      });
    },
  };
}

/**
 * Milliseconds from spawning the bundled action to its first model request, over `runs` runs on
 * one warmed-up offline GitHub (its validators compile on first use, which is not the action's
 * cost), and the GitHub requests one run makes.
 */
async function coldStarts(runs: number): Promise<number[]> {
  const fx = await startAttemptFixture();
  const dir = await mkdtemp(join(tmpdir(), "agent-bench-"));
  try {
    const bundle = await buildAction(join(dir, "index.js"));
    fx.anthropic.setScript("acme/widgets#1", { name: "finish", next: () => finish("nothing") });
    const times: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const before = fx.anthropic.records().length;
      const started = Date.now();
      const child = spawn(process.execPath, [bundle], {
        cwd: fx.workspace,
        env: fx.actionEnv(fx.job()),
        stdio: "ignore",
      });
      await new Promise((resolve) => child.on("close", resolve));
      const first = fx.anthropic.records()[before];
      if (first === undefined) throw new Error("the bundled action made no model request");
      if (i > 0) times.push(first.at - started);
    }
    return times;
  } finally {
    await rm(dir, { recursive: true, force: true });
    await fx.close();
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const cold = await coldStarts(COLD_RUNS);

  const fx = await startAttemptFixture();
  try {
    const job = fx.job();
    const { report, githubRequests } = await fx.attempt(job, longSession(), { maxTurns: TURNS + 5 });
    if (report.outcome !== "done")
      throw new Error(`the 40-turn session ended ${report.outcome}: ${report.reason}`);
    const price = job.model.price;
    let uncached = 0;
    for (const record of fx.anthropic.records()) {
      if (record.usage === null) continue;
      const u = fromApiUsage(record.usage);
      uncached += ((u.input + u.cacheWrite + u.cacheRead) * price.input + u.output * price.output) / 1e6;
    }
    const prompt = report.usage.input + report.usage.cacheWrite + report.usage.cacheRead;
    return [
      {
        measure: "cold start to first model request (bundled, median)",
        value: median(cold),
        unit: "ms",
        target: { atMost: 300 },
      },
      {
        measure: `input tokens billed as cache reads (${report.turns} turns)`,
        value: (100 * report.usage.cacheRead) / prompt,
        unit: "%",
        target: { atLeast: 80 },
      },
      { measure: "session cost with caching", value: report.costUsd, unit: "USD" },
      { measure: "same session uncached", value: uncached, unit: "USD" },
      { measure: "cost with caching / uncached", value: report.costUsd / uncached, unit: "ratio" },
      {
        measure: "GitHub requests per job (40 turns, counted by the action)",
        value: githubRequests,
        unit: "requests",
      },
      {
        measure: "GitHub requests per job (counted by the offline GitHub)",
        value: fx.github.requests().total,
        unit: "requests",
      },
    ];
  } finally {
    await fx.close();
  }
}
