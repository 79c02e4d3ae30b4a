import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Octokit } from "@octokit/rest";
import { createAppAuth } from "@octokit/auth-app";
import { startGitHubSim, type GitHubSimOptions, type GitHubSim } from "../../../src/sim/github/server.ts";
import type { SimApp, SimInstallation, SimRepo } from "../../../src/sim/github/world.ts";

/** A started sim with one app installed on "acme" and a repository "acme/widgets". */
export interface SimFixture {
  sim: GitHubSim;
  app: SimApp;
  installation: SimInstallation;
  repo: SimRepo;
  /** An Octokit authenticating as the installation through @octokit/auth-app. */
  octokit: Octokit;
  /** Raw request helper: method, path, token, body. */
  call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
  close(): Promise<void>;
}

/** Starts a sim and sets up a small world whose repository holds `files`. */
export async function startFixture(
  files: Record<string, string> = {
    "README.md": "# widgets\n",
    "src/index.ts": "export const answer = 42;\n",
  },
  options: GitHubSimOptions = {},
): Promise<SimFixture> {
  const sim = await startGitHubSim(options);
  const folder = await mkdtemp(join(tmpdir(), "sim-fixture-"));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
  const app = sim.world.createApp({ slug: "swarm-foreman" });
  const installation = sim.world.installApp(app.id, "acme");
  const repo = await sim.world.createRepo({ owner: "acme", name: "widgets", fromFolder: folder });
  await rm(folder, { recursive: true, force: true });
  const octokit = new Octokit({
    baseUrl: sim.url,
    authStrategy: createAppAuth,
    // Refusals are what several tests check; Octokit would log each one.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    auth: { appId: app.id, privateKey: app.privateKey, installationId: installation.id },
  });
  return {
    sim,
    app,
    installation,
    repo,
    octokit,
    call: (method, path, token, body, headers = {}) =>
      fetch(`${sim.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `token ${token}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
      }),
    close: () => sim.close(),
  };
}
