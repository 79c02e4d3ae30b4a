import type { CacheControl, ContentBlockParam, MessagesRequest } from "./request-schema.ts";
import { blockTokens, countTokens, toolTokens } from "./tokens.ts";

/** One block of the prompt in cache order, with what caching needs to know about it. */
export interface PromptBlock {
  /** Where the block sits in the request, e.g. `tools.0`, `system.1`, `messages.2.content.0`. */
  where: string;
  /** The block's identity for prefix matching: its JSON without `cache_control`. */
  identity: string;
  tokens: number;
  cacheControl: CacheControl | undefined;
  /** The request field that set `cacheControl`: `<where>.cache_control`, or `cache_control` (automatic). */
  cacheControlField?: string;
}

/**
 * Flattens a request into the order Anthropic caches it: tools, then system, then messages.
 * A string `system` or string message content counts as a single text block. A top-level
 * `cache_control` (automatic caching) marks the last block, unless it carries its own.
 */
export function promptBlocks(request: MessagesRequest): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  (request.tools ?? []).forEach((tool, i) => {
    const { cache_control, ...rest } = tool;
    blocks.push({
      where: `tools.${i}`,
      identity: JSON.stringify(["tool", rest]),
      tokens: toolTokens(tool),
      cacheControl: cache_control ?? undefined,
    });
  });
  const system = request.system;
  if (typeof system === "string") {
    if (system !== "")
      blocks.push({
        where: "system",
        identity: JSON.stringify(["system", system]),
        tokens: countTokens(system),
        cacheControl: undefined,
      });
  } else if (system) {
    system.forEach((block, i) => {
      blocks.push({
        where: `system.${i}`,
        identity: JSON.stringify(["system", block.text]),
        tokens: countTokens(block.text),
        cacheControl: block.cache_control ?? undefined,
      });
    });
  }
  request.messages.forEach((message, m) => {
    const content: ContentBlockParam[] =
      typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
    content.forEach((block, b) => {
      const { cache_control, ...rest } = block;
      // The first block of each message carries the role, so the same text said by the user
      // and by the assistant, or split differently across turns, never share a prefix.
      blocks.push({
        where: typeof message.content === "string" ? `messages.${m}.content` : `messages.${m}.content.${b}`,
        identity: JSON.stringify([b === 0 ? message.role : "", rest]),
        tokens: blockTokens(block),
        cacheControl: cache_control ?? undefined,
      });
    });
  });
  const last = blocks.at(-1);
  if (request.cache_control && last && !last.cacheControl) {
    last.cacheControl = request.cache_control;
    last.cacheControlField = "cache_control";
  }
  return blocks;
}
