import { createAppAuth } from "@octokit/auth-app";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";

// The action's GitHub client. It writes with the app's installation token, minted here from the
// app id and private key, because events caused by a workflow's GITHUB_TOKEN start no workflows:
// with that token the repository's own CI would never run on the agent's pull request. A
// GITHUB_TOKEN still works as a fallback, at that cost.

const quiet = (): void => undefined;

const ActionOctokit = Octokit.plugin(retry, throttling);
/** The client the action uses. */
export type GitHubClient = InstanceType<typeof ActionOctokit>;

/** How the action authenticates to GitHub. */
export type GitHubCredentials =
  { kind: "app"; appId: string; privateKey: string } | { kind: "token"; token: string };

/** A client and the token it holds (for redaction and for git fetches). */
export interface ConnectedClient {
  octokit: GitHubClient;
  token: string;
}

/** Connects to GitHub at `baseUrl` for `repository`, minting an installation token for an app. */
export async function connectGitHub(
  baseUrl: string,
  repository: string,
  credentials: GitHubCredentials,
  options: { retries?: number; warn?: (line: string) => void; debug?: (line: string) => void } = {},
): Promise<ConnectedClient> {
  const common = {
    baseUrl,
    userAgent: "swarm-foreman-agent",
    // Octokit logs every failed request; a 404 for a branch that does not exist yet is expected.
    log: { debug: quiet, info: quiet, warn: options.debug ?? quiet, error: options.debug ?? quiet },
    retry: { retries: options.retries ?? 3 },
    throttle: {
      // Primary limit: wait for the reset once; secondary limit: back off as GitHub asks, twice.
      onRateLimit: (after: number, _o: unknown, _k: unknown, count: number) => {
        options.warn?.(`GitHub rate limit reached; retrying in ${after} s`);
        return count < 1;
      },
      onSecondaryRateLimit: (after: number, _o: unknown, _k: unknown, count: number) => {
        options.warn?.(`GitHub secondary rate limit; retrying in ${after} s`);
        return count < 2;
      },
    },
  };
  if (credentials.kind === "token") {
    return { octokit: new ActionOctokit({ ...common, auth: credentials.token }), token: credentials.token };
  }
  const [owner = "", repo = ""] = repository.split("/");
  const appClient = new ActionOctokit({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: credentials.appId, privateKey: credentials.privateKey },
  });
  const { data: installation } = await appClient.rest.apps.getRepoInstallation({ owner, repo });
  const octokit = new ActionOctokit({
    ...common,
    authStrategy: createAppAuth,
    auth: { appId: credentials.appId, privateKey: credentials.privateKey, installationId: installation.id },
  });
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  return { octokit, token };
}
