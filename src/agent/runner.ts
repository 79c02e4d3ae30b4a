import * as core from "@actions/core";
import os from "node:os";
import { parseJob } from "../core/job.ts";
import { formatUsd } from "../core/agent-budget.ts";
import { totalTokens } from "../core/usage.ts";
import { nodeFetch } from "../github/http-fetch.ts";
import { connectGitHub, type GitHubCredentials } from "./github-client.ts";
import { createRedactor, secretValuesFromEnv } from "./sandbox/redactor.ts";

// The action's runner: inputs → job → attempt → outputs. Any stop other than `done` fails the
// step, so the workflow run's conclusion tells the app the attempt did not deliver. The attempt
// and the Anthropic client, half the bundle, are imported on demand: they load while the runner
// waits for GitHub to mint its token.

/** The action's inputs by name, so none is forgotten. */
const INPUTS = {
  job: "job",
  anthropicApiKey: "anthropic-api-key",
  anthropicBaseUrl: "anthropic-base-url",
  appId: "app-id",
  privateKey: "private-key",
  githubToken: "github-token",
  maxTurns: "max-turns",
  maxTokens: "max-tokens",
} as const;

/** Runs the action with the process's inputs and environment. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const secrets: string[] = [];
  try {
    const job = parseJob(core.getInput(INPUTS.job, { required: true }));
    const apiKey = secret(core.getInput(INPUTS.anthropicApiKey, { required: true }), secrets);
    const credentials = githubCredentials(secrets);
    const baseUrl = core.getInput(INPUTS.anthropicBaseUrl);
    const attemptCode = Promise.all([import("./main.ts"), import("./model-client.ts")]);
    // Awaited below; until then a failure to load must not count as an unhandled rejection.
    attemptCode.catch(() => undefined);
    const github = await connectGitHub(
      env.GITHUB_API_URL ?? "https://api.github.com",
      job.repository,
      credentials,
      {
        warn: (line) => core.warning(line),
        debug: (line) => core.debug(line),
      },
    );
    secret(github.token, secrets);
    for (const value of secretValuesFromEnv(env)) secret(value, secrets);

    const [{ runAttempt }, { MessagesClient }] = await attemptCode;
    const anthropic = new MessagesClient({
      apiKey,
      maxRetries: 8,
      fetch: nodeFetch,
      ...(baseUrl ? { baseURL: baseUrl } : {}),
    });
    const { report, githubRequests } = await runAttempt({
      job,
      workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
      tempRoot: env.RUNNER_TEMP ?? os.tmpdir(),
      anthropic,
      github,
      secrets,
      parentEnv: env,
      now: Date.now,
      maxTurns: positiveInt(INPUTS.maxTurns, 150),
      maxTokens: positiveInt(INPUTS.maxTokens, 8192),
      log: (line) => core.info(line),
    });

    core.setOutput("outcome", report.outcome);
    core.setOutput("pull-request", report.pullRequest ?? "");
    core.setOutput("tokens", totalTokens(report.usage));
    core.setOutput("cost", report.costUsd.toFixed(6));
    core.setOutput("github-requests", githubRequests);
    await core.summary
      .addHeading(`${job.agent} on #${job.issue}: ${report.outcome}`, 3)
      .addRaw(`${report.reason}\n\nTokens ${totalTokens(report.usage)}, cost ${formatUsd(report.costUsd)}.\n`)
      .write()
      .catch(() => undefined);
    if (report.outcome !== "done") core.setFailed(`${report.outcome}: ${report.reason}`);
  } catch (error) {
    const redact = createRedactor(secrets);
    core.setFailed(redact(error instanceof Error ? error.message : String(error)));
  }
}

function secret(value: string, into: string[]): string {
  if (value !== "") {
    core.setSecret(value);
    into.push(value);
  }
  return value;
}

function githubCredentials(secrets: string[]): GitHubCredentials {
  const appId = core.getInput(INPUTS.appId);
  const privateKey = secret(core.getInput(INPUTS.privateKey), secrets);
  if (appId !== "" && privateKey !== "") return { kind: "app", appId, privateKey };
  const token = secret(core.getInput(INPUTS.githubToken), secrets);
  if (token !== "") return { kind: "token", token };
  throw new Error(
    `no GitHub credentials: set the inputs ${INPUTS.appId} and ${INPUTS.privateKey} (the app's, so the repository's CI runs on the pull request), or ${INPUTS.githubToken}`,
  );
}

function positiveInt(name: string, fallback: number): number {
  const raw = core.getInput(name);
  if (raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`input ${name}: expected a whole number ≥ 1, found "${raw}"`);
  return value;
}
