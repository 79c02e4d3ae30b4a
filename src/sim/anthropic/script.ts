import type { ContentBlockParam, MessagesRequest } from "./request-schema.ts";

/** A block a script wants the assistant to say: text, or a call to one of the request's tools. */
export type ScriptBlock =
  { type: "text"; text: string } | { type: "tool_use"; name: string; input: Record<string, unknown> };

/** What a script decides for one request. */
export type ScriptReply =
  /** An assistant message; stop_reason is `tool_use` when it calls a tool, else `end_turn`. */
  | { kind: "reply"; content: ScriptBlock[]; stopReason?: "end_turn" | "refusal" }
  /** Nothing: the reply (or the rest of the stream) never comes until the client gives up. */
  | { kind: "stall" };

/** A tool call from an earlier turn and what the client answered. */
export interface ToolOutcome {
  name: string;
  input: Record<string, unknown>;
  /** The tool_result text (text blocks joined), empty when the client sent none. */
  result: string;
  isError: boolean;
}

/** What a script sees of the conversation so far. */
export interface ScriptContext {
  /** `owner/repo#issue` from the system prompt's `Task:` line, if any. */
  task: string | undefined;
  /** How many assistant turns the conversation already holds (0 on the first request). */
  turn: number;
  /** The tool calls of the last assistant turn with their results, in order. */
  lastResults: ToolOutcome[];
  /** Every tool call of the conversation with its result, oldest first. */
  history: ToolOutcome[];
  /** Names of the tools the request offers. */
  tools: string[];
  /** The text blocks of the first and of the last user message (instructions beside tool results). */
  firstUserText: string;
  lastUserText: string;
}

/** A scripted behaviour: decides the next assistant reply from the conversation so far. */
export interface Script {
  /** Short name, recorded with every request the script answers. */
  name: string;
  next(context: ScriptContext): ScriptReply;
}

const taskLine = /^Task: ([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+#\d+)\s*$/m;

/** The `owner/repo#issue` a request is about, read from a `Task:` line of its system prompt. */
export function taskOf(request: MessagesRequest): string | undefined {
  const system = request.system;
  const text = typeof system === "string" ? system : (system ?? []).map((b) => b.text).join("\n");
  return taskLine.exec(text)?.[1];
}

function resultText(block: Extract<ContentBlockParam, { type: "tool_result" }>): string {
  const content = block.content ?? "";
  return typeof content === "string" ? content : content.map((b) => b.text).join("\n");
}

/** Builds what a script sees from a validated request. */
export function scriptContext(request: MessagesRequest): ScriptContext {
  const history: ToolOutcome[] = [];
  let lastResults: ToolOutcome[] = [];
  let turn = 0;
  const pending = new Map<string, { name: string; input: Record<string, unknown> }>();
  for (const message of request.messages) {
    if (typeof message.content === "string") {
      if (message.role === "assistant") turn++;
      continue;
    }
    if (message.role === "assistant") {
      turn++;
      for (const block of message.content)
        if (block.type === "tool_use") pending.set(block.id, { name: block.name, input: block.input });
      continue;
    }
    const outcomes: ToolOutcome[] = [];
    for (const block of message.content) {
      if (block.type !== "tool_result") continue;
      const call = pending.get(block.tool_use_id);
      if (!call) continue;
      outcomes.push({ ...call, result: resultText(block), isError: block.is_error === true });
    }
    pending.clear();
    history.push(...outcomes);
    lastResults = outcomes;
  }
  const users = request.messages.filter((m) => m.role === "user");
  return {
    task: taskOf(request),
    turn,
    lastResults,
    history,
    tools: (request.tools ?? []).map((t) => t.name),
    firstUserText: userText(users[0]),
    lastUserText: userText(users.at(-1)),
  };
}

function userText(message: MessagesRequest["messages"][number] | undefined): string {
  if (message === undefined) return "";
  if (typeof message.content === "string") return message.content;
  return message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n");
}
