import type { Actor } from "./sim-events.ts";

/** Requests an hour per kind of token (GitHub's defaults; tests lower them). */
export interface RateLimits {
  installation: number;
  githubToken: number;
  user: number;
  app: number;
}

/** GitHub's default primary limits. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  installation: 5000,
  githubToken: 1000,
  user: 5000,
  app: 5000,
};

/** The state of one bucket, as the x-ratelimit-* headers report it. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds when the window resets. */
  reset: number;
  resource: string;
  /** Names the bucket in the "exceeded" message (e.g. "installation ID 12"). */
  owner: string;
}

interface Bucket {
  used: number;
  windowStart: number;
}

/**
 * Primary rate limits counted per bucket: an installation's tokens share one, every GITHUB_TOKEN
 * of a repository shares one (1,000/h), a user has one. Windows last an hour from first use.
 */
export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limits: RateLimits) {
    this.#limits = limits;
  }

  /** The bucket's state at `now` without spending anything. */
  peek(actor: Actor, resource: string, now: Date): RateLimitState {
    const { key, limit, owner } = this.#bucketOf(actor, resource);
    const bucket = this.#current(key, now);
    return {
      limit,
      used: bucket.used,
      remaining: Math.max(0, limit - bucket.used),
      reset: Math.ceil((bucket.windowStart + 3600_000) / 1000),
      resource,
      owner,
    };
  }

  /** Spends one request; returns the state after it, or `exceeded` when none was left. */
  spend(actor: Actor, resource: string, now: Date): { state: RateLimitState; exceeded: boolean } {
    const before = this.peek(actor, resource, now);
    if (before.remaining === 0) return { state: before, exceeded: true };
    const bucket = this.#current(this.#bucketOf(actor, resource).key, now);
    bucket.used++;
    return { state: this.peek(actor, resource, now), exceeded: false };
  }

  #current(key: string, now: Date): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket || now.getTime() >= bucket.windowStart + 3600_000) {
      bucket = { used: 0, windowStart: now.getTime() };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  #bucketOf(actor: Actor, resource: string): { key: string; limit: number; owner: string } {
    switch (actor.kind) {
      case "installation":
        return {
          key: `${resource}:installation:${actor.installationId}`,
          limit: this.#limits.installation,
          owner: `installation ID ${actor.installationId}`,
        };
      case "github_token":
        return {
          key: `${resource}:repository:${actor.repository.toLowerCase()}`,
          limit: this.#limits.githubToken,
          owner: `repository ${actor.repository}`,
        };
      case "user":
        return {
          key: `${resource}:user:${actor.login.toLowerCase()}`,
          limit: this.#limits.user,
          owner: `user ${actor.login}`,
        };
      case "app":
        return {
          key: `${resource}:app:${actor.appId}`,
          limit: this.#limits.app,
          owner: `app ID ${actor.appId}`,
        };
    }
  }
}

/** The x-ratelimit-* headers for a bucket's state. */
export function rateHeaders(state: RateLimitState): Record<string, string> {
  return {
    "x-ratelimit-limit": String(state.limit),
    "x-ratelimit-remaining": String(state.remaining),
    "x-ratelimit-used": String(state.used),
    "x-ratelimit-reset": String(state.reset),
    "x-ratelimit-resource": state.resource,
  };
}
