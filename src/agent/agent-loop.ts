import type {
  ContentBlockParam,
  Message,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import { checkBudget, needsHandoff } from "../core/agent-budget.ts";
import type { ModelPrice } from "../core/config/fields.ts";
import type { Outcome } from "../core/report.ts";
import { addUsage, fromApiUsage, promptTokens, responseCost, ZERO_USAGE, type Usage } from "../core/usage.ts";
import type { Sandbox } from "./sandbox/sandbox.ts";
import { executeTool } from "./tools/agent-tools.ts";
import { AGENT_TOOL_DEFINITIONS } from "./tools/tool-definitions.ts";
import type { ModelClient } from "./model-client.ts";

// The agent loop: ask the model, run the tools it calls inside the sandbox, feed the results back,
// until it calls `finish` or a wall fires. Every wall is checked before a request is sent, so the
// loop never starts a request it could not pay for or finish in time.

/** What one run of the loop is given. */
export interface LoopInput {
  model: string;
  price: ModelPrice;
  /** Largest output of one response. */
  maxTokens: number;
  maxTurns: number;
  system: string;
  /** The first user message: the task. */
  task: string;
  limits: { tokens: number; usd: number };
  /** Epoch milliseconds at which the job must stop. */
  deadline: number;
}

/** Where the loop reaches the world. */
export interface LoopDeps {
  client: ModelClient;
  sandbox: Sandbox;
  now: () => number;
  /** Called after every turn with the figures so far (heartbeats); a failure ends the loop as `error`. */
  onTurn?: (progress: LoopProgress) => Promise<void>;
}

/** The figures a heartbeat shows. */
export interface LoopProgress {
  turns: number;
  usage: Usage;
  costUsd: number;
  lastTool: string | undefined;
  filesTouched: string[];
}

/** How the loop ended and what it spent. */
export interface LoopResult extends LoopProgress {
  outcome: Outcome;
  reason: string;
  summary: string;
  tools: Record<string, number>;
  handoffs: number;
  refusals: number;
  commands: { argv: string; exitCode: number | null }[];
}

const HANDOFF_REQUEST =
  "Your context window is nearly full. Stop calling tools. Reply with a summary a fresh session can " +
  "continue from: the state of the work, what you changed and verified, and what remains to be done.";

const NUDGE = "Continue with the task using the tools; call finish with a summary when it is done.";

/** Runs the agent loop to its end and reports how it ended. */
export async function runAgentLoop(input: LoopInput, deps: LoopDeps): Promise<LoopResult> {
  const tools = withCacheBreakpoint(AGENT_TOOL_DEFINITIONS);
  const system: TextBlockParam[] = [
    { type: "text", text: input.system, cache_control: { type: "ephemeral" } },
  ];
  const toolsChars = JSON.stringify(tools).length;
  let messages: MessageParam[] = [{ role: "user", content: [{ type: "text", text: input.task }] }];

  const state = loopStoppedBeforeStart(
    "max-turns",
    `the agent took ${input.maxTurns} turns without finishing`,
  );
  const touched = new Set<string>();
  let nudged = false;

  const ask = async (conversation: MessageParam[]): Promise<Message | { stop: Outcome; reason: string }> => {
    const estimate = estimateTokens(toolsChars + input.system.length + JSON.stringify(conversation).length);
    const stop = checkBudget(
      {
        usage: state.usage,
        costUsd: state.costUsd,
        limits: input.limits,
        deadline: input.deadline,
        now: deps.now(),
      },
      { promptTokens: estimate, maxTokens: input.maxTokens, price: input.price },
    );
    if (stop) return { stop: stop.outcome, reason: stop.reason };
    const remaining = input.deadline - deps.now();
    try {
      const response = await deps.client.messages.create(
        {
          model: input.model,
          max_tokens: input.maxTokens,
          system,
          tools,
          messages: withConversationBreakpoints(conversation),
        },
        { timeout: Math.max(1, remaining), signal: AbortSignal.timeout(Math.max(1, remaining)) },
      );
      const usage = fromApiUsage(response.usage);
      state.usage = addUsage(state.usage, usage);
      state.costUsd += responseCost(usage, input.price);
      return response;
    } catch (error) {
      if (deps.now() >= input.deadline || isAbort(error)) {
        return { stop: "time", reason: "the job's time bound was reached while waiting for the model" };
      }
      // The SDK has already retried what can be retried (429, 529, 5xx, with retry-after).
      const message = deps.sandbox.redact(error instanceof Error ? error.message : String(error));
      return { stop: "error", reason: `the model request failed after retries: ${message.slice(0, 500)}` };
    }
  };

  while (state.turns < input.maxTurns) {
    const response = await ask(messages);
    if ("stop" in response) return finish(state, touched, response.stop, response.reason);
    state.turns += 1;
    messages.push({ role: "assistant", content: response.content });

    if (response.stop_reason === "refusal") {
      return finish(state, touched, "refusal", "the model refused to continue with this task");
    }
    const calls = response.content.filter((block) => block.type === "tool_use");
    if (calls.length === 0) {
      // A turn without tools: the model thinks it is done, or stalled in prose. Nudge once.
      if (nudged) {
        state.summary = textOf(response.content);
        return finish(state, touched, "done", "the model ended its turn without calling finish");
      }
      nudged = true;
      messages.push({ role: "user", content: [{ type: "text", text: NUDGE }] });
      continue;
    }

    const results: ToolResultBlockParam[] = [];
    let finished: string | undefined;
    for (const call of calls) {
      state.tools[call.name] = (state.tools[call.name] ?? 0) + 1;
      state.lastTool = call.name;
      const result = await executeTool(call.name, call.input, deps.sandbox);
      if (result.status === "error" && result.refusal) state.refusals += 1;
      if (result.status === "finished") finished = result.summary;
      noteEffects(call.name, call.input, result.content, result.status, touched, state.commands);
      results.push({
        type: "tool_result",
        tool_use_id: call.id,
        content: result.content,
        ...(result.status === "error" ? { is_error: true } : {}),
      });
    }
    messages.push({ role: "user", content: results });
    state.filesTouched = [...touched].sort();
    try {
      await deps.onTurn?.(progressOf(state));
    } catch (error) {
      const message = deps.sandbox.redact(error instanceof Error ? error.message : String(error));
      return finish(state, touched, "error", `reporting progress failed: ${message.slice(0, 500)}`);
    }

    if (finished !== undefined) {
      state.summary = finished;
      return finish(state, touched, "done", "the agent finished its task");
    }

    if (needsHandoff(promptTokens(fromApiUsage(response.usage)), input.price.contextWindow)) {
      const handoff = await handOff(messages, results, ask);
      if ("stop" in handoff) return finish(state, touched, handoff.stop, handoff.reason);
      state.handoffs += 1;
      messages = [
        {
          role: "user",
          content: [
            {
              type: "text",
              text: `${input.task}\n\n## Progress so far (from the previous session)\n\n${handoff.summary}`,
            },
          ],
        },
      ];
    }
  }
  return finish(state, touched, "max-turns", `the agent took ${input.maxTurns} turns without finishing`);
}

/** The result of a loop that ended before its first request: nothing spent, nothing done. */
export function loopStoppedBeforeStart(outcome: Outcome, reason: string): LoopResult {
  return {
    outcome,
    reason,
    summary: "",
    turns: 0,
    usage: ZERO_USAGE,
    costUsd: 0,
    lastTool: undefined,
    filesTouched: [],
    tools: {},
    handoffs: 0,
    refusals: 0,
    commands: [],
  };
}

async function handOff(
  messages: MessageParam[],
  lastResults: ToolResultBlockParam[],
  ask: (conversation: MessageParam[]) => Promise<Message | { stop: Outcome; reason: string }>,
): Promise<{ summary: string } | { stop: Outcome; reason: string }> {
  // The summary request rides on the tool results so the conversation still alternates.
  const request: MessageParam[] = [
    ...messages.slice(0, -1),
    { role: "user", content: [...lastResults, { type: "text", text: HANDOFF_REQUEST }] },
  ];
  const response = await ask(request);
  if ("stop" in response) return response;
  const summary = textOf(response.content).trim();
  return { summary: summary === "" ? "(the previous session gave no summary)" : summary };
}

function finish(state: LoopResult, touched: Set<string>, outcome: Outcome, reason: string): LoopResult {
  return { ...state, outcome, reason, filesTouched: [...touched].sort() };
}

function progressOf(state: LoopResult): LoopProgress {
  return {
    turns: state.turns,
    usage: state.usage,
    costUsd: state.costUsd,
    lastTool: state.lastTool,
    filesTouched: state.filesTouched,
  };
}

function noteEffects(
  name: string,
  input: unknown,
  content: string,
  status: string,
  touched: Set<string>,
  commands: LoopResult["commands"],
): void {
  const args = (input ?? {}) as { path?: unknown; argv?: unknown };
  if ((name === "write_file" || name === "edit_file") && status === "ok" && typeof args.path === "string") {
    touched.add(args.path);
  }
  if (name === "run_command" && Array.isArray(args.argv)) {
    const exit = /^exit code (-?\d+)/.exec(content);
    commands.push({
      argv: args.argv.join(" ").slice(0, 300),
      exitCode: exit?.[1] === undefined ? null : Number(exit[1]),
    });
  }
}

/** A conservative token estimate: a token is rarely shorter than three characters. */
function estimateTokens(chars: number): number {
  return Math.ceil(chars / 3);
}

function textOf(content: Message["content"]): string {
  return content
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join("\n");
}

function isAbort(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "AbortError" ||
      error.name === "APIUserAbortError" ||
      error.name === "APIConnectionTimeoutError")
  );
}

function withCacheBreakpoint(tools: readonly Tool[]): Tool[] {
  return tools.map((tool, index) =>
    index === tools.length - 1 ? { ...tool, cache_control: { type: "ephemeral" } } : tool,
  );
}

/**
 * Cache breakpoints on the last block of the last two user messages: the newest one caches the
 * whole conversation for the next turn, the one before still matches what the previous turn
 * cached. With the tools and the system prompt that makes four, Anthropic's maximum.
 */
function withConversationBreakpoints(messages: MessageParam[]): MessageParam[] {
  const userIndexes = messages
    .flatMap((message, index) => (message.role === "user" ? [index] : []))
    .slice(-2);
  return messages.map((message, index) => {
    if (message.role !== "user" || !userIndexes.includes(index) || typeof message.content === "string")
      return message;
    const blocks = message.content;
    const last = blocks.at(-1);
    if (last === undefined || last.type === "thinking" || last.type === "redacted_thinking") return message;
    return {
      ...message,
      content: [
        ...blocks.slice(0, -1),
        { ...last, cache_control: { type: "ephemeral" } } as ContentBlockParam,
      ],
    };
  });
}
