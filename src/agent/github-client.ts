import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { nodeFetch } from "./http-fetch.ts";
import { decideGitHubRetry, DEFAULT_GITHUB_RETRY, type GitHubRetryPolicy } from "./github-retry.ts";

// The action's GitHub client. It writes with the app's installation token, minted here from the
// app id and private key, because events caused by a workflow's GITHUB_TOKEN start no workflows:
// with that token the repository's own CI would never run on the agent's pull request. A
// GITHUB_TOKEN still works as a fallback, at that cost.
//
// Retries are a request hook of its own rather than Octokit's retry and throttling plugins: their
// Bottleneck queues cost 6 to 12 ms of timer turns on every request, and the action's cold start
// is a chain of requests.

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
export interface ConnectOptions {
  retry?: Partial<GitHubRetryPolicy>;
  /** Told of every retry (rate limits, server errors). */
  warn?: (line: string) => void;
  /** Octokit's own failure lines. */
  debug?: (line: string) => void;
  /** Waits between retries; tests pass one that does not sleep. */
  sleep?: (ms: number) => Promise<void>;
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
    request: { fetch: nodeFetch },
    // Octokit logs every failed request; a 404 for a branch that does not exist yet is expected.
    log: { debug: quiet, info: quiet, warn: options.debug ?? quiet, error: options.debug ?? quiet },
  };
  const sent = { count: 0 };
  const requests = () => sent.count;
  if (credentials.kind === "token") {
    const octokit = withRetries(new Octokit({ ...common, auth: credentials.token }), sent, options);
    return { octokit, token: credentials.token, requests };
  }
  const [owner = "", repo = ""] = repository.split("/");
  const appAuth = { appId: credentials.appId, privateKey: credentials.privateKey };
  const appClient = withRetries(
    new Octokit({ ...common, authStrategy: createAppAuth, auth: appAuth }),
    sent,
    options,
  );
  const { data: installation } = await appClient.rest.apps.getRepoInstallation({ owner, repo });
  const octokit = withRetries(
    new Octokit({
      ...common,
      authStrategy: createAppAuth,
      auth: { ...appAuth, installationId: installation.id },
    }),
    sent,
    options,
  );
  const { token } = (await octokit.auth({ type: "installation" })) as { token: string };
  return { octokit, token, requests };
}

/** Counts the client's requests in `sent` and retries failed ones as `decideGitHubRetry` says. */
function withRetries(octokit: Octokit, sent: { count: number }, options: ConnectOptions): Octokit {
  const policy = { ...DEFAULT_GITHUB_RETRY, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let retry = 1; ; retry++) {
      try {
        sent.count += 1;
        return await request(requestOptions);
      } catch (error) {
        const failure = failedResponse(error);
        if (failure === undefined) throw error;
        const decision = decideGitHubRetry(failure, retry, policy, Date.now());
        if (!decision.retry) {
          if (decision.gaveUp !== undefined) (error as Error).message += ` (${decision.gaveUp})`;
          throw error;
        }
        options.warn?.(
          `GitHub answered ${failure.status} to ${requestOptions.method} ${requestOptions.url}; retry ${retry} in ${Math.ceil(decision.waitMs / 1000)} s`,
        );
        await sleep(decision.waitMs);
      }
    }
  });
  return octokit;
}

function failedResponse(error: unknown): Parameters<typeof decideGitHubRetry>[0] | undefined {
  if (!(error instanceof Error) || !("status" in error) || typeof error.status !== "number") return undefined;
  const response = (error as { response?: { headers?: Record<string, string | number | undefined> } })
    .response;
  return { status: error.status, headers: response?.headers ?? {}, message: error.message };
}
