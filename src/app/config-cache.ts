import type { LoadedConfig } from "./load-config.ts";

/** A repository's config as last read: the ETag GitHub gave that read (none for a missing file), and until when it is fresh. */
export interface CachedConfig {
  etag: string | null;
  loaded: LoadedConfig;
  /** Epoch milliseconds until which it is used without asking GitHub (the response's max-age). */
  freshUntil: number;
}

/** How many repositories' configs are kept; the least recently read go first. */
export const CONFIG_CACHE_SIZE = 1000;

/**
 * The last config read per repository. While fresh (GitHub's `Cache-Control: max-age`, a minute)
 * it is used as is; after that it is revalidated with a conditional request (an unchanged file
 * answers 304, which GitHub does not count against the rate limit) instead of downloading and
 * parsing it again; a read without an ETag (a missing file) is read whole once stale. A push to
 * the default branch that touches the file forgets it at once.
 */
export class ConfigCache {
  readonly #entries = new Map<string, CachedConfig>();
  readonly #size: number;

  constructor(size: number = CONFIG_CACHE_SIZE) {
    this.#size = size;
  }

  /** The cached config of a repository (`owner/name`, any case), if any. */
  get(repo: string): CachedConfig | undefined {
    const key = repo.toLowerCase();
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    // Re-inserting keeps the map in least-recently-read order for eviction.
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return hit;
  }

  /** Remembers a repository's config, its ETag and freshness. */
  set(repo: string, etag: string | null, loaded: LoadedConfig, freshUntil: number): void {
    const key = repo.toLowerCase();
    this.#entries.delete(key);
    this.#entries.set(key, { etag, loaded, freshUntil });
    if (this.#entries.size > this.#size) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  /** Keeps a repository's config for longer, after GitHub said it is unchanged. */
  refresh(repo: string, freshUntil: number): void {
    const hit = this.#entries.get(repo.toLowerCase());
    if (hit !== undefined) hit.freshUntil = freshUntil;
  }

  /** Forgets a repository's config, so the next event reads it from GitHub. */
  forget(repo: string): void {
    this.#entries.delete(repo.toLowerCase());
  }
}
