import * as z from "zod";

// The subset of Anthropic's Messages API request the offline API serves: text, tool use and
// tool results, prompt caching. Objects are strict, as on the real API ("Extra inputs are not
// permitted"), except for the few response fields a client may echo back (citations, caller).

/** `cache_control` on a tool, system block or message block. */
export const cacheControlSchema = z.strictObject({
  type: z.literal("ephemeral"),
  ttl: z.enum(["5m", "1h"]).optional(),
});

const cacheControl = cacheControlSchema.nullish();

/** A text block, in system or in a message. */
export const textBlockSchema = z.strictObject({
  type: z.literal("text"),
  text: z.string(),
  cache_control: cacheControl,
  citations: z.array(z.unknown()).nullish(),
});

/** A tool call the assistant made, as sent back in a later request. */
export const toolUseBlockSchema = z.strictObject({
  type: z.literal("tool_use"),
  id: z.string().regex(/^[a-zA-Z0-9_-]+$/, "tool_use ids may hold only letters, digits, _ and -"),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
  caller: z.object({ type: z.string() }).nullish(),
});

/** The result of a tool call, sent by the client in a user message. */
export const toolResultBlockSchema = z.strictObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});

/** Any content block the offline API accepts in a message. */
export const contentBlockSchema = z.discriminatedUnion("type", [
  textBlockSchema,
  toolUseBlockSchema,
  toolResultBlockSchema,
]);

/** One turn of the conversation. */
export const messageSchema = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

/** A client tool the model may call. */
export const toolSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/, "tool names match ^[a-zA-Z0-9_-]{1,128}$"),
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal("object") }),
  cache_control: cacheControl,
  type: z.literal("custom").optional(),
});

/** The body of `POST /v1/messages`. */
export const messagesRequestSchema = z.strictObject({
  model: z.string().min(1),
  max_tokens: z.int().min(1),
  messages: z.array(messageSchema),
  system: z.union([z.string(), z.array(textBlockSchema)]).optional(),
  /** Automatic caching: a breakpoint on the last block of the prompt. */
  cache_control: cacheControl,
  tools: z.array(toolSchema).optional(),
  tool_choice: z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
      z.strictObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
      z.strictObject({
        type: z.literal("tool"),
        name: z.string(),
        disable_parallel_tool_use: z.boolean().optional(),
      }),
      z.strictObject({ type: z.literal("none") }),
    ])
    .optional(),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string().min(1)).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.int().min(0).optional(),
  metadata: z.strictObject({ user_id: z.string().max(256).nullish() }).optional(),
  service_tier: z.enum(["auto", "standard_only"]).optional(),
  // Adaptive thinking lets the model decide whether to think, so a reply without thinking blocks
  // honours it; `enabled` demands thinking the offline API cannot produce and is refused later.
  thinking: z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("disabled") }),
      z.looseObject({ type: z.literal("adaptive") }),
      z.looseObject({ type: z.literal("enabled") }),
    ])
    .optional(),
  output_config: z
    .strictObject({ effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullish() })
    .optional(),
});

export type CacheControl = z.infer<typeof cacheControlSchema>;
export type TextBlockParam = z.infer<typeof textBlockSchema>;
export type ContentBlockParam = z.infer<typeof contentBlockSchema>;
export type MessageParam = z.infer<typeof messageSchema>;
export type ToolParam = z.infer<typeof toolSchema>;
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
