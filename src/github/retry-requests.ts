import type { Octokit } from "@octokit/rest";
import { decideGitHubRetry, DEFAULT_GITHUB_RETRY, type GitHubRetryPolicy } from "../core/github-retry.ts";

// One retry policy for the app and the action, as a request hook rather than Octokit's retry
// plugin: that plugin queues every request through a Bottleneck limiter of its own, whose timer
// turns cost 6 to 12 ms a request even when nothing fails.

/** How a client retries: the policy, who hears of each retry, and how it waits. */
export interface RetryOptions {
  retry?: Partial<GitHubRetryPolicy>;
  /** Told of every retry (rate limits, server errors). */
  warn?: (line: string) => void;
  /** Waits between retries; tests pass one that does not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before every request sent, retries included. */
  onSend?: () => void;
}

/** Retries the client's failed requests as `decideGitHubRetry` says; returns the same client. */
export function retryRequests<T extends Pick<Octokit, "hook">>(octokit: T, options: RetryOptions = {}): T {
  const policy = { ...DEFAULT_GITHUB_RETRY, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let retry = 1; ; retry++) {
      try {
        options.onSend?.();
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
