import { ApiError } from "./api-error.ts";
import type { MessagesRequest } from "./request-schema.ts";
import type { ScriptBlock } from "./script.ts";
import { countTokens } from "./tokens.ts";

/** A content block of a response, shaped as Anthropic returns it. */
export type ResponseBlock =
  | { type: "text"; text: string; citations: null }
  | {
      type: "tool_use";
      id: string;
      name: string;
      input: Record<string, unknown>;
      caller: { type: "direct" };
    };

/** Why the assistant stopped, as Anthropic reports it. */
export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

/** The assistant's reply after stop sequences and `max_tokens` have had their say. */
export interface Reply {
  content: ResponseBlock[];
  stopReason: StopReason;
  stopSequence: string | null;
  outputTokens: number;
}

/** The longest prefix of `text` holding at most `tokens` tokens, cut on a character boundary. */
function fitText(text: string, tokens: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    bytes += Buffer.byteLength(char, "utf8");
    if (bytes > tokens * 4) break;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * Turns what a script said into the reply the model would give: tool calls get ids, the first
 * stop sequence ends the reply, and output beyond `max_tokens` is cut (a tool call that does not
 * fit entirely is dropped), each with the stop reason Anthropic would report.
 */
export function buildReply(
  request: MessagesRequest,
  blocks: ScriptBlock[],
  scriptStop: "end_turn" | "refusal" | undefined,
  toolId: (index: number) => string,
  scriptName: string,
): Reply {
  const offered = new Set((request.tools ?? []).map((t) => t.name));
  let budget = request.max_tokens;
  const content: ResponseBlock[] = [];
  let stop: StopReason | undefined;
  let stopSequence: string | null = null;
  for (const block of blocks) {
    if (block.type === "text") {
      let text = block.text;
      let cut = -1;
      for (const sequence of request.stop_sequences ?? []) {
        const at = text.indexOf(sequence);
        if (at >= 0 && (cut < 0 || at < cut)) {
          cut = at;
          stopSequence = sequence;
        }
      }
      if (cut >= 0) {
        text = text.slice(0, cut);
        stop = "stop_sequence";
      }
      if (countTokens(text) > budget) {
        text = fitText(text, budget);
        stop = "max_tokens";
        stopSequence = null;
      }
      if (text !== "") content.push({ type: "text", text, citations: null });
      budget -= countTokens(text);
      if (stop) break;
      continue;
    }
    if (!offered.has(block.name))
      throw new ApiError(
        "api_error",
        `script "${scriptName}" called tool "${block.name}", which the request does not offer (tools: ${[...offered].join(", ") || "none"})`,
      );
    const tokens = countTokens(block.name) + countTokens(JSON.stringify(block.input));
    if (tokens > budget) {
      stop = "max_tokens";
      break;
    }
    content.push({
      type: "tool_use",
      id: toolId(content.length),
      name: block.name,
      input: block.input,
      caller: { type: "direct" },
    });
    budget -= tokens;
  }
  stop ??= content.some((b) => b.type === "tool_use") ? "tool_use" : (scriptStop ?? "end_turn");
  return {
    content,
    stopReason: stop,
    stopSequence,
    outputTokens: request.max_tokens - budget,
  };
}
