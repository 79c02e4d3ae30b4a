// The offline Anthropic API under a swarm's load: 30 agents in parallel, each a 40-turn zombie
// conversation through the real SDK with automatic caching (plain, then streamed), and the cost
// of billing one request of a long conversation against the prompt cache.
import { performance } from "node:perf_hooks";
import Anthropic from "@anthropic-ai/sdk";
import { zombie } from "../src/sim/anthropic/behaviours/zombie.ts";
import { promptBlocks } from "../src/sim/anthropic/prompt-blocks.ts";
import { PromptCache } from "../src/sim/anthropic/prompt-cache.ts";
import type { MessagesRequest } from "../src/sim/anthropic/request-schema.ts";
import { startAnthropicSim } from "../src/sim/anthropic/server.ts";
import type { BenchRow } from "./run.ts";

const agents = 30;
const turns = 40;
const apiKey = "sk-ant-bench";
const model = "claude-sonnet-4-6";
const system = `You are a coding agent.\n${"Follow the repository's conventions. ".repeat(200)}`;
const tools: Anthropic.Tool[] = ["list_files", "read_file", "run_command", "finish"].map((name) => ({
  name,
  description: `The ${name} tool`,
  input_schema: { type: "object", properties: { path: { type: "string" } } },
}));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** One agent's conversation: `turns` requests, each answering the previous tool call. */
async function converse(
  client: Anthropic,
  agent: number,
  stream: boolean,
  latencies: number[],
): Promise<void> {
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Implement the issue." }];
  for (let turn = 0; turn < turns; turn++) {
    const params = {
      model,
      max_tokens: 1000,
      cache_control: { type: "ephemeral" as const },
      system: `${system}\nTask: octo/bench#${agent + 1}`,
      tools,
      messages,
    };
    const started = performance.now();
    const message = stream
      ? await client.messages.stream(params).finalMessage()
      : await client.messages.create(params);
    latencies.push(performance.now() - started);
    messages.push({ role: "assistant", content: message.content });
    const call = message.content.find((b) => b.type === "tool_use");
    if (!call || call.type !== "tool_use") throw new Error("the zombie stopped calling tools");
    messages.push({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: call.id, content: "README.md\nsrc/index.ts\n".repeat(20) },
      ],
    });
  }
}

// Targets: a swarm of 30 agents each turning once a second (real turns also run tools, so this
// is well above the demo's need), and one agent alone not waiting on the stand-in noticeably.
async function swarm(stream: boolean): Promise<BenchRow[]> {
  const sim = await startAnthropicSim({ apiKey, defaultScript: zombie() });
  try {
    const client = new Anthropic({ baseURL: sim.url, apiKey, maxRetries: 0 });
    const kind = stream ? "streamed" : "plain";
    const alone: number[] = [];
    await converse(client, agents, stream, alone);
    const started = performance.now();
    await Promise.all(Array.from({ length: agents }, (_, agent) => converse(client, agent, stream, [])));
    const seconds = (performance.now() - started) / 1000;
    if (sim.totals().cache_read_input_tokens === 0) throw new Error("the conversations never hit the cache");
    return [
      {
        measure: `${kind}: requests/s, ${agents} agents × ${turns} turns (SDK in the same process)`,
        value: (agents * turns) / seconds,
        unit: "req/s",
        target: { atLeast: agents },
      },
      {
        measure: `${kind}: median request latency, one agent alone`,
        value: median(alone),
        unit: "ms",
        target: { atMost: 50 },
      },
    ];
  } finally {
    await sim.close();
  }
}

/** Billing one request of a 401-block conversation (200 turns of tool calls) against the cache. */
function accounting(): BenchRow {
  const messages: MessagesRequest["messages"] = [{ role: "user", content: "Implement the issue." }];
  for (let i = 0; i < 200; i++)
    messages.push(
      {
        role: "assistant",
        content: [{ type: "tool_use", id: `toolu_${i}`, name: "read_file", input: { path: `src/${i}.ts` } }],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: `toolu_${i}`, content: "x".repeat(2000) }],
      },
    );
  const blocks = promptBlocks({
    model,
    max_tokens: 1000,
    cache_control: { type: "ephemeral" },
    system,
    messages,
  });
  const cache = new PromptCache();
  const rounds = 200;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) cache.account(model, 1024, blocks, i);
  return {
    measure: "cache billing of one 401-block request",
    value: (performance.now() - started) / rounds,
    unit: "ms",
    target: { atMost: 5 },
  };
}

/** Measures the offline Anthropic API's throughput and its cache billing. */
export default async function simAnthropicBench(): Promise<BenchRow[]> {
  return [...(await swarm(false)), ...(await swarm(true)), accounting()];
}
