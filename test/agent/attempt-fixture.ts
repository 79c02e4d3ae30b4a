import Anthropic from "@anthropic-ai/sdk";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { DEFAULT_PRICING } from "../../src/core/config/defaults.ts";
import type { ModelPrice } from "../../src/core/config/fields.ts";
import { parseJob, type Job, type JobInput } from "../../src/core/job.ts";
import { connectGitHub } from "../../src/agent/github-client.ts";
import { runAttempt, type AttemptResult } from "../../src/agent/main.ts";
import { startAnthropicSim, type AnthropicSim } from "../../src/sim/anthropic/server.ts";
import type { Script } from "../../src/sim/anthropic/script.ts";
import { startGitHubSim, type GitHubSim } from "../../src/sim/github/server.ts";
import type { SimApp, SimRepo } from "../../src/sim/github/world.ts";

const run = promisify(execFile);

/** The key the offline Anthropic accepts in these tests. */
export const API_KEY = "sk-ant-api03-attempt-fixture-key";

/** A small JavaScript project with a passing test, the repository every attempt works on. */
export const PROJECT: Record<string, string> = {
  "package.json": JSON.stringify(
    { name: "widgets", type: "module", scripts: { test: "node --test" } },
    null,
    2,
  ),
  "src/math.js": "export function add(a, b) {\n  return a + b;\n}\n",
  "test/math.test.js":
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { add } from "../src/math.js";\n\ntest("add", () => assert.equal(add(2, 3), 5));\n',
  "tools/generate.js":
    'import { writeFileSync } from "node:fs";\nwriteFileSync("generated.txt", "made by a tool\\n");\n',
  "CLAUDE.md": "Use two-space indentation.\n",
};

/** Both offline services, a repository with an issue, and a workspace cloned from it. */
export interface AttemptFixture {
  github: GitHubSim;
  anthropic: AnthropicSim;
  app: SimApp;
  repo: SimRepo;
  workspace: string;
  tempRoot: string;
  /** How long each GitHub retry of `attempt` was asked to wait, in milliseconds (it does not wait). */
  githubWaits: number[];
  /** The GitHub requests `attempt` sent after connecting (`METHOD /route/{template}`), with the attempt's clock. */
  githubCalls: { route: string; at: number }[];
  /** A job for issue #1, with `overrides` applied. */
  job(overrides?: Partial<JobInput>): Job;
  /** Runs one attempt of `job` with `script` answering the model requests. */
  attempt(
    job: Job,
    script: Script,
    options?: { now?: () => number; maxTurns?: number; log?: (line: string) => void },
  ): Promise<AttemptResult>;
  /** The environment a runner gives the bundled action for `job`. */
  actionEnv(job: Job): Record<string, string | undefined>;
  /** `git` in the bare repository on the offline GitHub. */
  bareGit(...args: string[]): Promise<string>;
  close(): Promise<void>;
}

/** Starts the fixture. */
export async function startAttemptFixture(
  options: { anthropicRetries?: number; price?: Partial<ModelPrice> } = {},
): Promise<AttemptFixture> {
  const github = await startGitHubSim();
  const anthropic = await startAnthropicSim({ apiKey: API_KEY });
  const root = await mkdtemp(join(tmpdir(), "attempt-"));
  const source = join(root, "source");
  for (const [path, content] of Object.entries(PROJECT)) {
    await mkdir(dirname(join(source, path)), { recursive: true });
    await writeFile(join(source, path), content);
  }
  const app = github.world.createApp({ slug: "swarm-foreman" });
  github.world.installApp(app.id, "acme");
  const repo = await github.world.createRepo({ owner: "acme", name: "widgets", fromFolder: source });
  github.world.createIssue("acme/widgets", {
    title: "Add subtraction",
    body: "Add `sub(a, b)` to src/math.js with a test.\n\n## Acceptance criteria\n- [ ] sub works",
    author: "octocat",
  });
  const workspace = join(root, "workspace");
  await run("git", ["clone", "-q", repo.git.gitDir, workspace]);
  const tempRoot = join(root, "runner-temp");
  await mkdir(tempRoot);
  const model = "claude-sonnet-5-5";
  const githubWaits: number[] = [];
  const githubCalls: { route: string; at: number }[] = [];
  const price = { ...(DEFAULT_PRICING as Record<string, ModelPrice>)[model], ...options.price } as ModelPrice;

  return {
    github,
    anthropic,
    app,
    repo,
    workspace,
    tempRoot,
    githubWaits,
    githubCalls,
    job: (overrides = {}) =>
      parseJob(
        JSON.stringify({
          version: 1,
          repository: "acme/widgets",
          issue: 1,
          taskId: "acme/widgets#1",
          attempt: 1,
          agent: "builder-01",
          sessionId: "s-0001",
          mode: "implement",
          model: { id: model, tier: "standard", price },
          branch: "swarm/1-builder-01",
          baseBranch: "main",
          scope: ["src/**", "test/**"],
          protectedPaths: [".github/workflows/**", "CLAUDE.md"],
          allowedCommands: ["npm", "node", "git", "ls", "cat"],
          limits: { tokens: 2_000_000, usd: 5, jobMinutes: 30, heartbeatSeconds: 60 },
          requestedBy: { login: "octocat", id: 583231 },
          ...overrides,
        }),
      ),
    async attempt(job, script, attemptOptions = {}) {
      anthropic.setScript(`${job.repository}#${job.issue}`, script);
      const client = new Anthropic({
        baseURL: anthropic.url,
        apiKey: API_KEY,
        maxRetries: options.anthropicRetries ?? 2,
      });
      const connected = await connectGitHub(
        github.url,
        job.repository,
        { kind: "app", appId: String(app.id), privateKey: app.privateKey },
        { sleep: async (ms) => void githubWaits.push(ms) },
      );
      const now = attemptOptions.now ?? Date.now;
      connected.octokit.hook.before("request", (request) => {
        githubCalls.push({ route: `${request.method} ${request.url}`, at: now() });
      });
      return runAttempt({
        job,
        workspace,
        tempRoot,
        anthropic: client,
        github: connected,
        secrets: [API_KEY, app.privateKey, connected.token],
        parentEnv: { PATH: process.env.PATH, ANTHROPIC_API_KEY: API_KEY, GITHUB_TOKEN: connected.token },
        now,
        maxTurns: attemptOptions.maxTurns ?? 40,
        maxTokens: 4096,
        log: attemptOptions.log ?? (() => undefined),
      });
    },
    actionEnv: (job) => ({
      PATH: process.env.PATH,
      GITHUB_API_URL: github.url,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: tempRoot,
      INPUT_JOB: JSON.stringify(job),
      "INPUT_ANTHROPIC-API-KEY": API_KEY,
      "INPUT_ANTHROPIC-BASE-URL": anthropic.url,
      "INPUT_APP-ID": String(app.id),
      "INPUT_PRIVATE-KEY": app.privateKey,
    }),
    bareGit: async (...args) => (await run("git", ["--git-dir", repo.git.gitDir, ...args])).stdout,
    async close() {
      await anthropic.close();
      await github.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
