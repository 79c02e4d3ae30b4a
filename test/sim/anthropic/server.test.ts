import { test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { zombie } from "../../../src/sim/anthropic/behaviours/zombie.ts";
import { stallsSilently } from "../../../src/sim/anthropic/behaviours/stalls-silently.ts";
import { agentTools } from "./agent-tools.ts";
import { API_KEY, saying, withSim } from "./sim-fixture.ts";

const model = "claude-sonnet-4-6";

test("a plain request gets a message shaped like Anthropic's, with request-id and usage", async () => {
  await using env = await withSim({ defaultScript: saying("Hello there.") });
  const { data, response } = await env.client.messages
    .create({ model, max_tokens: 100, messages: [{ role: "user", content: "Hi" }] })
    .withResponse();
  assert.equal(data.type, "message");
  assert.equal(data.role, "assistant");
  assert.equal(data.model, model);
  assert.match(data.id, /^msg_/);
  assert.deepEqual(
    data.content.map((b) => b.type === "text" && b.text),
    ["Hello there."],
  );
  assert.equal(data.stop_reason, "end_turn");
  // "Hi" is 2 bytes (1 token); "Hello there." is 12 bytes (3 tokens).
  assert.equal(data.usage.input_tokens, 1);
  assert.equal(data.usage.output_tokens, 3);
  assert.match(response.headers.get("request-id") ?? "", /^req_/);
});

test("a streamed reply emits Anthropic's events in order and the SDK assembles the same message", async () => {
  await using env = await withSim({ defaultScript: zombie(), chunkSize: 8 });
  const params = {
    model,
    max_tokens: 500,
    system: "Task: octo/demo#7",
    tools: agentTools,
    messages: [{ role: "user" as const, content: "Fix the bug" }],
  };
  const plain = await env.client.messages.create(params);
  const events: string[] = [];
  const deltas: string[] = [];
  const stream = await env.client.messages.create({ ...params, stream: true });
  for await (const event of stream) {
    events.push(event.type);
    if (event.type === "content_block_delta") deltas.push(event.delta.type);
  }
  assert.equal(events[0], "message_start");
  assert.equal(events.at(-2), "message_delta");
  assert.equal(events.at(-1), "message_stop");
  assert.ok(deltas.includes("text_delta") && deltas.includes("input_json_delta"));
  const final = await env.client.messages.stream(params).finalMessage();
  assert.deepEqual(
    final.content.map((b) =>
      b.type === "tool_use" ? [b.name, b.input] : b.type === "text" ? b.text : b.type,
    ),
    plain.content.map((b) =>
      b.type === "tool_use" ? [b.name, b.input] : b.type === "text" ? b.text : b.type,
    ),
  );
  assert.equal(final.stop_reason, "tool_use");
  assert.equal(final.usage.output_tokens, plain.usage.output_tokens);
  assert.equal(final.usage.input_tokens, plain.usage.input_tokens);
});

test("a missing or wrong API key is a 401 authentication_error", async () => {
  await using env = await withSim({ defaultScript: saying("x") });
  const wrong = new Anthropic({ baseURL: env.sim.url, apiKey: "sk-wrong", maxRetries: 0 });
  await assert.rejects(
    wrong.messages.create({ model, max_tokens: 10, messages: [{ role: "user", content: "Hi" }] }),
    (error: unknown) =>
      error instanceof Anthropic.AuthenticationError && error.type === "authentication_error",
  );
  const response = await fetch(`${env.sim.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: "user", content: "Hi" }] }),
  });
  assert.equal(response.status, 401);
  const body = (await response.json()) as { type: string; error: { type: string }; request_id: string };
  assert.equal(body.type, "error");
  assert.equal(body.error.type, "authentication_error");
  assert.equal(body.request_id, response.headers.get("request-id"));
});

test("a request without anthropic-version is a 400 naming the header", async () => {
  await using env = await withSim({ defaultScript: saying("x") });
  const response = await fetch(`${env.sim.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": API_KEY },
    body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: "user", content: "Hi" }] }),
  });
  assert.equal(response.status, 400);
  assert.match(
    ((await response.json()) as { error: { message: string } }).error.message,
    /anthropic-version/,
  );
});

test("an invalid request is a 400 invalid_request_error the SDK surfaces as BadRequestError", async () => {
  await using env = await withSim({ defaultScript: saying("x") });
  await assert.rejects(
    env.client.messages.create({
      model,
      max_tokens: 10,
      messages: [
        { role: "user", content: "Hi" },
        { role: "user", content: "Again" },
      ],
    }),
    (error: unknown) => error instanceof Anthropic.BadRequestError && /alternate/.test(error.message),
  );
  await assert.rejects(
    env.client.messages.create({
      model: "claude-nonexistent",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    }),
    (error: unknown) => error instanceof Anthropic.NotFoundError && /claude-nonexistent/.test(error.message),
  );
});

test("each task gets its own script and an unscripted task without a default is refused clearly", async () => {
  await using env = await withSim({ scripts: { "octo/demo#1": saying("one") } });
  env.sim.setScript("octo/demo#2", saying("two"));
  const ask = (task: string) =>
    env.client.messages.create({
      model,
      max_tokens: 10,
      system: `You are an agent.\nTask: ${task}\nWork carefully.`,
      messages: [{ role: "user", content: "Go" }],
    });
  const one = (await ask("octo/demo#1")).content[0];
  const two = (await ask("octo/demo#2")).content[0];
  assert.deepEqual(
    [one, two].map((b) => b?.type === "text" && b.text),
    ["one", "two"],
  );
  await assert.rejects(ask("octo/demo#3"), /no script answers task octo\/demo#3/);
  env.sim.setDefaultScript(saying("fallback"));
  const fallback = (await ask("octo/demo#3")).content[0];
  assert.equal(fallback?.type === "text" && fallback.text, "fallback");
  assert.deepEqual(
    env.sim.records().map((r) => [r.task, r.status]),
    [
      ["octo/demo#1", 200],
      ["octo/demo#2", 200],
      ["octo/demo#3", 400],
      ["octo/demo#3", 200],
    ],
  );
});

test("max_tokens cuts the reply and reports stop_reason max_tokens", async () => {
  await using env = await withSim({ defaultScript: saying("a".repeat(400)) });
  const message = await env.client.messages.create({
    model,
    max_tokens: 10,
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(message.stop_reason, "max_tokens");
  assert.equal(message.usage.output_tokens, 10);
  assert.equal(message.content[0]?.type === "text" && message.content[0].text.length, 40);
});

test("a stop sequence ends the reply before it and is reported", async () => {
  await using env = await withSim({ defaultScript: saying("first part END second part") });
  const message = await env.client.messages.create({
    model,
    max_tokens: 100,
    stop_sequences: ["END"],
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(message.stop_reason, "stop_sequence");
  assert.equal(message.stop_sequence, "END");
  assert.equal(message.content[0]?.type === "text" && message.content[0].text, "first part ");
});

test("a stalled stream stays open until the client aborts, and close() ends any left open", async () => {
  const env = await withSim({ defaultScript: stallsSilently({ afterTurns: 0 }) });
  const params = { model, max_tokens: 100, messages: [{ role: "user" as const, content: "Hi" }] };
  const controller = new AbortController();
  const stream = await env.client.messages.create({ ...params, stream: true }, { signal: controller.signal });
  const seen: string[] = [];
  const reading = (async () => {
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === "message_start") controller.abort();
    }
  })();
  await reading;
  assert.deepEqual(seen, ["message_start"]);

  const second = await env.client.messages.create({ ...params, stream: true });
  const pending = (async () => {
    for await (const event of second) void event;
  })();
  await env.sim.close();
  await assert.rejects(pending);
});

test("count_tokens answers the input tokens by the rule and bills nothing", async () => {
  await using env = await withSim({ defaultScript: saying("x") });
  // "Hello" 5 bytes → 2 tokens; the system prompt "Task: octo/demo#1" 17 bytes → 5 tokens.
  const count = await env.client.messages.countTokens({
    model,
    system: "Task: octo/demo#1",
    messages: [{ role: "user", content: "Hello" }],
  });
  assert.equal(count.input_tokens, 7);
  assert.deepEqual(
    env.sim.records().map((r) => [r.path, r.task, r.status]),
    [["/v1/messages/count_tokens", "octo/demo#1", 200]],
  );
  assert.equal(env.sim.totals().requests, 0);
  await assert.rejects(
    env.client.messages.countTokens({ model, messages: [{ role: "assistant", content: "Hi" }] }),
    Anthropic.BadRequestError,
  );
});
