import type { Reply } from "./reply.ts";
import type { Usage } from "./usage-record.ts";

/** One server-sent event: its name and JSON data. */
export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** The message object of a reply, as the non-streaming response and `message_start` carry it. */
export function messageBody(
  id: string,
  model: string,
  reply: Reply | undefined,
  usage: Usage,
): Record<string, unknown> {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: reply?.content ?? [],
    stop_reason: reply?.stopReason ?? null,
    stop_sequence: reply?.stopSequence ?? null,
    usage: { ...usage, service_tier: "standard" },
  };
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Serialises one event the way Anthropic's stream does: `event:` line, `data:` line, blank line. */
export function formatSse({ event, data }: SseEvent): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The opening of every stream: `message_start` (input usage, no content yet) and a `ping`. */
export function openingEvents(id: string, model: string, usage: Usage): SseEvent[] {
  return [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: messageBody(id, model, undefined, { ...usage, output_tokens: 1 }),
      },
    },
    { event: "ping", data: { type: "ping" } },
  ];
}

/**
 * The rest of a streamed reply: per block `content_block_start`, deltas (`text_delta` or
 * `input_json_delta`, `chunkSize` characters each) and `content_block_stop`; then
 * `message_delta` with the stop reason and cumulative usage, and `message_stop`.
 */
export function replyEvents(reply: Reply, usage: Usage, chunkSize: number): SseEvent[] {
  const events: SseEvent[] = [];
  reply.content.forEach((block, index) => {
    if (block.type === "text") {
      events.push({
        event: "content_block_start",
        data: {
          type: "content_block_start",
          index,
          content_block: { type: "text", text: "", citations: null },
        },
      });
      for (const text of chunks(block.text, chunkSize))
        events.push({
          event: "content_block_delta",
          data: { type: "content_block_delta", index, delta: { type: "text_delta", text } },
        });
    } else {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { ...block, input: {} } },
      });
      for (const partial_json of ["", ...chunks(JSON.stringify(block.input), chunkSize)])
        events.push({
          event: "content_block_delta",
          data: { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } },
        });
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push(
    {
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence },
        usage: {
          output_tokens: usage.output_tokens,
          input_tokens: usage.input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
        },
      },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  );
  return events;
}
