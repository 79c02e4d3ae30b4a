import type { ModelPrice } from "./config/fields.ts";
import { totalTokens, type Usage } from "./usage.ts";

// The agent's walls on spending and time, decided before each model request: a request is sent
// only if its worst case (the whole prompt billed as cache writes, the most a prompt token can cost,
// plus max_tokens of output) still fits the attempt's limits. So a job never spends past its budget.

/** What the attempt has spent and may spend. */
export interface BudgetState {
  usage: Usage;
  costUsd: number;
  limits: { tokens: number; usd: number };
  /** Milliseconds since the epoch when the job must stop, and the time now. */
  deadline: number;
  now: number;
}

/** The next request's bounds: its estimated prompt size and the output it allows. */
export interface NextRequest {
  promptTokens: number;
  maxTokens: number;
  price: ModelPrice;
}

/** Why the next request may not be sent, or `undefined` when it may. */
export type BudgetStop = { outcome: "budget-tokens" | "budget-usd" | "time"; reason: string } | undefined;

/** Decides whether the next request fits the token budget, the USD ceiling and the time bound. */
export function checkBudget(state: BudgetState, next: NextRequest): BudgetStop {
  if (state.now >= state.deadline) {
    return { outcome: "time", reason: "the job's time bound was reached before the next model request" };
  }
  const spentTokens = totalTokens(state.usage);
  const worstTokens = next.promptTokens + next.maxTokens;
  if (spentTokens + worstTokens > state.limits.tokens) {
    return {
      outcome: "budget-tokens",
      reason: `the token budget of ${state.limits.tokens} would be exceeded: ${spentTokens} used, the next request may use up to ${worstTokens}`,
    };
  }
  const rates = next.price.longPrompt ?? next.price;
  const promptRate = Math.max(rates.input, rates.cacheWrite, next.price.input, next.price.cacheWrite);
  const outputRate = Math.max(rates.output, next.price.output);
  const worstUsd = (next.promptTokens * promptRate + next.maxTokens * outputRate) / 1_000_000;
  if (state.costUsd + worstUsd > state.limits.usd) {
    return {
      outcome: "budget-usd",
      reason: `the USD ceiling of ${formatUsd(state.limits.usd)} would be exceeded: ${formatUsd(state.costUsd)} spent, the next request may cost up to ${formatUsd(worstUsd)}`,
    };
  }
  return undefined;
}

/** Whether a conversation whose last prompt had `promptTokens` should hand off to a fresh one. */
export function needsHandoff(promptTokens: number, contextWindow: number, threshold = 0.8): boolean {
  return promptTokens > contextWindow * threshold;
}

/** USD with cents, or four decimals below a dollar. */
export function formatUsd(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}
