import { createHash } from "node:crypto";
import type { PromptBlock } from "./prompt-blocks.ts";

/** How far back from a breakpoint the cache looks for an earlier hit, in blocks (Anthropic: ~20). */
export const LOOKBACK_BLOCKS = 20;

const ttlMs = { "5m": 5 * 60_000, "1h": 60 * 60_000 } as const;
type CacheTtl = keyof typeof ttlMs;

/** The input side of `usage` for one request, as Anthropic bills it. */
export interface InputUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

interface Entry {
  ttl: CacheTtl;
  expiresAt: number;
}

/**
 * The prompt cache of one organisation: prefixes stored at `cache_control` breakpoints, each
 * living 5 minutes (or 1 hour) from its last write or read.
 *
 * For a request it finds the longest live prefix that ends within LOOKBACK_BLOCKS blocks at or
 * before one of the request's breakpoints (the read), then writes every breakpoint beyond the
 * read whose prefix reaches the model's minimum (the creation, split by each breakpoint's TTL).
 * Whatever lies outside both is plain input.
 */
export class PromptCache {
  readonly #entries = new Map<string, Entry>();

  /** Bills one request and updates the cache; `now` is in milliseconds. */
  account(model: string, minCacheableTokens: number, blocks: PromptBlock[], now: number): InputUsage {
    // One boundary per block: the hash of the prefix ending there and its running token count.
    const boundaries: { hash: string; tokens: number; ttl: CacheTtl | undefined }[] = [];
    // One running hash over the model and every block so far; a copy at each boundary names
    // that prefix. Identities are JSON, so a separator cannot be forged by content.
    const running = createHash("sha256").update(`model:${model}\n`);
    let total = 0;
    for (const block of blocks) {
      const hash = running.update(block.identity).update("\n").copy().digest("base64");
      total += block.tokens;
      boundaries.push({
        hash,
        tokens: total,
        ttl: block.cacheControl ? (block.cacheControl.ttl ?? "5m") : undefined,
      });
    }
    const breakpoints = boundaries.flatMap((b, i) => (b.ttl ? [i] : []));

    let readEnd = -1;
    for (const bp of breakpoints) {
      for (let p = bp; p > readEnd && p > bp - LOOKBACK_BLOCKS; p--) {
        if (this.#alive(boundaries[p]?.hash, now)) {
          readEnd = p;
          break;
        }
      }
    }
    const read = boundaries[readEnd]?.tokens ?? 0;

    const creation = { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 };
    let written = read;
    boundaries.forEach((boundary, i) => {
      if (!boundary.ttl) return;
      if (i <= readEnd) {
        this.#refresh(boundary.hash, now);
        return;
      }
      if (boundary.tokens < minCacheableTokens) return;
      this.#entries.set(boundary.hash, { ttl: boundary.ttl, expiresAt: now + ttlMs[boundary.ttl] });
      creation[boundary.ttl === "1h" ? "ephemeral_1h_input_tokens" : "ephemeral_5m_input_tokens"] +=
        boundary.tokens - written;
      written = boundary.tokens;
    });
    if (readEnd >= 0) this.#refresh(boundaries[readEnd]?.hash, now);
    const created = creation.ephemeral_5m_input_tokens + creation.ephemeral_1h_input_tokens;
    return {
      input_tokens: total - read - created,
      cache_creation_input_tokens: created,
      cache_read_input_tokens: read,
      cache_creation: creation,
    };
  }

  #alive(hash: string | undefined, now: number): boolean {
    const entry = hash === undefined ? undefined : this.#entries.get(hash);
    if (!entry) return false;
    if (entry.expiresAt <= now) {
      if (hash !== undefined) this.#entries.delete(hash);
      return false;
    }
    return true;
  }

  #refresh(hash: string | undefined, now: number): void {
    const entry = hash === undefined ? undefined : this.#entries.get(hash);
    if (entry && entry.expiresAt > now) entry.expiresAt = now + ttlMs[entry.ttl];
  }
}
