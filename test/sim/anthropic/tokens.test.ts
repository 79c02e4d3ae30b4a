import { test } from "node:test";
import assert from "node:assert/strict";
import { blockTokens, countTokens, toolTokens } from "../../../src/sim/anthropic/tokens.ts";

test("a string costs a quarter of its UTF-8 bytes, rounded up", () => {
  assert.equal(countTokens(""), 0);
  assert.equal(countTokens("abcd"), 1);
  assert.equal(countTokens("abcde"), 2);
  // "é" is 2 bytes and "€" 3: 5 bytes, 2 tokens.
  assert.equal(countTokens("é€"), 2);
});

test("blocks and tools add up their parts", () => {
  // "read_file" 9 bytes → 3; {"path":"a"} 12 bytes → 3.
  assert.equal(blockTokens({ type: "tool_use", id: "t", name: "read_file", input: { path: "a" } }), 6);
  assert.equal(
    blockTokens({
      type: "tool_result",
      tool_use_id: "t",
      content: [
        { type: "text", text: "abcde" },
        { type: "text", text: "x" },
      ],
    }),
    3,
  );
  // "list" 1 + "" 0 + {"type":"object"} 17 bytes → 5.
  assert.equal(toolTokens({ name: "list", input_schema: { type: "object" } }), 6);
});
