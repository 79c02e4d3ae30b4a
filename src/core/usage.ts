import * as z from "zod";
import type { ModelPrice } from "./config/fields.ts";

// Token usage as Anthropic reports it per response, summed per attempt, and priced from the
// config's table. The agent stops on these figures and the app shows and budgets them, so both
// price with this one function.

/** Tokens of one response or of a whole attempt, by the classes Anthropic bills apart. */
export const usageSchema = z.strictObject({
  input: z.int().min(0),
  output: z.int().min(0),
  cacheWrite: z.int().min(0),
  cacheRead: z.int().min(0),
});
/** Tokens by billing class. */
export type Usage = z.infer<typeof usageSchema>;

/** No tokens yet. */
export const ZERO_USAGE: Usage = Object.freeze({ input: 0, output: 0, cacheWrite: 0, cacheRead: 0 });

/** The `usage` object of a Messages API response, as the SDK returns it. */
export interface ApiUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Converts a response's `usage` into our classes. */
export function fromApiUsage(usage: ApiUsage): Usage {
  return {
    input: usage.input_tokens,
    output: usage.output_tokens,
    cacheWrite: usage.cache_creation_input_tokens ?? 0,
    cacheRead: usage.cache_read_input_tokens ?? 0,
  };
}

/** The sum of two usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    cacheRead: a.cacheRead + b.cacheRead,
  };
}

/** All tokens of every class. */
export function totalTokens(usage: Usage): number {
  return usage.input + usage.output + usage.cacheWrite + usage.cacheRead;
}

/** Tokens of the prompt: everything but the output. */
export function promptTokens(usage: Usage): number {
  return usage.input + usage.cacheWrite + usage.cacheRead;
}

/**
 * The USD cost of one response's usage. Cache writes are priced at the 5-minute rate, the only
 * lifetime the agent asks for. A model with long-prompt rates bills every token of a request whose
 * prompt exceeds the threshold at those rates, so this must be called per response, not on sums.
 */
export function responseCost(usage: Usage, price: ModelPrice): number {
  const rates =
    price.longPrompt !== undefined && promptTokens(usage) > price.longPrompt.aboveTokens
      ? price.longPrompt
      : price;
  return (
    (usage.input * rates.input +
      usage.output * rates.output +
      usage.cacheWrite * rates.cacheWrite +
      usage.cacheRead * rates.cacheRead) /
    1_000_000
  );
}
