import type { RepoPermission } from "../github/gateway.ts";

/** How long a looked-up permission is trusted: a revoked collaborator is obeyed for at most this long. */
export const PERMISSION_TTL_MS = 5 * 60_000;

/** Remembers collaborator permissions for a few minutes so a burst of commands costs one request per person. */
export class PermissionCache {
  readonly #entries = new Map<string, { permission: RepoPermission; expires: number }>();
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(now: () => number = Date.now, ttlMs: number = PERMISSION_TTL_MS) {
    this.#now = now;
    this.#ttlMs = ttlMs;
  }

  /** The user's permission on the repository, from the cache or from `lookup`. */
  async get(repo: string, user: string, lookup: () => Promise<RepoPermission>): Promise<RepoPermission> {
    const key = `${repo.toLowerCase()}\u0000${user.toLowerCase()}`;
    const hit = this.#entries.get(key);
    if (hit && hit.expires > this.#now()) return hit.permission;
    const permission = await lookup();
    this.#entries.set(key, { permission, expires: this.#now() + this.#ttlMs });
    // Expired entries go when the map grows, so a long-running app does not keep every commenter forever.
    if (this.#entries.size > 10_000)
      for (const [k, v] of this.#entries) if (v.expires <= this.#now()) this.#entries.delete(k);
    return permission;
  }
}

/** Whether a permission lets someone steer the swarm: write, maintain (reported as write) or admin. */
export function maySteer(permission: RepoPermission): boolean {
  return permission === "admin" || permission === "write";
}
