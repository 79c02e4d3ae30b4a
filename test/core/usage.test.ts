import { test } from "node:test";
import assert from "node:assert/strict";
import type { ModelPrice } from "../../src/core/config/fields.ts";
import { addUsage, fromApiUsage, responseCost, totalTokens } from "../../src/core/usage.ts";

const price: ModelPrice = {
  input: 3,
  output: 15,
  cacheWrite: 3.75,
  cacheWrite1h: 6,
  cacheRead: 0.3,
  contextWindow: 200_000,
};

test("a response's usage maps Anthropic's fields onto our classes, missing cache fields as zero", () => {
  assert.deepEqual(fromApiUsage({ input_tokens: 5, output_tokens: 7 }), {
    input: 5,
    output: 7,
    cacheWrite: 0,
    cacheRead: 0,
  });
  assert.deepEqual(
    fromApiUsage({
      input_tokens: 1,
      output_tokens: 2,
      cache_creation_input_tokens: 3,
      cache_read_input_tokens: 4,
    }),
    { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 },
  );
});

test("each class is priced at its own rate per million tokens", () => {
  const usage = { input: 1_000, output: 2_000, cacheWrite: 4_000, cacheRead: 8_000 };
  const expected = (1_000 * 3 + 2_000 * 15 + 4_000 * 3.75 + 8_000 * 0.3) / 1e6;
  assert.ok(Math.abs(responseCost(usage, price) - expected) < 1e-15);
});

test("a prompt over the long-prompt threshold bills every token of that response at the long rates", () => {
  const long: ModelPrice = {
    ...price,
    longPrompt: {
      aboveTokens: 10_000,
      input: 6,
      output: 30,
      cacheWrite: 7.5,
      cacheWrite1h: 12,
      cacheRead: 0.6,
    },
  };
  const under = { input: 5_000, output: 100, cacheWrite: 0, cacheRead: 5_000 };
  const over = { input: 5_000, output: 100, cacheWrite: 0, cacheRead: 5_001 };
  assert.ok(Math.abs(responseCost(under, long) - (5_000 * 3 + 100 * 15 + 5_000 * 0.3) / 1e6) < 1e-15);
  assert.ok(Math.abs(responseCost(over, long) - (5_000 * 6 + 100 * 30 + 5_001 * 0.6) / 1e6) < 1e-15);
});

test("usages add class by class", () => {
  const sum = addUsage(
    { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 },
    { input: 10, output: 20, cacheWrite: 30, cacheRead: 40 },
  );
  assert.deepEqual(sum, { input: 11, output: 22, cacheWrite: 33, cacheRead: 44 });
  assert.equal(totalTokens(sum), 110);
});
