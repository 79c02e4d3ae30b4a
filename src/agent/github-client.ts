import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/rest";
import { createPrivateKey, sign } from "node:crypto";
import { bareFetch } from "../github/http-fetch.ts";
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
  const appAuth = { appId: credentials.appId, createJwt: appJwtSigner(credentials.privateKey) };
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

/** Signs an app's JWTs, as @octokit/auth-app's `createJwt` option takes them. */
export type AppJwtSigner = (
  appId: string | number,
  timeDifference?: number,
) => Promise<{ jwt: string; expiresAt: string }>;

/**
 * The app's JWTs (RS256, issued 30 s back for clock drift and valid 10 minutes, GitHub's longest),
 * signed with the key parsed once, and each one reused until a minute before it expires: finding
 * the installation and minting its token both need one on the way to the first model request,
 * and @octokit/auth-app would parse the key and sign for each. A clock correction GitHub asks for
 * (`timeDifference`) signs afresh.
 */
export function appJwtSigner(privateKey: string, now: () => number = Date.now): AppJwtSigner {
  // A key kept in a secret or an .env file often carries its line breaks as \n.
  const key = createPrivateKey(privateKey.replace(/\\n/g, "\n"));
  let last: { jwt: string; expiresAt: string; exp: number; timeDifference: number } | undefined;
  return async (appId, timeDifference = 0) => {
    const seconds = Math.floor(now() / 1000) + timeDifference;
    if (last === undefined || last.timeDifference !== timeDifference || last.exp - seconds < 60) {
      const iat = seconds - 30;
      const exp = iat + 600;
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
      const unsigned = `${part({ alg: "RS256", typ: "JWT" })}.${part({ iat, exp, iss: appId })}`;
      const signature = sign("sha256", Buffer.from(unsigned), key).toString("base64url");
      last = {
        jwt: `${unsigned}.${signature}`,
        expiresAt: new Date(exp * 1000).toISOString(),
        exp,
        timeDifference,
      };
    }
    return { jwt: last.jwt, expiresAt: last.expiresAt };
  };
}
