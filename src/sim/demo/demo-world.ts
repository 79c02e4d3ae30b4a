import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Octokit } from "@octokit/rest";
import type { GitHubSim } from "../github/server.ts";
import type { SimApp } from "../github/world.ts";
import { registerSwarmApp } from "../swarm-app.ts";
import { DEMO_CI_CHECK, REQUIRED_CHECKS, WORKFLOW_SETTINGS } from "./sample-project.ts";

/** The demo's organisation, repository and the person who steers the swarm. */
export const DEMO_OWNER = "demo-org";
export const DEMO_REPO = "demo-shop";
export const DEMO_MAINTAINER = "maintainer";

/** The world the demo plays in: the app, its repository and the maintainer's REST client. */
export interface DemoWorld {
  /** `owner/name` of the sample repository. */
  repository: string;
  app: SimApp;
  /** The maintainer's client (a personal token with the maintain role). */
  maintainer: Octokit;
}

async function writeFolder(folder: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  }
}

/**
 * Sets up the offline GitHub for the demo: the app registered from app.yml and installed on the
 * organisation, the sample repository committed from `files` (staged in `folder`) with the
 * branch ruleset docs/operations.md recommends (merge queue on, the repository's CI and
 * `swarm/gate` required), its CI check, the Actions secrets and variables the agent workflow
 * reads (the offline Anthropic's address and key, the app's id and key), and a maintainer with
 * the maintain role.
 */
export async function buildDemoWorld(
  github: GitHubSim,
  folder: string,
  files: Record<string, string>,
  anthropic: { url: string; apiKey: string },
): Promise<DemoWorld> {
  const app = registerSwarmApp(github);
  github.world.installApp(app.id, DEMO_OWNER);
  await writeFolder(folder, files);
  await github.world.createRepo({
    owner: DEMO_OWNER,
    name: DEMO_REPO,
    fromFolder: folder,
    message: "Sample project",
  });
  const repository = `${DEMO_OWNER}/${DEMO_REPO}`;
  github.world.createRuleset(repository, {
    name: "default branch",
    enforcement: "active",
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [
      { type: "merge_queue" },
      {
        type: "required_status_checks",
        parameters: {
          required_status_checks: REQUIRED_CHECKS.map((context) => ({ context })),
          strict_required_status_checks_policy: false,
        },
      },
    ],
  });
  github.world.defineCiCheck(repository, DEMO_CI_CHECK);
  github.world.setSecret(repository, WORKFLOW_SETTINGS.anthropicKeySecret, anthropic.apiKey);
  github.world.setVariable(repository, WORKFLOW_SETTINGS.anthropicUrlVariable, anthropic.url);
  github.world.setVariable(repository, WORKFLOW_SETTINGS.appIdVariable, String(app.id));
  github.world.setSecret(repository, WORKFLOW_SETTINGS.privateKeySecret, app.privateKey);
  const { token } = github.world.createUser(DEMO_MAINTAINER);
  github.world.addCollaborator(repository, DEMO_MAINTAINER, "maintain");
  return { repository, app, maintainer: new Octokit({ baseUrl: github.url, auth: token }) };
}
