import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { bareFetch } from "./http-fetch.ts";
import { retryRequests, type RetryOptions } from "../github/retry-requests.ts";

// The action's GitHub client. It writes with the app's installation token, minted here from the
// app id and private key, because events caused by a workflow's GITHUB_TOKEN start no workflows:
// with that token the repository's own CI would never run on the agent's pull request. A
// GITHUB_TOKEN still works as a fallback, at that cost.
//
// Retries are the shared request hook (src/github/retry-requests.ts) rather than Octokit's retry
// and throttling plugins, whose Bottleneck queues would add timer turns to every request of the
// chain that is the action's cold start.

const quiet = (): void => undefined;

/** The client the action uses. */
export type GitHubClient = Octokit;

/** How the action authenticates to GitHub. */
export type GitHubCredentials =
  { kind: "app"; appId: string; privateKey: string } | { kind: "token"; token: string };

/** A client and the token it holds (for redaction and for git fetches). */
export interface ConnectedClient {
  octokit: GitHubClient;
  token: string;
  /** Requests sent to GitHub so far, retries and the token's minting included. */
  requests(): number;
}

/** What connecting takes besides the credentials. */
export interface ConnectOptions extends Omit<RetryOptions, "onSend"> {
  /** Octokit's own failure lines. */
  debug?: (line: string) => void;
}

/** Connects to GitHub at `baseUrl` for `repository`, minting an installation token for an app. */
export async function connectGitHub(
  baseUrl: string,
  repository: string,
  credentials: GitHubCredentials,
  options: ConnectOptions = {},
): Promise<ConnectedClient> {
  const common = {
    baseUrl,
    userAgent: "swarm-foreman-agent",
    request: { fetch: bareFetch },
    // Octokit logs every failed request; a 404 for a branch that does not exist yet is expected.
    log: { debug: quiet, info: quiet, warn: options.debug ?? quiet, error: options.debug ?? quiet },
  };
  let sent = 0;
  const requests = () => sent;
  const retrying = { ...options, onSend: () => void sent++ };
  if (credentials.kind === "token") {
    const octokit = retryRequests(new Octokit({ ...common, auth: credentials.token }), retrying);
    return { octokit, token: credentials.token, requests };
  }
  const [owner = "", repo = ""] = repository.split("/");
  const appAuth = { appId: credentials.appId, privateKey: credentials.privateKey };
  const appClient = retryRequests(
    new Octokit({ ...common, authStrategy: createAppAuth, auth: appAuth }),
    retrying,
  );
  const { data: installation } = await appClient.rest.apps.getRepoInstallation({ owner, repo });
  const octokit = retryRequests(
    new Octokit({
      ...common,
      authStrategy: createAppAuth,
      auth: { ...appAuth, installationId: installation.id },
    }),
    retrying,
  );
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  return { octokit, token, requests };
}
