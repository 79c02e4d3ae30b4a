import { test } from "node:test";
import assert from "node:assert/strict";
import { decideGitHubRetry, DEFAULT_GITHUB_RETRY, type FailedResponse } from "../../src/core/github-retry.ts";

const NOW = Date.parse("2026-11-22T10:00:00Z");
const SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

function decide(failure: Partial<FailedResponse>, retry = 1) {
  return decideGitHubRetry(
    { status: 502, headers: {}, message: "Server Error", ...failure },
    retry,
    DEFAULT_GITHUB_RETRY,
    NOW,
  );
}

test("server errors back off exponentially from the base delay", () => {
  assert.deepEqual(
    [1, 2, 3, 4].map((retry) => decide({ status: 502 }, retry)),
    [1000, 2000, 4000, 8000].map((waitMs) => ({ retry: true, waitMs })),
  );
  assert.deepEqual(decide({ status: 500 }), { retry: true, waitMs: 1000 });
});

test("a retry-after header is obeyed, on a server error and on a secondary limit", () => {
  assert.deepEqual(decide({ status: 503, headers: { "retry-after": "7" } }), { retry: true, waitMs: 7000 });
  assert.deepEqual(decide({ status: 403, headers: { "retry-after": "30" }, message: SECONDARY }, 3), {
    retry: true,
    waitMs: 30_000,
  });
  assert.deepEqual(decide({ status: 429, headers: { "retry-after": "0" } }), { retry: true, waitMs: 0 });
});

test("a secondary limit without retry-after waits a minute, then exponentially longer", () => {
  assert.deepEqual(decide({ status: 403, message: SECONDARY }), { retry: true, waitMs: 60_000 });
  assert.deepEqual(decide({ status: 403, message: SECONDARY }, 2), { retry: true, waitMs: 120_000 });
  const third = decide({ status: 403, message: SECONDARY }, 3);
  assert.equal(third.retry, false);
  assert.match(third.retry ? "" : (third.gaveUp ?? ""), /asked to wait 240 s, longer than the 120 s/);
});

test("an exhausted primary limit waits for its reset, when that is soon enough", () => {
  const reset = (seconds: number) => ({
    "x-ratelimit-remaining": "0",
    "x-ratelimit-reset": String(NOW / 1000 + seconds),
  });
  assert.deepEqual(decide({ status: 403, headers: reset(45) }), { retry: true, waitMs: 45_000 });
  const later = decide({ status: 403, headers: reset(1800) });
  assert.equal(later.retry, false);
  assert.match(later.retry ? "" : (later.gaveUp ?? ""), /asked to wait 1800 s/);
});

test("client errors and plain permission refusals are not retried, and say nothing of retries", () => {
  for (const status of [400, 401, 404, 409, 422])
    assert.deepEqual(decide({ status, message: "Not Found" }), { retry: false });
  assert.deepEqual(
    decide({
      status: 403,
      headers: { "x-ratelimit-remaining": "4999" },
      message: "Resource not accessible by integration",
    }),
    { retry: false },
  );
});

test("past the last retry the decision gives up and says so", () => {
  const last = decide({ status: 502 }, DEFAULT_GITHUB_RETRY.retries + 1);
  assert.deepEqual(last, {
    retry: false,
    gaveUp: `still failing after ${DEFAULT_GITHUB_RETRY.retries} retries`,
  });
});
