// The app's webhook figures: signed webhooks POSTed over HTTP to the app, started as `npm start`
// starts it (its own process, the embedded SQLite ledger, info logging), against the offline
// GitHub with no added latency in this process, as GitHub is apart from the app in production.
// The same work (40 tasks labelled, commented on, dispatched, their runs started and finished)
// is driven twice, on two repositories: once delivering each webhook alone, for the time from
// receipt to decision (the app answers once its handlers finished) and the GitHub requests from
// the ready label to the dispatch of a task, counted by the offline GitHub; once delivering
// CONCURRENCY webhooks at a time, as GitHub delivers them, for the webhooks handled per second.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { openLedger } from "../src/ledger/index.ts";
import { actorKey } from "../src/sim/github/request-accounting.ts";
import { startGitHubSim, type GitHubSim } from "../src/sim/github/server.ts";
import type { SimEventEnvelope } from "../src/sim/github/sim-events.ts";
import { renderWebhook } from "../src/sim/github/webhooks/render-payload.ts";
import type { SimApp, SimInstallation } from "../src/sim/github/world.ts";
import { registerSwarmApp } from "../src/sim/swarm-app.ts";
import { AGENT_WORKFLOW } from "../test/app/harness.ts";
import type { BenchRow } from "./run.ts";

const OWNER = "acme";
const TASKS = 40;
// Deliveries under way at once in the throughput run.
const CONCURRENCY = 8;
const MAX_AGENTS = 10;

// Tasks and agents of the warm-up repository: more tasks than agents, so finished runs dispatch
// waiting tasks there too and every path the measured runs take has run once before.
const WARM_UP = { tasks: 4, maxAgents: 2 };

function config(maxAgents: number): string {
  return [
    "agents:",
    `  maxAgents: ${maxAgents}`,
    "ownership:",
    '  "src/auth/**": auth',
    '  "src/billing/**": billing',
    "",
  ].join("\n");
}

const AREAS = ["src/auth", "src/billing", "src/widgets", "docs"];

function spec(n: number): string {
  const area = AREAS[n % AREAS.length] ?? "src";
  return [
    `Task ${n}: make the change described here.`,
    "",
    "## Acceptance criteria",
    "- [ ] the tests pass",
    "",
    "## Files",
    `- \`${area}/part-${n}.ts\``,
  ].join("\n");
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** A person's REST client on the offline GitHub (their actions make the webhooks). */
function person(sim: GitHubSim, login: string) {
  const { token } = sim.world.createUser(login);
  return async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers: { authorization: `token ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status >= 300) throw new Error(`${login}: ${method} ${path} answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  };
}

async function createRepo(sim: GitHubSim, name: string, maxAgents: number): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), "app-bench-repo-"));
  const files: Record<string, string> = {
    "README.md": "# widgets\n",
    ".github/workflows/swarm-agent.yml": AGENT_WORKFLOW,
    ".github/swarm.yml": config(maxAgents),
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  await sim.world.createRepo({ owner: OWNER, name, fromFolder: folder });
  await rm(folder, { recursive: true, force: true });
}

/** Starts the app as `npm start` does, on a free port; resolves with its base URL once it listens. */
async function startApp(
  sim: GitHubSim,
  app: SimApp,
  ledgerPath: string,
): Promise<{ child: ChildProcess; url: string }> {
  const entry = new URL("../src/app/start.ts", import.meta.url);
  const child = spawn(process.execPath, [entry.pathname], {
    env: {
      PATH: process.env.PATH ?? "",
      APP_ID: String(app.id),
      PRIVATE_KEY: app.privateKey,
      WEBHOOK_SECRET: app.webhookSecret,
      PORT: "0",
      HOST: "127.0.0.1",
      GITHUB_API_URL: sim.url,
      SWARM_DB: ledgerPath,
      LOG_LEVEL: "info",
      GITHUB_WRITE_PACING: "off",
      RECONCILE_INTERVAL_SECONDS: "3600",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let seen = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) =>
      reject(new Error(`the app exited with ${code} before it listened:\n${seen}`)),
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const found = /listening on (http:\/\/[^/\s]+)/.exec(seen);
      if (found?.[1] !== undefined) resolve(found[1]);
    });
  });
  child.removeAllListeners("exit");
  // Its log goes on being read (and dropped) so the app never blocks on a full pipe.
  child.stdout?.removeAllListeners("data");
  child.stdout?.resume();
  return { child, url };
}

/**
 * The CPU time a process has used so far, in seconds, from Linux's /proc/<pid>/stat (user and
 * system time in USER_HZ ticks, 1/100 s on Linux's ABI); NaN where there is no /proc.
 */
function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** One delivered webhook: what it was and how long the app took to answer it. */
interface Handled {
  kind: string;
  /** The label of a labeled event. */
  label: string | undefined;
  ms: number;
  /** Requests the app's installation made while handling it, and how many of them were 304s. */
  requests: number;
  notModified: number;
}

/**
 * Delivers the world's events to the app one at a time, as GitHub would (rendered from the
 * published examples, signed), timing each POST from send to answer. Events the app causes
 * while handling one (its labels, comments, dispatched runs) are queued and delivered too.
 */
class Deliverer {
  readonly #sim: GitHubSim;
  readonly #app: SimApp;
  readonly #installation: SimInstallation;
  readonly #url: string;
  readonly #queue: SimEventEnvelope[] = [];
  readonly handled: Handled[] = [];

  constructor(sim: GitHubSim, app: SimApp, installation: SimInstallation, url: string) {
    this.#sim = sim;
    this.#app = app;
    this.#installation = installation;
    this.#url = url;
    sim.world.events.on("event", (envelope: SimEventEnvelope) => {
      if (app.events.includes(envelope.name)) this.#queue.push(envelope);
    });
  }

  /**
   * Delivers everything queued, including what the deliveries cause, until nothing is left,
   * `concurrency` at a time; returns the wall time it took.
   */
  async drain(concurrency = 1): Promise<number> {
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        const delivery: Promise<void> = this.#deliver(next).finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
        if (inFlight.size >= concurrency) break;
      }
      if (inFlight.size === 0) return performance.now() - started;
      await Promise.race(inFlight);
    }
  }

  async #deliver(envelope: SimEventEnvelope): Promise<void> {
    const installationKey = actorKey({
      kind: "installation",
      appId: this.#app.id,
      installationId: this.#installation.id,
      login: this.#app.bot.login,
    });
    const urls = { api: this.#sim.url, html: this.#sim.url };
    const webhook = await renderWebhook(this.#sim.world, urls, envelope, this.#installation);
    if (webhook === undefined) return;
    const body = JSON.stringify(webhook.payload);
    const signature = createHmac("sha256", this.#app.webhookSecret).update(body).digest("hex");
    const before = this.#sim.requests();
    const started = performance.now();
    const response = await fetch(this.#url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "GitHub-Hookshot/offline",
        "x-github-event": webhook.event,
        "x-github-delivery": randomUUID(),
        "x-hub-signature-256": `sha256=${signature}`,
      },
      body,
    });
    const answer = await response.text();
    const ms = performance.now() - started;
    if (response.status !== 200)
      throw new Error(
        `the app answered ${webhook.event}.${webhook.action ?? ""} with ${response.status}: ${answer}`,
      );
    const after = this.#sim.requests();
    // With deliveries overlapping, the counts are another delivery's too; only alone are they its own.
    this.handled.push({
      kind: `${webhook.event}.${webhook.action ?? ""}`,
      label: (webhook.payload.label as { name?: string } | undefined)?.name,
      ms,
      requests: (after.byActor[installationKey] ?? 0) - (before.byActor[installationKey] ?? 0),
      notModified: after.notModified - before.notModified,
    });
  }
}

/** What driving one repository's tasks needs: the world, the people, CI, and the deliverer. */
interface Driver {
  sim: GitHubSim;
  maintainer: ReturnType<typeof person>;
  dev: ReturnType<typeof person>;
  ciCheck: (repo: string, sha: string, name: string) => Promise<void>;
  deliverer: Deliverer;
}

/**
 * Drives `tasks` tasks of `repo` from issue to finished runs: each issue opened, commented on,
 * labelled ready, asked `/swarm status`, a CI check reported; then the runs start and finish, a
 * quarter failing, each finished run freeing a slot for a waiting task. Alone, every step's
 * webhooks are delivered before the next step; batched, each stage's steps for all tasks come
 * first and their webhooks go CONCURRENCY at a time. Returns the issues and the delivery time.
 */
async function driveTasks(
  d: Driver,
  repo: string,
  mode: "alone" | "batched",
  tasks = TASKS,
): Promise<{ issues: number[]; ms: number }> {
  const { sim, maintainer, dev, deliverer } = d;
  const concurrency = mode === "alone" ? 1 : CONCURRENCY;
  let ms = 0;
  const drain = async (stage: boolean) => {
    if ((mode === "alone") !== stage) ms += await deliverer.drain(concurrency);
  };
  const sha = (await sim.world.repo(repo)?.git.resolve("refs/heads/main")) ?? "";
  const issues: number[] = [];
  for (let n = 1; n <= tasks; n++) {
    const issue = (await maintainer("POST", `/repos/${repo}/issues`, {
      title: `Task ${n}`,
      body: spec(n),
    })) as {
      number: number;
    };
    issues.push(issue.number);
    await dev("POST", `/repos/${repo}/issues/${issue.number}/comments`, {
      body: "I can take a look at this.",
    });
    await maintainer("POST", `/repos/${repo}/issues/${issue.number}/labels`, { labels: ["swarm:ready"] });
    await drain(false);
    await dev("POST", `/repos/${repo}/issues/${issue.number}/comments`, { body: "/swarm status" });
    await d.ciCheck(repo, sha, `ci/test-${n}`);
    await drain(false);
  }
  await drain(true);
  for (let round = 0; round < tasks; round++) {
    const runs = [...(sim.world.repo(repo)?.workflowRuns.values() ?? [])].filter(
      (r) => r.status !== "completed",
    );
    if (runs.length === 0) break;
    for (const run of runs) {
      if (run.status !== "in_progress") sim.world.updateWorkflowRun(repo, run.id, { status: "in_progress" });
      await drain(false);
    }
    await drain(true);
    for (const [i, run] of runs.entries()) {
      sim.world.updateWorkflowRun(repo, run.id, {
        status: "completed",
        conclusion: i % 4 === 3 ? "failure" : "success",
      });
      await drain(false);
    }
    await drain(true);
  }
  return { issues, ms };
}

export default async function bench(): Promise<BenchRow[]> {
  const sim = await startGitHubSim();
  const world = sim.world;
  const app = registerSwarmApp(sim);
  const installation = world.installApp(app.id, OWNER);
  const ci = world.createApp({ slug: "ci", events: [] });
  const ciInstallation = world.installApp(ci.id, OWNER);
  const repos = { alone: `${OWNER}/widgets`, batched: `${OWNER}/gadgets` };
  const warmUpRepo = `${OWNER}/warm-up`;
  for (const [repo, maxAgents] of [
    [repos.alone, MAX_AGENTS],
    [repos.batched, MAX_AGENTS],
    [warmUpRepo, WARM_UP.maxAgents],
  ] as const) {
    await createRepo(sim, repo.split("/")[1] ?? "", maxAgents);
    world.addCollaborator(repo, "maintainer", "write");
    world.addCollaborator(repo, "dev", "write");
  }
  const maintainer = person(sim, "maintainer");
  const dev = person(sim, "dev");

  const folder = await mkdtemp(join(tmpdir(), "app-bench-ledger-"));
  const ledgerPath = join(folder, "ledger.db");
  const { child, url } = await startApp(sim, app, ledgerPath);
  const deliverer = new Deliverer(sim, app, installation, `${url}/api/github/webhooks`);
  const ciToken = world.mintInstallationToken(ciInstallation.id).token;
  const ciCheck = async (repo: string, sha: string, name: string) => {
    const response = await fetch(`${sim.url}/repos/${repo}/check-runs`, {
      method: "POST",
      headers: { authorization: `token ${ciToken}`, "content-type": "application/json" },
      body: JSON.stringify({ name, head_sha: sha, status: "completed", conclusion: "success" }),
    });
    if (response.status !== 201) throw new Error(`ci: check run answered ${response.status}`);
  };
  const driver: Driver = { sim, maintainer, dev, ciCheck, deliverer };

  try {
    // Warm-up, so the figures are the app's steady state rather than first uses: a few tasks'
    // whole cycle on a repository of their own (the offline GitHub compiles each operation's
    // validators on its first request, the app's code paths run once and its token is minted),
    // then one command on each measured repository (its config is read).
    await driveTasks(driver, warmUpRepo, "alone", WARM_UP.tasks);
    for (const repo of Object.values(repos)) {
      const warm = (await maintainer("POST", `/repos/${repo}/issues`, {
        title: "Warm-up",
        body: "hello",
      })) as {
        number: number;
      };
      await dev("POST", `/repos/${repo}/issues/${warm.number}/comments`, { body: "/swarm help" });
      await deliverer.drain();
    }
    deliverer.handled.length = 0;

    const alone = await driveTasks(driver, repos.alone, "alone");
    const handled = deliverer.handled.splice(0);
    const cpuBefore = cpuSeconds(child.pid);
    const batched = await driveTasks(driver, repos.batched, "batched");
    const handledBatched = deliverer.handled.splice(0);
    const appCpu = cpuSeconds(child.pid) - cpuBefore;

    const times = handled.map((h) => h.ms).sort((a, b) => a - b);
    const kinds = new Map<string, number[]>();
    for (const h of handled) kinds.set(h.kind, [...(kinds.get(h.kind) ?? []), h.ms]);
    console.error(
      `app-webhooks: alone, ${handled.length} webhooks in ${Math.round(alone.ms)} ms; batched, ${handledBatched.length} in ${Math.round(batched.ms)} ms`,
    );
    for (const [kind, list] of kinds) {
      const sorted = list.sort((a, b) => a - b);
      const requests = handled.filter((h) => h.kind === kind).reduce((sum, h) => sum + h.requests, 0);
      console.error(
        `  ${kind} ×${list.length}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ${(requests / list.length).toFixed(2)} requests`,
      );
    }

    // Label to dispatch: while runs are not yet moving, the first MAX_AGENTS ready labels find a
    // free slot and dispatch within their own delivery; the later ones wait in the queue.
    const immediate = handled.filter((h) => h.label === "swarm:ready").slice(0, MAX_AGENTS);
    child.kill("SIGTERM");
    await once(child, "exit");
    const ledger = await openLedger({ url: ledgerPath });
    try {
      for (const [repo, driven] of [
        [repos.alone, alone],
        [repos.batched, batched],
      ] as const) {
        const attempts = await Promise.all(
          driven.issues.map((issueNumber) => ledger.attempts.get({ repo, issueNumber }, 1)),
        );
        const dispatched = attempts.filter((a) => a?.workflowRunId != null).length;
        if (dispatched !== TASKS)
          throw new Error(`${repo}: only ${dispatched} of ${TASKS} tasks were dispatched`);
      }
    } finally {
      await ledger.close();
    }
    const perTask = immediate.reduce((s, h) => s + h.requests, 0) / immediate.length;
    const charged = immediate.reduce((s, h) => s + h.requests - h.notModified, 0) / immediate.length;
    return [
      {
        measure: `webhooks handled per second (${CONCURRENCY} deliveries at a time)`,
        value: (handledBatched.length / batched.ms) * 1000,
        unit: "webhooks/s",
        target: { atLeast: 300 },
      },
      {
        measure: `  the same per second of the app's CPU (one core's capacity)`,
        value: handledBatched.length / appCpu,
        unit: "webhooks/s",
      },
      {
        measure: "webhooks handled per second (one at a time)",
        value: (handled.length / alone.ms) * 1000,
        unit: "webhooks/s",
      },
      { measure: "receipt to decision, p50", value: percentile(times, 50), unit: "ms" },
      {
        measure: "receipt to decision, p99",
        value: percentile(times, 99),
        unit: "ms",
        target: { atMost: 25 },
      },
      {
        measure: "GitHub requests, ready label to dispatch",
        value: perTask,
        unit: "requests/task",
        target: { atMost: 5 },
      },
      { measure: "of which count against the rate limit", value: charged, unit: "requests/task" },
    ];
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await once(child, "exit");
    }
    await rm(folder, { recursive: true, force: true });
    await sim.close();
  }
}
