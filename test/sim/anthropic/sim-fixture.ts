import Anthropic from "@anthropic-ai/sdk";
import {
  startAnthropicSim,
  type AnthropicSim,
  type AnthropicSimOptions,
} from "../../../src/sim/anthropic/server.ts";
import type { Script } from "../../../src/sim/anthropic/script.ts";

/** The key the tests configure. */
export const API_KEY = "sk-ant-test-key";

/** A running offline API and a real SDK client pointed at it (no retries unless asked). */
export async function withSim(
  options: Partial<AnthropicSimOptions> = {},
  maxRetries = 0,
): Promise<{ sim: AnthropicSim; client: Anthropic; [Symbol.asyncDispose](): Promise<void> }> {
  const sim = await startAnthropicSim({ apiKey: API_KEY, ...options });
  const client = new Anthropic({ baseURL: sim.url, apiKey: API_KEY, maxRetries });
  return { sim, client, [Symbol.asyncDispose]: () => sim.close() };
}

/** A script that always answers the same text. */
export function saying(text: string): Script {
  return { name: "saying", next: () => ({ kind: "reply", content: [{ type: "text", text }] }) };
}
