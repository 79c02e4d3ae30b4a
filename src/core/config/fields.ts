import * as z from "zod";

// The fields the config shares with the job (src/core/job.ts) and the trailers, apart from the
// config's schema: the agent action validates its job at every start and builds only these, not
// the whole config schema.

/** The largest number of globs in a file scope or protected-path list. */
export const MAX_GLOBS = 32;
/** The largest number of programs in the command allowlist. */
export const MAX_COMMANDS = 64;

/** The model tiers that routing chooses between, weakest last. */
export const TIERS = ["frontier", "standard", "fast"] as const;
/** A model tier name. */
export const tierSchema = z.enum(TIERS);
/** A model tier name: frontier, standard or fast. */
export type Tier = z.infer<typeof tierSchema>;

/** A path glob (picomatch syntax) relative to the repository root. */
export const globSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s/][^\0\r\n]*$/, {
    error: "a glob relative to the repository root (no leading slash or space, no line breaks)",
  });

/** A program name for the command allowlist: a bare name, never a path or a command line. */
export const programSchema = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, {
    error: "a program name such as npm (letters, digits, . _ + -; no path, spaces or arguments)",
  });

/** An Anthropic model id; it travels in commit trailers and workflow inputs, so no spaces. */
export const modelIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/[\]-]*$/, {
    error: "a model id such as claude-sonnet-5-5 (no spaces)",
  });

const usdPerMillion = z.number().min(0);

/** Prices of one token class set, in USD per million tokens. */
const ratesShape = {
  /** Uncached input tokens. */
  input: usdPerMillion,
  /** Output tokens. */
  output: usdPerMillion,
  /** Tokens written to the prompt cache with the default 5-minute lifetime. */
  cacheWrite: usdPerMillion,
  /** Tokens written to the prompt cache with the 1-hour lifetime. */
  cacheWrite1h: usdPerMillion,
  /** Tokens read from the prompt cache. */
  cacheRead: usdPerMillion,
};

/** The price of one model and its context window, as the config declares and the job carries it. */
export const modelPriceSchema = z.strictObject({
  ...ratesShape,
  /** The model's context window in tokens; the agent hands off at 80% of it. */
  contextWindow: z.int().min(1000).max(100_000_000),
  /** Rates for every token of a request whose prompt exceeds `aboveTokens`, where the model has them. */
  longPrompt: z.strictObject({ aboveTokens: z.int().min(1), ...ratesShape }).optional(),
});
/** The price of one model and its context window. */
export type ModelPrice = z.infer<typeof modelPriceSchema>;
