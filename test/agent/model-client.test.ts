import { test } from "node:test";
import assert from "node:assert/strict";
import { AuthenticationError } from "@anthropic-ai/sdk";
import { MessagesClient } from "../../src/agent/model-client.ts";
import { nodeFetch } from "../../src/github/http-fetch.ts";
import { startAnthropicSim } from "../../src/sim/anthropic/server.ts";

const API_KEY = "sk-ant-model-client-key";
const model = "claude-sonnet-5-5";

async function withClient(apiKey = API_KEY) {
  const sim = await startAnthropicSim({ apiKey: API_KEY });
  sim.setScript("acme/widgets#1", {
    name: "saying",
    next: () => ({ kind: "reply", content: [{ type: "text", text: "All done." }] }),
  });
  const client = new MessagesClient({ apiKey, baseURL: sim.url, maxRetries: 0, fetch: nodeFetch });
  return { sim, client, [Symbol.asyncDispose]: () => sim.close() };
}

const params = {
  model,
  max_tokens: 200,
  system: "Task: acme/widgets#1",
  messages: [{ role: "user" as const, content: "Go." }],
};

test("the Messages-only client gets a message over node:http, as the SDK's client does", async () => {
  await using env = await withClient();
  const { data, response } = await env.client.messages.create(params).withResponse();
  assert.equal(data.type, "message");
  assert.equal(data.model, model);
  assert.match(response.headers.get("request-id") ?? "", /^req_/);
  assert.equal(env.sim.records().filter((r) => r.path === "/v1/messages").length, 1);
});

test("a streamed reply arrives as Anthropic's events, in order", async () => {
  await using env = await withClient();
  const events: string[] = [];
  for await (const event of await env.client.messages.create({ ...params, stream: true }))
    events.push(event.type);
  assert.equal(events[0], "message_start");
  assert.equal(events.at(-1), "message_stop");
});

test("an API error comes back as the SDK's error class", async () => {
  await using env = await withClient("sk-ant-wrong-key");
  await assert.rejects(env.client.messages.create(params), AuthenticationError);
});
