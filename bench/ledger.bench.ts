// Ledger throughput and the agent-CV query on both backends: events appended per second one
// statement at a time and in batches, and the time of one CV over 100,000 events.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { openLedger } from "../src/ledger/index.ts";
import type { Ledger, NewEvent } from "../src/ledger/index.ts";
import type { BenchRow } from "./run.ts";

const repo = "octo/bench";
const totalEvents = 100_000;
const batchSize = 10_000;
const agents = 30;
const tasks = 500;
const attemptsPerTask = 2;

function event(i: number): NewEvent {
  return {
    repo,
    issueNumber: (i % tasks) + 1,
    attempt: 1,
    agent: `agent-${i % agents}`,
    action: i % 5 === 0 ? "file.write" : "tool.call",
    target: `src/module-${i % 97}.ts`,
    model: "claude-sonnet-4-5",
    sessionId: `session-${i % tasks}`,
    detail: { i },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function measure(
  ledger: Ledger,
  single: number,
): Promise<{ single: number; batched: number; cv: number }> {
  // Attempts and usage first, so the CV has outcomes and tokens to sum, as in real use.
  for (let t = 1; t <= tasks; t++) await ledger.tasks.ensure({ repo, issueNumber: t, state: "queued" });
  for (let a = 1; a <= attemptsPerTask; a++) {
    for (let t = 1; t <= tasks; t++) {
      const agent = `agent-${(t * a) % agents}`;
      await ledger.attempts.claimDispatch({
        repo,
        issueNumber: t,
        attempt: a,
        agent,
        model: "m",
        mode: "fresh",
        maxAgents: tasks * attemptsPerTask,
      });
      await ledger.attempts.transition(
        { repo, issueNumber: t },
        a,
        (t + a) % 3 === 0 ? "failed" : "succeeded",
      );
      await ledger.usage.record({
        reportId: `${t}-${a}`,
        repo,
        issueNumber: t,
        attempt: a,
        agent,
        model: "m",
        inputTokens: 10_000 + t,
        outputTokens: 2_000,
        cacheWriteTokens: 500,
        cacheReadTokens: 40_000,
        costUsd: 0.12,
      });
    }
  }
  const setupEvents = tasks * attemptsPerTask * 2;

  let start = performance.now();
  for (let i = 0; i < single; i++) await ledger.events.append([event(i)]);
  const singleRate = single / ((performance.now() - start) / 1000);

  const remaining = totalEvents - setupEvents - single;
  const batches: NewEvent[][] = [];
  for (let i = 0; i < remaining; i += batchSize)
    batches.push(Array.from({ length: Math.min(batchSize, remaining - i) }, (_, j) => event(single + i + j)));
  start = performance.now();
  for (const batch of batches) await ledger.events.append(batch);
  const batchedRate = remaining / ((performance.now() - start) / 1000);

  const count = (await ledger.events.list({ afterId: 0 })).length;
  if (count !== totalEvents) throw new Error(`expected ${totalEvents} events, found ${count}`);
  await ledger.agents.cv(); // warm caches and plans
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    start = performance.now();
    const cv = await ledger.agents.cv();
    times.push(performance.now() - start);
    if (cv.length !== agents) throw new Error(`expected ${agents} agents in the CV, found ${cv.length}`);
  }
  return { single: singleRate, batched: batchedRate, cv: median(times) };
}

function rows(
  backend: string,
  m: { single: number; batched: number; cv: number } | string,
  sqlite: boolean,
): BenchRow[] {
  const skipped = typeof m === "string" ? m : undefined;
  const v = (x: (r: { single: number; batched: number; cv: number }) => number) =>
    typeof m === "string" ? Number.NaN : x(m);
  const s = skipped === undefined ? {} : { skipped };
  return [
    {
      measure: `${backend}: events appended, one per statement`,
      value: v((r) => r.single),
      unit: "events/s",
      ...s,
    },
    {
      measure: `${backend}: events appended in batches of ${batchSize.toLocaleString("en-US")}`,
      value: v((r) => r.batched),
      unit: "events/s",
      ...(sqlite && { target: { atLeast: 20_000 } }),
      ...s,
    },
    {
      measure: `${backend}: agent CV over ${totalEvents.toLocaleString("en-US")} events (median of 7)`,
      value: v((r) => r.cv),
      unit: "ms",
      ...(sqlite && { target: { atMost: 50 } }),
      ...s,
    },
  ];
}

async function sqliteRows(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "ledger-bench-"));
  try {
    const ledger = await openLedger({ url: join(dir, "ledger.db"), env: {} });
    try {
      return rows("sqlite", await measure(ledger, 5_000), true);
    } finally {
      await ledger.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresRows(): Promise<BenchRow[]> {
  const env = process.env["DATABASE_URL"];
  const base =
    env !== undefined && /^postgres(ql)?:\/\//.test(env) ? env : "postgres://postgres@127.0.0.1:5432/test";
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    return rows(
      "postgres",
      `no server at ${new URL(base).host} (${error instanceof Error ? error.message : String(error)})`,
      false,
    );
  }
  // A database of its own, so the bench never touches, or is disturbed by, other data there.
  const database = `ledger_bench_${randomBytes(6).toString("hex")}`;
  await admin.query(`create database ${database}`);
  try {
    const url = new URL(base);
    url.pathname = `/${database}`;
    const ledger = await openLedger({ url: url.toString(), env: {} });
    try {
      return rows("postgres", await measure(ledger, 2_000), false);
    } finally {
      await ledger.close();
    }
  } finally {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

/** Measures the ledger on SQLite, then on PostgreSQL when a server answers. */
export default async function ledgerBench(): Promise<BenchRow[]> {
  return [...(await sqliteRows()), ...(await postgresRows())];
}
