import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Octokit } from "@octokit/rest";
import { parseConfig } from "../../core/config/parse.ts";
import type { SwarmConfig } from "../../core/config/schema.ts";
import { openLedger, type Ledger } from "../../ledger/index.ts";
import { startAnthropicSim, type AnthropicSim } from "../anthropic/server.ts";
import { startGitHubSim, type GitHubSim } from "../github/server.ts";
import type { SimEventEnvelope } from "../github/sim-events.ts";
import { demoIssues, scriptOf } from "./demo-issues.ts";
import { formatProgress, type ProgressChange } from "./progress.ts";
import { sampleProjectFiles } from "./sample-project.ts";
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
  /** Why the run stopped before the end (a part not built yet), or null when it ran to the end. */
  stoppedAt: string | null;
  elapsedMs: number;
}

const OWNER = "demo-org";
const NAME = "demo-shop";
const MAINTAINER = "maintainer";

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

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

async function writeFolder(folder: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
}

function demoConfig(files: Record<string, string>): SwarmConfig {
  const parsed = parseConfig(files[".github/swarm.yml"] ?? "");
  if (!parsed.ok)
    throw new Error(`the demo's .github/swarm.yml is invalid: ${JSON.stringify(parsed.problems)}`);
  return parsed.config;
}

/**
 * Runs the end-to-end demo on the embedded default: a node:sqlite ledger in a temporary folder,
 * the offline GitHub and the offline Anthropic. It builds the sample repository, opens the five
 * issues, labels them ready, and runs as far as the code on this branch goes; every server and
 * temporary file is gone when it returns or throws.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const dir = await mkdtemp(join(options.tempRoot ?? tmpdir(), "swarm-demo-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const files = sampleProjectFiles();
    const config = demoConfig(files);
    const stateLabels = new Set(Object.values(config.labels));
    const issues = demoIssues();
    const repository = `${OWNER}/${NAME}`;

    const ledger: Ledger = await openLedger({ url: join(dir, "ledger.db"), env: {} });
    cleanups.push(() => ledger.close());
    const github: GitHubSim = await startGitHubSim();
    cleanups.push(() => github.close());
    const anthropic: AnthropicSim = await startAnthropicSim({
      apiKey: randomBytes(24).toString("base64url"),
      scripts: Object.fromEntries(issues.map((issue, i) => [`${repository}#${i + 1}`, scriptOf(issue.plan)])),
    });
    cleanups.push(() => anthropic.close());

    // Live progress: every state label put on an issue, with the ledger's agent and attempt.
    const changes: ProgressChange[] = [];
    let printing = Promise.resolve();
    const onEvent = ({ payload }: SimEventEnvelope) => {
      if (payload.name !== "issues" || payload.action !== "labeled" || payload.repository !== repository)
        return;
      const label = payload.label;
      if (label === undefined || !stateLabels.has(label)) return;
      const at = elapsed();
      printing = printing.then(async () => {
        const task = await ledger.tasks.get({ repo: repository, issueNumber: payload.number });
        const change = {
          issue: payload.number,
          state: label,
          agent: task?.agent ?? null,
          attempt: task?.attempts ?? 0,
        };
        changes.push(change);
        options.progress?.(formatProgress(change, at));
      });
    };
    github.world.events.on("event", onEvent);
    cleanups.push(async () => github.world.events.off("event", onEvent));

    // The world: the app installed on the organisation, the sample repository, a maintainer.
    github.world.createApp({ slug: "swarm-foreman" });
    const app = [...github.world.apps.values()][0];
    if (!app) throw new Error("the offline GitHub did not register the app");
    github.world.installApp(app.id, OWNER);
    const sample = join(dir, "sample");
    await writeFolder(sample, files);
    await github.world.createRepo({
      owner: OWNER,
      name: NAME,
      fromFolder: sample,
      message: "Sample project",
    });
    const { token } = github.world.createUser(MAINTAINER);
    github.world.addCollaborator(repository, MAINTAINER, "maintain");
    const maintainer = new Octokit({ baseUrl: github.url, auth: token });

    // The issues open in order (so #N is issue N's script) and are labelled in the seed's order.
    for (const issue of issues)
      await maintainer.rest.issues.create({ owner: OWNER, repo: NAME, title: issue.title, body: issue.body });
    const order = shuffled(
      issues.map((_, i) => i + 1),
      seededRandom(options.seed ?? 1),
    );
    for (const number of order)
      await maintainer.rest.issues.addLabels({
        owner: OWNER,
        repo: NAME,
        issue_number: number,
        labels: [config.labels.ready],
      });
    await printing;

    // The app is built, but the offline GitHub cannot deliver webhooks to it yet.
    const stoppedAt = `webhook delivery from the offline GitHub is not built yet, so the app cannot hear of the issues: stopping with ${issues.length} issues labelled ${config.labels.ready}`;
    const rows = await taskRows(
      ledger,
      github,
      repository,
      issues.map((i) => ({ title: i.title, behaviour: i.plan.behaviour })),
    );
    github.assertNoViolations();
    return { repository, rows, changes, stoppedAt, elapsedMs: elapsed() };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
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
