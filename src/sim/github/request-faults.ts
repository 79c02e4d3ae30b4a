import { GitHubError } from "./github-error.ts";

// Faults the offline GitHub answers REST requests with instead of serving them, so clients' retries
// can be tested: GitHub's server errors and its secondary rate limit, as the REST documentation
// describes them ("Rate limits for the REST API": 403 or 429 with `retry-after`).

const SECONDARY_DOCS =
  "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";

/** What a faulty answer is. */
export type RequestFault =
  | { kind: "server-error"; status?: 500 | 502 | 503 | 504 }
  | { kind: "secondary-rate-limit"; status?: 403 | 429; retryAfterSeconds?: number };

/** Which requests a fault answers, and how many. */
export interface RequestFaultScope {
  /** Only requests of this operation (e.g. `git/create-commit`); any operation when absent. */
  operationId?: string;
  /** How many matching requests it answers before it is spent (default 1). */
  times?: number;
}

interface Armed {
  fault: RequestFault;
  operationId: string | undefined;
  left: number;
}

/** Faults waiting for requests, first armed first served. */
export class RequestFaults {
  readonly #armed: Armed[] = [];

  /** Arms `fault` for the next `times` requests of `operationId`. */
  add(fault: RequestFault, scope: RequestFaultScope = {}): void {
    const times = scope.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault times: expected ≥ 1, found ${times}`);
    this.#armed.push({ fault, operationId: scope.operationId, left: times });
  }

  /** The error to answer a request of `operationId` with, when a fault is armed for it. */
  take(operationId: string): GitHubError | undefined {
    const index = this.#armed.findIndex((a) => a.operationId === undefined || a.operationId === operationId);
    const armed = this.#armed[index];
    if (armed === undefined) return undefined;
    if (--armed.left === 0) this.#armed.splice(index, 1);
    return errorOf(armed.fault);
  }
}

function errorOf(fault: RequestFault): GitHubError {
  if (fault.kind === "server-error") return new GitHubError(fault.status ?? 502, "Server Error");
  const error = new GitHubError(
    fault.status ?? 403,
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
    fault.retryAfterSeconds === undefined
      ? {}
      : { headers: { "retry-after": String(fault.retryAfterSeconds) } },
  );
  error.documentationUrl = SECONDARY_DOCS;
  return error;
}
