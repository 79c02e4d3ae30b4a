import type { LoadedConfig } from "./load-config.ts";

/** A repository's config as last read, with the ETag GitHub gave that read. */
export interface CachedConfig {
  etag: string;
  loaded: LoadedConfig;
}

/** How many repositories' configs are kept; the least recently read go first. */
export const CONFIG_CACHE_SIZE = 1000;

/**
 * The last config read per repository, so each event revalidates it with a conditional request
 * (an unchanged file answers 304, which GitHub does not count against the rate limit) instead of
 * downloading and parsing it again. An edit changes the ETag, so the next event sees it.
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

  /** Remembers a repository's config and its ETag; without an ETag there is nothing to revalidate, so it is forgotten. */
  set(repo: string, etag: string | null, loaded: LoadedConfig): void {
    const key = repo.toLowerCase();
    this.#entries.delete(key);
    if (etag === null) return;
    this.#entries.set(key, { etag, loaded });
    if (this.#entries.size > this.#size) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }
}
