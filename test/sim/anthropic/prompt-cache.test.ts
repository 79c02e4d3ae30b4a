import { test } from "node:test";
import assert from "node:assert/strict";
import type Anthropic from "@anthropic-ai/sdk";
import { saying, withSim } from "./sim-fixture.ts";

// Every expected figure below is worked out by hand from the documented rule: a string costs
// ceil(bytes / 4) tokens, blocks add up with no overhead, the prefix runs tools → system →
// messages. Strings are ASCII runs of one letter, so bytes are lengths.
const S = "s".repeat(4096); // 1024 tokens: exactly the claude-sonnet-4-6 minimum
const U1 = "a".repeat(400); // 100 tokens
const REPLY = "r".repeat(80); // 20 tokens: what the script answers every turn
const U2 = "b".repeat(200); // 50 tokens
const U3 = "c".repeat(100); // 25 tokens
const U4 = "d".repeat(40); // 10 tokens

const ephemeral = { type: "ephemeral" } as const;
const MINUTE = 60_000;

type Block = Anthropic.TextBlockParam;
const text = (t: string, cached = false): Block =>
  cached ? { type: "text", text: t, cache_control: ephemeral } : { type: "text", text: t };
const user = (...content: Block[]): Anthropic.MessageParam => ({ role: "user", content });
const assistant = (...content: Block[]): Anthropic.MessageParam => ({ role: "assistant", content });

function figures(usage: Anthropic.Usage) {
  return {
    input: usage.input_tokens,
    creation: usage.cache_creation_input_tokens,
    read: usage.cache_read_input_tokens,
    output: usage.output_tokens,
  };
}

test("a multi-turn conversation is billed as Anthropic bills it, with and without caching", async () => {
  let clock = 0;
  await using env = await withSim({ defaultScript: saying(REPLY), now: () => clock });
  const ask = async (messages: Anthropic.MessageParam[], cached: boolean) =>
    figures(
      (
        await env.client.messages.create({
          model: "claude-sonnet-4-6",
          max_tokens: 100,
          system: [text(S, cached)],
          messages,
        })
      ).usage,
    );
  const reply = assistant(text(REPLY));

  // Turn 1 at 0:00. Breakpoints after S (1024, meets the minimum) and after U1 (1124): both
  // written; nothing read; nothing left after the last breakpoint.
  assert.deepEqual(await ask([user(text(U1, true))], true), {
    input: 0,
    creation: 1124,
    read: 0,
    output: 20,
  });

  // Turn 2 at 1:00. The breakpoint after U2 looks back and finds the entry ending at U1 (1124)
  // written on turn 1; it writes the rest up to U2: 20 (reply) + 50 = 70.
  clock = 1 * MINUTE;
  assert.deepEqual(await ask([user(text(U1)), reply, user(text(U2, true))], true), {
    input: 0,
    creation: 70,
    read: 1124,
    output: 20,
  });

  // Turn 3 at 2:00, with a breakpoint on the system prompt only: S (1024) is read, and the rest,
  // 100 + 20 + 50 + 20 + 25 = 215, is plain input.
  clock = 2 * MINUTE;
  assert.deepEqual(await ask([user(text(U1)), reply, user(text(U2)), reply, user(text(U3))], true), {
    input: 215,
    creation: 0,
    read: 1024,
    output: 20,
  });

  // Turn 4 at 6:30. The U1 entry (written 0:00) died at 5:00, the U2 entry (1:00) at 6:00. The S
  // entry lives only because turn 3 read it at 2:00 (refreshed until 7:00), so S is read and the
  // rest up to U4 is written: 100 + 20 + 50 + 20 + 25 + 20 + 10 = 245.
  clock = 6.5 * MINUTE;
  assert.deepEqual(
    await ask(
      [user(text(U1)), reply, user(text(U2)), reply, user(text(U3)), reply, user(text(U4, true))],
      true,
    ),
    { input: 0, creation: 245, read: 1024, output: 20 },
  );

  // The same turns without cache_control: every token is plain input.
  assert.deepEqual(await ask([user(text(U1))], false), { input: 1124, creation: 0, read: 0, output: 20 });
  assert.deepEqual(await ask([user(text(U1)), reply, user(text(U2))], false), {
    input: 1194,
    creation: 0,
    read: 0,
    output: 20,
  });

  // The recorded totals add up every request above.
  assert.deepEqual(env.sim.totals(), {
    requests: 6,
    input_tokens: 215 + 1124 + 1194,
    output_tokens: 6 * 20,
    cache_creation_input_tokens: 1124 + 70 + 245,
    cache_read_input_tokens: 1124 + 1024 + 1024,
  });
});

test("a prefix shorter than the model's minimum is not cached; the minimum counts the whole prefix", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY) });
  const messages = [user(text(U1, true))];
  // claude-haiku-4-5 needs 4096 tokens: 1124 is too short, so everything is input.
  const haiku = await env.client.messages.create({
    model: "claude-haiku-4-5",
    max_tokens: 100,
    system: [text(S, true)],
    messages,
  });
  assert.deepEqual(figures(haiku.usage), { input: 1124, creation: 0, read: 0, output: 20 });
  // A 1023-token system prompt misses claude-sonnet-4-6's 1024 on its own, but the prefix up to
  // U1 (1123) reaches it: one entry of 1123 tokens is written.
  const sonnet = await env.client.messages.create({
    model: "claude-sonnet-4-6",
    max_tokens: 100,
    system: [text("s".repeat(4092), true)],
    messages,
  });
  assert.deepEqual(figures(sonnet.usage), { input: 0, creation: 1123, read: 0, output: 20 });
});

test("a one-hour entry outlives five minutes, is refreshed by a read, and is billed apart", async () => {
  let clock = 0;
  await using env = await withSim({ defaultScript: saying(REPLY), now: () => clock });
  const hour = { type: "ephemeral", ttl: "1h" } as const;
  const ask = async () =>
    (
      await env.client.messages.create({
        model: "claude-sonnet-4-6",
        max_tokens: 100,
        system: [{ type: "text", text: S, cache_control: hour }],
        messages: [user(text(U1, true))],
      })
    ).usage;

  // 0:00: S (1024) goes to the 1h entry, U1 (100) to a 5m one.
  const first = await ask();
  assert.deepEqual(first.cache_creation, { ephemeral_1h_input_tokens: 1024, ephemeral_5m_input_tokens: 100 });
  // 0:59: the 5m entry is gone, the 1h one is read and refreshed until 1:59; U1 is written again.
  clock = 59 * MINUTE;
  assert.deepEqual(figures(await ask()), { input: 0, creation: 100, read: 1024, output: 20 });
  // 1:58: still alive thanks to the read at 0:59; the U1 entry from 0:59 died at 1:04.
  clock = 118 * MINUTE;
  assert.deepEqual(figures(await ask()), { input: 0, creation: 100, read: 1024, output: 20 });
  // 3:00: nothing left; everything is written anew.
  clock = 180 * MINUTE;
  assert.deepEqual(figures(await ask()), { input: 0, creation: 1124, read: 0, output: 20 });
});

test("a hit is found at most 20 blocks before a breakpoint", async () => {
  // Turn 1 writes an entry after one 1024-token user block. Turn 2 sends that block followed by
  // 20 more alternating blocks (assistant 20 tokens, user "qqqq" 1 token) and one breakpoint.
  const first = "a".repeat(4096);
  const history = (breakpointAt: number): Anthropic.MessageParam[] =>
    Array.from({ length: 21 }, (_, i) => {
      const body = i === 0 ? first : i % 2 === 1 ? REPLY : "qqqq";
      const block = text(body, i === breakpointAt);
      return i % 2 === 0 ? user(block) : assistant(block);
    });
  for (const [breakpointAt, expected] of [
    // Block 19 is 19 blocks after block 0: the window (blocks 0..19) holds the entry.
    // Prefix to block 19: 1024 + 10 replies (200) + 9 users (9) = 1233; block 20 is 1 token of input.
    [19, { input: 1, creation: 1233 - 1024, read: 1024, output: 20 }],
    // Block 20 is 20 blocks after block 0: the window (blocks 1..20) misses it; all 1234 are written.
    [20, { input: 0, creation: 1234, read: 0, output: 20 }],
  ] as const) {
    await using env = await withSim({ defaultScript: saying(REPLY) });
    const ask = async (messages: Anthropic.MessageParam[]) =>
      figures(
        (await env.client.messages.create({ model: "claude-sonnet-4-6", max_tokens: 100, messages })).usage,
      );
    assert.deepEqual(await ask([user(text(first, true))]), { input: 0, creation: 1024, read: 0, output: 20 });
    assert.deepEqual(await ask(history(breakpointAt)), expected);
  }
});

test("tools come first in the prefix: changing a tool misses the cache of the system prompt", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY) });
  const tool = (description: string): Anthropic.Tool => ({
    name: "lookup",
    description,
    input_schema: { type: "object", properties: {} },
  });
  const ask = async (description: string) =>
    figures(
      (
        await env.client.messages.create({
          model: "claude-sonnet-4-6",
          max_tokens: 100,
          tools: [tool(description)],
          system: [text(S, true)],
          messages: [user(text("hi"))],
        })
      ).usage,
    );
  // The tool costs tokens("lookup") 2 + tokens("abcd") 1 + tokens('{"type":"object","properties":{}}') 9 = 12;
  // with S that makes a 1036-token prefix; "hi" is 1 token of input.
  assert.deepEqual(await ask("abcd"), { input: 1, creation: 1036, read: 0, output: 20 });
  assert.deepEqual(await ask("abcd"), { input: 1, creation: 0, read: 1036, output: 20 });
  assert.deepEqual(await ask("abce"), { input: 1, creation: 1036, read: 0, output: 20 });
});

test("automatic caching puts the breakpoint on the last block and moves it as the conversation grows", async () => {
  await using env = await withSim({ defaultScript: saying(REPLY) });
  const ask = async (messages: Anthropic.MessageParam[]) =>
    figures(
      (
        await env.client.messages.create({
          model: "claude-sonnet-4-6",
          max_tokens: 100,
          cache_control: ephemeral,
          system: S,
          messages,
        })
      ).usage,
    );
  // Breakpoint after U1: the 1124-token prefix is written.
  assert.deepEqual(await ask([{ role: "user", content: U1 }]), {
    input: 0,
    creation: 1124,
    read: 0,
    output: 20,
  });
  // Breakpoint after U2: the U1 entry is read, reply + U2 (70) written.
  assert.deepEqual(
    await ask([
      { role: "user", content: U1 },
      { role: "assistant", content: REPLY },
      { role: "user", content: U2 },
    ]),
    { input: 0, creation: 70, read: 1124, output: 20 },
  );
});
