import { test } from "node:test";
import assert from "node:assert/strict";
import { checkBudget, needsHandoff } from "../../src/core/agent-budget.ts";
import type { ModelPrice } from "../../src/core/config/fields.ts";

const price: ModelPrice = {
  input: 3,
  output: 15,
  cacheWrite: 3.75,
  cacheWrite1h: 6,
  cacheRead: 0.3,
  contextWindow: 200_000,
};
const base = {
  usage: { input: 0, output: 0, cacheWrite: 0, cacheRead: 0 },
  costUsd: 0,
  limits: { tokens: 100_000, usd: 1 },
  deadline: 10_000,
  now: 0,
};

test("a request whose worst case fits every limit may be sent", () => {
  assert.equal(checkBudget(base, { promptTokens: 10_000, maxTokens: 4_000, price }), undefined);
});

test("the token budget counts every class already used plus the next prompt and max_tokens", () => {
  const used = { ...base, usage: { input: 10_000, output: 20_000, cacheWrite: 30_000, cacheRead: 30_001 } };
  const stop = checkBudget(used, { promptTokens: 5_000, maxTokens: 5_000, price });
  assert.equal(stop?.outcome, "budget-tokens");
  const fits = { ...base, usage: { input: 10_000, output: 20_000, cacheWrite: 30_000, cacheRead: 30_000 } };
  assert.equal(checkBudget(fits, { promptTokens: 5_000, maxTokens: 5_000, price }), undefined);
});

test("the USD ceiling prices the prompt at the dearest input rate and the output at full length", () => {
  // Worst case: 100,000 prompt tokens at the 5-minute write rate ($3.75/M) + 10,000 output at $15/M.
  const worst = (100_000 * 3.75 + 10_000 * 15) / 1_000_000;
  const atEdge = { ...base, limits: { tokens: 10_000_000, usd: 0.4 + worst }, costUsd: 0.4 };
  assert.equal(checkBudget(atEdge, { promptTokens: 100_000, maxTokens: 10_000, price }), undefined);
  const over = { ...atEdge, costUsd: 0.4001 };
  assert.equal(checkBudget(over, { promptTokens: 100_000, maxTokens: 10_000, price })?.outcome, "budget-usd");
});

test("long-prompt rates count in the worst case when the model has them", () => {
  const longPrice: ModelPrice = {
    ...price,
    longPrompt: { aboveTokens: 1, input: 30, output: 150, cacheWrite: 37.5, cacheWrite1h: 60, cacheRead: 3 },
  };
  const state = { ...base, limits: { tokens: 10_000_000, usd: 0.5 } };
  assert.equal(checkBudget(state, { promptTokens: 10_000, maxTokens: 1_000, price }), undefined);
  assert.equal(
    checkBudget(state, { promptTokens: 10_000, maxTokens: 1_000, price: longPrice })?.outcome,
    "budget-usd",
  );
});

test("the time bound stops before anything else is checked", () => {
  const late = { ...base, now: 10_000, limits: { tokens: 1, usd: 0.000001 } };
  assert.equal(checkBudget(late, { promptTokens: 1, maxTokens: 1, price })?.outcome, "time");
});

test("a handoff is due only past 80% of the context window", () => {
  assert.equal(needsHandoff(160_000, 200_000), false);
  assert.equal(needsHandoff(160_001, 200_000), true);
});
