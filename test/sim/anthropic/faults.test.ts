import { test } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { saying, withSim } from "./sim-fixture.ts";

const params = {
  model: "claude-sonnet-4-6",
  max_tokens: 200,
  system: "Task: octo/demo#5",
  messages: [{ role: "user" as const, content: "Hello" }],
};
// Long enough to stream in several deltas at the fixture's chunk size.
const REPLY = "The quick brown fox jumps over the lazy dog. ".repeat(4);

test("the SDK retries a 429, a 529 and a 500 and then gets the reply", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY), chunkSize: 16 }, 3);
  // Tiny retry-after values keep the test quick; the next test checks the SDK obeys them.
  env.sim.injectFault({ kind: "rate_limit", retryAfterSeconds: 0.01 });
  env.sim.injectFault({ kind: "overloaded", retryAfterSeconds: 0.01 });
  env.sim.injectFault({ kind: "server_error", retryAfterSeconds: 0.01 });
  const message = await env.client.messages.create(params);
  assert.equal(message.content[0]?.type === "text" && message.content[0].text, REPLY);
  assert.deepEqual(
    env.sim.records().map((r) => [r.status, r.errorType, r.fault]),
    [
      [429, "rate_limit_error", "rate_limit"],
      [529, "overloaded_error", "overloaded"],
      [500, "api_error", "server_error"],
      [200, null, null],
    ],
  );
  // Refused requests bill nothing.
  assert.equal(env.sim.totals().requests, 4);
  assert.equal(env.sim.totals().output_tokens, message.usage.output_tokens);
});

test("without retries each fault surfaces as the SDK's typed error, 429 carrying retry-after", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY) });
  env.sim.injectFault({ kind: "rate_limit", retryAfterSeconds: 7 });
  await assert.rejects(env.client.messages.create(params), (error: unknown) => {
    assert.ok(error instanceof Anthropic.RateLimitError);
    assert.equal(error.headers?.get("retry-after"), "7");
    return true;
  });
  env.sim.injectFault({ kind: "overloaded" });
  await assert.rejects(
    env.client.messages.create(params),
    (error: unknown) =>
      error instanceof Anthropic.APIError && error.status === 529 && error.type === "overloaded_error",
  );
  env.sim.injectFault({ kind: "server_error" });
  await assert.rejects(env.client.messages.create(params), Anthropic.InternalServerError);
});

test("the SDK waits as long as retry-after says, not its own backoff", async () => {
  // The SDK's own first backoff is 0.5 s less up to 25% jitter: never under 375 ms. A 20 ms
  // retry-after must bring the retry sooner than that; a 1 s one must hold it back longer.
  for (const [seconds, atLeast, below] of [
    [0.02, 20, 375],
    [1, 1000, Infinity],
  ] as const) {
    await using env = await withSim({ defaultScript: saying(REPLY) }, 1);
    env.sim.injectFault({ kind: "rate_limit", retryAfterSeconds: seconds });
    await env.client.messages.create(params);
    const [refused, served] = env.sim.records();
    assert.ok(refused && served);
    const gap = served.at - refused.at;
    assert.ok(gap >= atLeast && gap < below, `retry after ${gap} ms for retry-after ${seconds}`);
  }
});

test("a fault can target one task and several requests", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY) });
  env.sim.injectFault({ kind: "overloaded" }, { task: "octo/demo#9", times: 2 });
  await env.client.messages.create(params);
  const other = { ...params, system: "Task: octo/demo#9" };
  await assert.rejects(env.client.messages.create(other), /Overloaded/);
  await assert.rejects(env.client.messages.create(other), /Overloaded/);
  await env.client.messages.create(other);
  assert.deepEqual(
    env.sim.records().map((r) => [r.task, r.status]),
    [
      ["octo/demo#5", 200],
      ["octo/demo#9", 529],
      ["octo/demo#9", 529],
      ["octo/demo#9", 200],
    ],
  );
});

test("a truncated stream surfaces as an error, for raw events and for the message helper", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY), chunkSize: 16 });
  env.sim.injectFault({ kind: "truncate", afterEvents: 4 });
  const stream = await env.client.messages.create({ ...params, stream: true });
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const event of stream) seen.push(event.type);
  });
  assert.deepEqual(seen, ["message_start", "content_block_start", "content_block_delta"]);

  env.sim.injectFault({ kind: "truncate", afterEvents: 5 });
  await assert.rejects(env.client.messages.stream(params).finalMessage());
  assert.ok(env.sim.records().every((r) => r.fault === "truncate"));
});

test("a truncated plain reply surfaces as an error once the headers are in", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY) }, 2);
  env.sim.injectFault({ kind: "truncate" });
  await assert.rejects(env.client.messages.create(params), /terminated/);
  // The body broke after a 200, which the SDK does not retry.
  assert.deepEqual(
    env.sim.records().map((r) => [r.status, r.fault]),
    [[200, "truncate"]],
  );
});

test("an error event mid-stream throws the SDK's overloaded error without a retry", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY), chunkSize: 16 }, 2);
  env.sim.injectFault({ kind: "stream_error", afterEvents: 3 });
  await assert.rejects(
    env.client.messages.stream(params).finalMessage(),
    (error: unknown) => error instanceof Anthropic.APIError && error.type === "overloaded_error",
  );
  assert.equal(env.sim.records().length, 1);
});

test("a slow stream spaces its events by the delay and still delivers the whole reply", async () => {
  await using env = await withSim({ defaultScript: saying("Short reply.") });
  env.sim.injectFault({ kind: "slow", delayMs: 15 });
  const arrivals: number[] = [];
  const stream = env.client.messages.stream(params);
  stream.on("streamEvent", () => arrivals.push(performance.now()));
  const message = await stream.finalMessage();
  assert.equal(message.content[0]?.type === "text" && message.content[0].text, "Short reply.");
  // message_start, content_block_start, one delta, content_block_stop, message_delta,
  // message_stop (ping is not surfaced): each waited 15 ms after the one before it was sent.
  assert.equal(arrivals.length, 6);
  const first = arrivals[0] ?? 0;
  const last = arrivals.at(-1) ?? 0;
  assert.ok(last - first >= 5 * 15 - 5, `events spread over ${last - first} ms`);
});
