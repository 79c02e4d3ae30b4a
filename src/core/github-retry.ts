// When a GitHub request is retried, and after how long, as GitHub's REST documentation
// asks ("Rate limits for the REST API", "Best practices"): a `retry-after` header is obeyed; an
// exhausted primary limit waits for `x-ratelimit-reset`; a secondary limit without either waits a
// minute and more; a server error backs off exponentially. Everything else is the caller's error.

/** How often and how long a client waits for GitHub. */
export interface GitHubRetryPolicy {
  /** Retries after the first try. */
  retries: number;
  /** The first server-error backoff; each retry doubles it. */
  baseDelayMs: number;
  /** The longest wait accepted; GitHub asking for longer fails the request. */
  maxWaitMs: number;
}

/** The defaults: four retries, 1 s, 2 s, 4 s, 8 s apart on server errors; waits of up to 2 minutes. */
export const DEFAULT_GITHUB_RETRY: GitHubRetryPolicy = { retries: 4, baseDelayMs: 1000, maxWaitMs: 120_000 };

/** A failed response as the retry decision needs it. */
export interface FailedResponse {
  status: number;
  headers: Readonly<Record<string, string | number | undefined>>;
  message: string;
}

/** Retry after `waitMs`, or not: for a failure retries cannot mend, or giving up saying why. */
export type RetryDecision = { retry: true; waitMs: number } | { retry: false; gaveUp?: string };

const SECONDARY_LIMIT_FLOOR_MS = 60_000;

/** Decides whether the `retry`-th retry (1-based) of a failed request is made, and when. */
export function decideGitHubRetry(
  failure: FailedResponse,
  retry: number,
  policy: GitHubRetryPolicy,
  nowMs: number,
): RetryDecision {
  const kind = failureKind(failure);
  if (kind === undefined) return { retry: false };
  if (retry > policy.retries)
    return { retry: false, gaveUp: `still failing after ${policy.retries} retries` };
  const waitMs = waitFor(kind, failure, retry, policy, nowMs);
  if (waitMs > policy.maxWaitMs)
    return {
      retry: false,
      gaveUp: `GitHub asked to wait ${Math.ceil(waitMs / 1000)} s, longer than the ${policy.maxWaitMs / 1000} s a client waits`,
    };
  return { retry: true, waitMs };
}

type FailureKind = "server" | "primary-limit" | "secondary-limit";

function failureKind({ status, headers, message }: FailedResponse): FailureKind | undefined {
  if (status >= 500) return "server";
  if (status !== 403 && status !== 429) return undefined;
  if (headers["retry-after"] !== undefined || /secondary rate limit/i.test(message)) return "secondary-limit";
  if (String(headers["x-ratelimit-remaining"]) === "0") return "primary-limit";
  return status === 429 ? "secondary-limit" : undefined;
}

function waitFor(
  kind: FailureKind,
  { headers }: FailedResponse,
  retry: number,
  policy: GitHubRetryPolicy,
  nowMs: number,
): number {
  const retryAfter = Number(headers["retry-after"]);
  if (headers["retry-after"] !== undefined && Number.isFinite(retryAfter))
    return Math.max(0, retryAfter) * 1000;
  const exponential = 2 ** (retry - 1);
  switch (kind) {
    case "server":
      return policy.baseDelayMs * exponential;
    case "primary-limit": {
      const reset = Number(headers["x-ratelimit-reset"]) * 1000;
      return Number.isFinite(reset) ? Math.max(0, reset - nowMs) : SECONDARY_LIMIT_FLOOR_MS * exponential;
    }
    case "secondary-limit":
      return SECONDARY_LIMIT_FLOOR_MS * exponential;
  }
}
