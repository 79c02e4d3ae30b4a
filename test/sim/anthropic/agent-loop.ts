import type Anthropic from "@anthropic-ai/sdk";
import { agentTools } from "./agent-tools.ts";

/** What a minimal agent loop saw while a script drove it. */
export interface LoopOutcome {
  /** Tool calls in order, as `name` or `name path`. */
  calls: string[];
  /** The finish summary, when the script finished. */
  summary: string | undefined;
  stopReasons: (string | null)[];
  outputTokens: number[];
}

/** How the in-memory workspace answers the tools the scripts call. */
export interface Workspace {
  files: Map<string, string>;
  /** Output of run_command, as the agent's tool reports it (first line `exit code N`). */
  runCommand(argv: string[], files: Map<string, string>): string;
  /** A refusal message for a write the sandbox would refuse, if any. */
  refuse?(path: string): string | undefined;
}

function execute(call: Anthropic.ToolUseBlock, ws: Workspace): { content: string; isError: boolean } {
  const input = call.input as Record<string, unknown>;
  const path = String(input.path ?? "");
  switch (call.name) {
    case "list_files":
      return { content: [...ws.files.keys()].sort().join("\n"), isError: false };
    case "read_file": {
      const text = ws.files.get(path);
      return text === undefined
        ? { content: "no such file or directory", isError: true }
        : { content: text, isError: false };
    }
    case "write_file":
    case "edit_file": {
      const refusal = ws.refuse?.(path);
      if (refusal) return { content: refusal, isError: true };
      if (call.name === "write_file") {
        ws.files.set(path, String(input.content));
        return { content: `wrote ${path}`, isError: false };
      }
      const before = ws.files.get(path) ?? "";
      const old = String(input.old_string);
      if (!before.includes(old)) return { content: `old_string not found in ${path}`, isError: true };
      ws.files.set(path, before.replace(old, String(input.new_string)));
      return { content: `edited ${path}`, isError: false };
    }
    case "run_command":
      return { content: ws.runCommand(input.argv as string[], ws.files), isError: false };
    default:
      return { content: `unknown tool ${call.name}`, isError: true };
  }
}

/** Drives a conversation for `task` the way the agent does, for at most `maxTurns` requests. */
export async function runLoop(
  client: Anthropic,
  task: string,
  ws: Workspace,
  maxTurns: number,
  maxTokens = 4000,
  taskMessage = "Implement the issue.",
): Promise<LoopOutcome> {
  const outcome: LoopOutcome = { calls: [], summary: undefined, stopReasons: [], outputTokens: [] };
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: taskMessage }];
  for (let turn = 0; turn < maxTurns; turn++) {
    const message = await client.messages.create({
      model: "claude-sonnet-4-6",
      max_tokens: maxTokens,
      system: `You are a coding agent.\nTask: ${task}`,
      tools: agentTools,
      messages,
    });
    outcome.stopReasons.push(message.stop_reason);
    outcome.outputTokens.push(message.usage.output_tokens);
    // The reply goes back as is, response fields included, as an agent loop would send it.
    messages.push({ role: "assistant", content: message.content });
    const calls = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    if (calls.length === 0) break;
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const call of calls) {
      const path = (call.input as { path?: unknown }).path;
      outcome.calls.push(typeof path === "string" ? `${call.name} ${path}` : call.name);
      if (call.name === "finish") {
        outcome.summary = String((call.input as { summary?: unknown }).summary);
        return outcome;
      }
      const { content, isError } = execute(call, ws);
      results.push({ type: "tool_result", tool_use_id: call.id, content, is_error: isError });
    }
    messages.push({ role: "user", content: results });
  }
  return outcome;
}
