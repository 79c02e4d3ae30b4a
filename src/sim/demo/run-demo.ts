import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statusMarker } from "../../app/status-comment.ts";
import { parseConfig } from "../../core/config/parse.ts";
import type { SwarmConfig } from "../../core/config/schema.ts";
import { openLedger, type Ledger, type Task } from "../../ledger/index.ts";
import { startAnthropicSim, type AnthropicSim } from "../anthropic/server.ts";
import { startActionsRunner } from "../github/actions/actions-runner.ts";
import { startGitHubSim, type GitHubSim } from "../github/server.ts";
import type { SimApp } from "../github/world.ts";
import { ensureActionBuilt } from "../../../scripts/build-action.ts";
import { startSwarmAppOnSim } from "../swarm-app.ts";
import { demoIssues, scriptOf } from "./demo-issues.ts";
import { buildDemoWorld, DEMO_MAINTAINER, DEMO_OWNER, DEMO_REPO } from "./demo-world.ts";
import { formatNote, formatProgress, watchProgress, type ProgressChange } from "./progress.ts";
import { AGENT_ACTION, sampleProjectFiles } from "./sample-project.ts";
import type { TaskRow } from "./summary-table.ts";

/** How to run the demo. */
export interface DemoOptions {
  /** Seeds the order in which the issues are labelled; default 1. */
  seed?: number;
  /** Receives each live progress line; none are printed when omitted. */
  progress?: (line: string) => void;
  /** The whole run's limit in milliseconds; default 55 000. */
  timeLimitMs?: number;
  /** Where the run's temporary folder goes; default the system's temporary directory. */
  tempRoot?: string;
}

/** What the demo reached: one row per task, and where it stopped when it could not go on. */
export interface DemoResult {
  repository: string;
  rows: TaskRow[];
  /** Every state change seen, in order. */
  changes: ProgressChange[];
  /** The `/swarm` commands the maintainer gave, in order, with the issue each went on. */
  commands: { issue: number; command: string }[];
  /** The most agent workflow runs in flight at once, as the offline GitHub saw them. */
  peakRuns: number;
  /** The configured cap on agents running at once. */
  maxAgents: number;
  /** The app's status comments on each issue (one per task is the rule). */
  statusComments: Record<number, number>;
  /** Each task's attempts from the ledger, in order: the agent, how it worked, how it ended, its verdict. */
  attempts: Record<number, { agent: string; mode: string; state: string; verdict: string | null }[]>;
  /** The app's other comments on each issue that has any (an escalation's hand-over among them). */
  appComments: Record<number, string[]>;
  /** Why the run stopped before every task reached its end, or null when all did. */
  stoppedAt: string | null;
  elapsedMs: number;
}

/** Task states the swarm leaves for good, or in which it waits for a person. */
const ENDED = new Set(["merged", "cancelled", "needs-human", "needs-spec", "in-review"]);

/** A small deterministic generator (mulberry32) so a seed always gives the same order. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The order the maintainer labels issues 1…count in: a shuffle the seed alone decides. */
export function labelOrder(seed: number, count: number): number[] {
  const random = seededRandom(seed);
  const out = Array.from({ length: count }, (_, i) => i + 1);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as number, out[i] as number];
  }
  return out;
}

function demoConfig(files: Record<string, string>): SwarmConfig {
  const parsed = parseConfig(files[".github/swarm.yml"] ?? "");
  if (!parsed.ok)
    throw new Error(`the demo's .github/swarm.yml is invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.config;
}

/** Rejects with a clear message when the time limit passes first. */
function deadline(ms: number): { reached: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DemoTimeout(ms)), ms);
  });
  reached.catch(() => undefined);
  return { reached, clear: () => clearTimeout(timer) };
}

class DemoTimeout extends Error {
  constructor(ms: number) {
    super(`the time limit of ${(ms / 1000).toFixed(0)}s passed`);
  }
}

/**
 * Runs the end-to-end demo on the embedded default: a node:sqlite ledger in a temporary folder,
 * the offline GitHub and the offline Anthropic, and the real app hearing the offline GitHub's
 * signed webhooks over HTTP. The maintainer pauses the swarm, labels the five issues ready,
 * resumes it (the agent cap holds: the rest wait), cancels one task and retries it; then the
 * swarm runs until every task has ended or waits for a person, moving on events, never on
 * timers. Every server and temporary file is gone when it returns or throws.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const cleanups: (() => Promise<unknown>)[] = [];
  const limit = deadline(options.timeLimitMs ?? 55_000);
  try {
    const dir = await mkdtemp(join(options.tempRoot ?? tmpdir(), "swarm-demo-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const files = sampleProjectFiles();
    const config = demoConfig(files);
    const issues = demoIssues();

    const ledger: Ledger = await openLedger({ url: join(dir, "ledger.db"), env: {} });
    cleanups.push(() => ledger.close());
    const github: GitHubSim = await startGitHubSim();
    cleanups.push(() => github.close());
    const repository = `${DEMO_OWNER}/${DEMO_REPO}`;
    const apiKey = randomBytes(24).toString("base64url");
    const anthropic: AnthropicSim = await startAnthropicSim({
      apiKey,
      scripts: Object.fromEntries(issues.map((issue, i) => [`${repository}#${i + 1}`, scriptOf(issue.plan)])),
    });
    cleanups.push(() => anthropic.close());
    const world = await buildDemoWorld(github, join(dir, "sample"), files, { url: anthropic.url, apiKey });
    const { maintainer } = world;
    const [owner, repo] = repository.split("/") as [string, string];
    const swarm = await startSwarmAppOnSim(github, world.app, { ledger });
    cleanups.push(() => swarm.close());
    // The agent workflow's `uses:` runs this project's own action, bundled from this source.
    const runner = startActionsRunner({ github, actions: { [AGENT_ACTION]: await ensureActionBuilt() } });
    cleanups.push(() => runner.close());

    const watch = watchProgress(github.world, ledger, repository, (change) =>
      options.progress?.(formatProgress(change, elapsed())),
    );
    cleanups.push(async () => {
      watch.stop();
      await watch.flush().catch(() => undefined);
    });
    const note = (text: string) => options.progress?.(formatNote(text, elapsed()));
    // The parts that move on their own after an event, each with a point where it has caught up.
    const parts = [() => swarm.idle(), () => runner.idle(), () => github.world.mergeQueues.idle()];
    let events = 0;
    const count = () => void events++;
    github.world.events.on("event", count);
    cleanups.push(async () => github.world.events.off("event", count));
    // Everything the last action set off has happened: every part caught up with no new event
    // between, and every change read.
    const settle = async () => {
      for (let before = -1; before !== events;) {
        before = events;
        for (const idle of parts) await Promise.race([idle(), limit.reached]);
      }
      await watch.flush();
    };
    const commands: DemoResult["commands"] = [];
    const watched = (matches: (change: ProgressChange) => boolean) =>
      Promise.race([watch.until(matches), limit.reached]);
    // A command; with `settled`, then everything it set off.
    const command = async (issue: number, text: string, settled = true) => {
      note(`${DEMO_MAINTAINER}: ${text} (on #${issue})`);
      commands.push({ issue, command: text });
      await maintainer.rest.issues.createComment({ owner, repo, issue_number: issue, body: text });
      if (settled) await settle();
    };

    let stoppedAt: string | null;
    try {
      for (const issue of issues)
        await maintainer.rest.issues.create({ owner, repo, title: issue.title, body: issue.body });
      // Paused first, so all five wait in the queue and resume shows the cap deciding who starts.
      await command(1, "/swarm pause");
      const order = labelOrder(options.seed ?? 1, issues.length);
      note(`${DEMO_MAINTAINER}: labels ${order.map((n) => `#${n}`).join(" ")} ${config.labels.ready}`);
      for (const number of order)
        await maintainer.rest.issues.addLabels({
          owner,
          repo,
          issue_number: number,
          labels: [config.labels.ready],
        });
      await settle();
      // The first task dispatched is cancelled while its run is under way, then retried. Each
      // step waits for its own effect in the ledger, not for the whole swarm to fall quiet.
      await command(1, "/swarm resume", false);
      const first = await watched((c) => c.state === "dispatched");
      await command(first.issue, "/swarm cancel", false);
      await watched((c) => c.issue === first.issue && c.state === "cancelled");
      await command(first.issue, "/swarm retry");
      stoppedAt = await untilEnded(ledger, repository, settle);
    } catch (error) {
      if (!(error instanceof DemoTimeout)) throw error;
      await watch.flush();
      stoppedAt = `${error.message} ${describeTasks(await ledger.tasks.list({ repo: repository }))}`;
    }

    const rows = await taskRows(
      ledger,
      github,
      repository,
      issues.map((i) => ({ title: i.title, behaviour: i.plan.behaviour })),
    );
    github.assertNoViolations();
    return {
      repository,
      rows,
      changes: [...watch.changes],
      commands,
      peakRuns: watch.peakRuns(),
      maxAgents: config.agents.maxAgents,
      statusComments: statusComments(github, repository, issues.length),
      attempts: await attemptsOf(ledger, repository, issues.length),
      appComments: appComments(github, repository, world.app),
      stoppedAt,
      elapsedMs: elapsed(),
    };
  } finally {
    limit.clear();
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/**
 * Waits until every task has ended or waits for a person; returns null then, or, when the swarm
 * falls quiet before that (nothing left under way that could move a task), says where it stopped.
 */
async function untilEnded(
  ledger: Ledger,
  repository: string,
  settle: () => Promise<void>,
): Promise<string | null> {
  await settle();
  const tasks = await ledger.tasks.list({ repo: repository });
  if (tasks.every((t) => ENDED.has(t.state))) return null;
  return `the swarm fell quiet with tasks still under way: ${describeTasks(tasks)}`;
}

/** Where each task stands, e.g. "#1 dispatched, #2 queued". */
function describeTasks(tasks: readonly Task[]): string {
  return tasks.map((t) => `#${t.issueNumber} ${t.state}`).join(", ");
}

/** How many status comments the app keeps on each issue. */
function statusComments(github: GitHubSim, repository: string, count: number): Record<number, number> {
  const comments = [...(github.world.repo(repository)?.comments.values() ?? [])];
  const result: Record<number, number> = {};
  for (let issue = 1; issue <= count; issue++)
    result[issue] = comments.filter(
      (c) => c.issueNumber === issue && c.body.includes(statusMarker(repository, issue)),
    ).length;
  return result;
}

/** Each task's attempts as the ledger keeps them. */
async function attemptsOf(
  ledger: Ledger,
  repository: string,
  count: number,
): Promise<DemoResult["attempts"]> {
  const result: DemoResult["attempts"] = {};
  for (let issue = 1; issue <= count; issue++)
    result[issue] = (await ledger.attempts.list({ repo: repository, issueNumber: issue })).map((a) => ({
      agent: a.agent,
      mode: a.mode,
      state: a.state,
      verdict: a.verdict,
    }));
  return result;
}

/** The app's comments on each issue other than its status comment, oldest first. */
function appComments(github: GitHubSim, repository: string, app: SimApp): Record<number, string[]> {
  const result: Record<number, string[]> = {};
  for (const c of github.world.repo(repository)?.comments.values() ?? [])
    if (c.user.login === app.bot.login && !c.body.includes(statusMarker(repository, c.issueNumber)))
      (result[c.issueNumber] ??= []).push(c.body);
  return result;
}

/** The table's rows: agent, model, attempts and outcome from the ledger; requests from the offline GitHub. */
async function taskRows(
  ledger: Ledger,
  github: GitHubSim,
  repository: string,
  issues: readonly { title: string; behaviour: string }[],
): Promise<TaskRow[]> {
  const requests = github.requests().byTask;
  const rows: TaskRow[] = [];
  for (const [i, issue] of issues.entries()) {
    const key = { repo: repository, issueNumber: i + 1 };
    const task = await ledger.tasks.get(key);
    const usage = await ledger.usage.totals(key);
    rows.push({
      issue: key.issueNumber,
      title: issue.title,
      behaviour: issue.behaviour,
      agent: task?.agent ?? null,
      model: task?.model ?? null,
      attempts: task?.attempts ?? 0,
      outcome: task?.state ?? "not started",
      tokens: usage.inputTokens + usage.outputTokens + usage.cacheWriteTokens + usage.cacheReadTokens,
      costUsd: usage.costUsd,
      pullNumber: task?.pullNumber ?? null,
      githubRequests: requests[String(key.issueNumber)] ?? 0,
    });
  }
  return rows;
}
