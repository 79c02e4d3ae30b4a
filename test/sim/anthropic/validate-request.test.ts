import { test } from "node:test";
import assert from "node:assert/strict";
import { ApiError } from "../../../src/sim/anthropic/api-error.ts";
import { validateRequest } from "../../../src/sim/anthropic/validate-request.ts";

const base = { model: "claude-sonnet-4-6", max_tokens: 100 };
const ephemeral = { type: "ephemeral" };
const text = (t: string, cache_control?: object) =>
  cache_control ? { type: "text", text: t, cache_control } : { type: "text", text: t };
const toolUse = (id: string) => ({ type: "tool_use", id, name: "read_file", input: { path: "a" } });
const toolResult = (id: string) => ({ type: "tool_result", tool_use_id: id, content: "ok" });

function refusal(body: unknown): { type: string; status: number; message: string } {
  try {
    validateRequest(body);
  } catch (error) {
    assert.ok(error instanceof ApiError);
    return { type: error.type, status: error.status, message: error.message };
  }
  assert.fail("the request was accepted");
}

test("a well-formed tool conversation with four breakpoints is accepted", () => {
  const { request, model } = validateRequest({
    ...base,
    system: [text("sys", ephemeral)],
    tools: [{ name: "read_file", input_schema: { type: "object" }, cache_control: ephemeral }],
    messages: [
      { role: "user", content: [text("go", ephemeral)] },
      { role: "assistant", content: [text("reading"), toolUse("toolu_1")] },
      { role: "user", content: [{ ...toolResult("toolu_1"), cache_control: ephemeral }] },
    ],
  });
  assert.equal(request.messages.length, 3);
  assert.equal(model.minCacheableTokens, 1024);
});

test("a fifth cache_control breakpoint is a 400 naming the count and the blocks", () => {
  const r = refusal({
    ...base,
    system: [text("a", ephemeral), text("b", ephemeral), text("c", ephemeral)],
    messages: [{ role: "user", content: [text("d", ephemeral), text("e", ephemeral)] }],
  });
  assert.equal(r.status, 400);
  assert.equal(r.type, "invalid_request_error");
  assert.match(r.message, /A maximum of 4 blocks with cache_control may be provided\. Found 5/);
  assert.match(r.message, /messages\.0\.content\.1/);
});

test("a one-hour breakpoint after a five-minute one is refused", () => {
  const r = refusal({
    ...base,
    system: [text("a", ephemeral)],
    messages: [{ role: "user", content: [text("d", { type: "ephemeral", ttl: "1h" })] }],
  });
  assert.match(r.message, /messages\.0\.content\.0\.cache_control\.ttl/);
});

test("conversations must start with the user and alternate roles", () => {
  assert.match(refusal({ ...base, messages: [] }).message, /^messages: at least one message/);
  assert.match(
    refusal({ ...base, messages: [{ role: "assistant", content: "hi" }] }).message,
    /^messages\.0\.role: the first message/,
  );
  assert.match(
    refusal({
      ...base,
      messages: [
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "assistant", content: "c" },
      ],
    }).message,
    /^messages\.2\.role: roles must alternate/,
  );
});

test("a tool_result must answer a tool_use of the message just before, and every tool_use needs one", () => {
  const stray = refusal({
    ...base,
    messages: [
      { role: "user", content: "go" },
      { role: "assistant", content: [toolUse("toolu_1")] },
      { role: "user", content: [toolResult("toolu_2")] },
    ],
  });
  assert.match(
    stray.message,
    /^messages\.2\.content\.0: unexpected tool_use_id found in tool_result blocks: toolu_2/,
  );
  const unanswered = refusal({
    ...base,
    messages: [
      { role: "user", content: "go" },
      { role: "assistant", content: [toolUse("toolu_1"), toolUse("toolu_2")] },
      { role: "user", content: [toolResult("toolu_1")] },
    ],
  });
  assert.match(
    unanswered.message,
    /^messages\.1: tool_use ids were found without tool_result blocks immediately after: toolu_2/,
  );
});

test("shape errors name the field: missing max_tokens, unknown keys, empty text, bad cache_control", () => {
  assert.match(
    refusal({ model: base.model, messages: [{ role: "user", content: "a" }] }).message,
    /^max_tokens: /,
  );
  assert.match(
    refusal({ ...base, temprature: 1, messages: [{ role: "user", content: "a" }] }).message,
    /^temprature: Extra inputs are not permitted/,
  );
  assert.match(
    refusal({ ...base, messages: [{ role: "user", content: [text("  ")] }] }).message,
    /^messages\.0\.content\.0\.text: /,
  );
  assert.match(
    refusal({ ...base, messages: [{ role: "user", content: [text("a", { type: "persistent" })] }] }).message,
    /^messages\.0\.content\.0\.cache_control\.type: /,
  );
});

test("the model must exist (404) and max_tokens must fit it", () => {
  const unknown = refusal({ ...base, model: "claude-imaginary", messages: [{ role: "user", content: "a" }] });
  assert.deepEqual([unknown.status, unknown.type], [404, "not_found_error"]);
  const big = refusal({
    ...base,
    model: "claude-haiku-4-5",
    max_tokens: 64001,
    messages: [{ role: "user", content: "a" }],
  });
  assert.match(big.message, /^max_tokens: 64001 > 64000/);
});

test("adaptive thinking and effort are accepted; forced thinking is refused", () => {
  const messages = [{ role: "user", content: "a" }];
  assert.ok(
    validateRequest({ ...base, thinking: { type: "adaptive" }, output_config: { effort: "low" }, messages }),
  );
  assert.match(
    refusal({ ...base, thinking: { type: "enabled", budget_tokens: 1024 }, messages }).message,
    /^thinking\.type: the offline API does not produce thinking blocks/,
  );
});

test("top-level cache_control takes one of the four breakpoints", () => {
  const r = refusal({
    ...base,
    cache_control: ephemeral,
    system: [text("a", ephemeral), text("b", ephemeral)],
    messages: [{ role: "user", content: [text("c", ephemeral), text("d", ephemeral), text("e")] }],
  });
  assert.match(r.message, /Found 5 \(.*messages\.0\.content\.1\.cache_control, cache_control\)/);
});
