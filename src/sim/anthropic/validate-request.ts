import { ApiError, invalidRequest } from "./api-error.ts";
import { findModel, knownModelIds, type ModelInfo } from "./models.ts";
import { promptBlocks, type PromptBlock } from "./prompt-blocks.ts";
import type * as z from "zod";
import { messagesRequestSchema, type ContentBlockParam, type MessagesRequest } from "./request-schema.ts";

/** Anthropic allows at most this many `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;

/** A request that passed every check, with the model it names and its prompt in cache order. */
export interface ValidRequest {
  request: MessagesRequest;
  model: ModelInfo;
  blocks: PromptBlock[];
}

/**
 * Checks a parsed JSON body the way the Messages API does and throws an ApiError naming the
 * first problem and where it is (`messages.1.content.0: …`).
 */
export function validateRequest(body: unknown): ValidRequest {
  const parsed = messagesRequestSchema.safeParse(body);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    const issue = first && mostSpecific(first);
    const where = issue?.path.join(".") || "body";
    throw invalidRequest(
      issue?.code === "unrecognized_keys"
        ? `${where === "body" ? "" : `${where}.`}${issue.keys.join(", ")}: Extra inputs are not permitted`
        : `${where}: ${issue?.message ?? "invalid request"}`,
    );
  }
  const request = parsed.data;
  const model = findModel(request.model);
  if (!model)
    throw new ApiError(
      "not_found_error",
      `model: ${request.model} (the offline API knows ${knownModelIds().join(", ")})`,
    );
  if (request.max_tokens > model.maxOutputTokens)
    throw invalidRequest(
      `max_tokens: ${request.max_tokens} > ${model.maxOutputTokens}, which is the maximum allowed number of output tokens for ${request.model}`,
    );
  if (request.thinking?.type === "enabled")
    throw invalidRequest(
      'thinking.type: the offline API does not produce thinking blocks; use "adaptive" or "disabled"',
    );
  checkMessages(request);
  checkTools(request);
  const blocks = promptBlocks(request);
  checkCacheControl(blocks);
  return { request, model, blocks };
}

/**
 * For a union (string content or blocks, one of several block types), the branch issue that got
 * furthest into the input names the problem better than "Invalid input" on the union itself.
 */
function mostSpecific(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return issue;
  let best: z.core.$ZodIssue = issue;
  for (const branch of issue.errors)
    for (const inner of branch) {
      const candidate = mostSpecific({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
      if (candidate.path.length > best.path.length) best = candidate;
    }
  return best;
}

function blocksOf(content: string | ContentBlockParam[]): ContentBlockParam[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

function checkMessages(request: MessagesRequest): void {
  const { messages } = request;
  if (messages.length === 0) throw invalidRequest("messages: at least one message is required");
  if (messages[0]?.role !== "user")
    throw invalidRequest('messages.0.role: the first message must use the "user" role');
  messages.forEach((message, m) => {
    const previous = messages[m - 1];
    if (previous && previous.role === message.role)
      throw invalidRequest(
        `messages.${m}.role: roles must alternate between "user" and "assistant", but found two "${message.role}" messages in a row`,
      );
    const content = blocksOf(message.content);
    const last = m === messages.length - 1;
    if (content.length === 0 && !(last && message.role === "assistant"))
      throw invalidRequest(`messages.${m}.content: all messages must have non-empty content`);
    content.forEach((block, b) => {
      const where = `messages.${m}.content.${b}`;
      if (block.type === "text" && block.text.trim() === "" && !(last && message.role === "assistant"))
        throw invalidRequest(`${where}.text: text content blocks must contain non-whitespace text`);
      if (block.type === "tool_use" && message.role !== "assistant")
        throw invalidRequest(`${where}: tool_use blocks may appear only in assistant messages`);
      if (block.type === "tool_result" && message.role !== "user")
        throw invalidRequest(`${where}: tool_result blocks may appear only in user messages`);
    });
    // Every tool_use must be answered by a tool_result in the very next message, and every
    // tool_result must answer a tool_use of the message just before it.
    const asked = new Set(
      blocksOf(previous?.content ?? []).flatMap((b) => (b.type === "tool_use" ? [b.id] : [])),
    );
    const answered = new Set<string>();
    content.forEach((block, b) => {
      if (block.type !== "tool_result") return;
      if (!asked.has(block.tool_use_id))
        throw invalidRequest(
          `messages.${m}.content.${b}: unexpected tool_use_id found in tool_result blocks: ${block.tool_use_id}. Each tool_result block must have a corresponding tool_use block in the previous message.`,
        );
      if (answered.has(block.tool_use_id))
        throw invalidRequest(
          `messages.${m}.content.${b}: tool_use_id ${block.tool_use_id} is answered twice`,
        );
      answered.add(block.tool_use_id);
    });
    if (message.role === "user" && asked.size > 0) {
      const missing = [...asked].filter((id) => !answered.has(id));
      if (missing.length > 0)
        throw invalidRequest(
          `messages.${m - 1}: tool_use ids were found without tool_result blocks immediately after: ${missing.join(", ")}. Each tool_use block must have a corresponding tool_result block in the next message.`,
        );
    }
  });
  const lastMessage = messages.at(-1);
  if (lastMessage?.role === "assistant" && blocksOf(lastMessage.content).some((b) => b.type === "tool_use"))
    throw invalidRequest(
      `messages.${messages.length - 1}: tool_use ids were found without tool_result blocks immediately after`,
    );
}

function checkTools(request: MessagesRequest): void {
  const seen = new Set<string>();
  (request.tools ?? []).forEach((tool, i) => {
    if (seen.has(tool.name))
      throw invalidRequest(`tools.${i}.name: tool names must be unique; "${tool.name}" repeats`);
    seen.add(tool.name);
  });
  const choice = request.tool_choice;
  if (choice?.type === "tool" && !seen.has(choice.name))
    throw invalidRequest(`tool_choice.name: no tool named "${choice.name}" is defined in tools`);
  if ((choice?.type === "tool" || choice?.type === "any") && seen.size === 0)
    throw invalidRequest(`tool_choice: type "${choice.type}" needs at least one tool in tools`);
}

function checkCacheControl(blocks: PromptBlock[]): void {
  const marked = blocks
    .filter((b) => b.cacheControl)
    .map((b) => ({ ...b, field: b.cacheControlField ?? `${b.where}.cache_control` }));
  if (marked.length > MAX_CACHE_BREAKPOINTS)
    throw invalidRequest(
      `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${marked.length} (${marked.map((b) => b.field).join(", ")}).`,
    );
  // Anthropic processes longer-lived entries first: a 1h breakpoint may not follow a 5m one.
  let firstShort: string | undefined;
  for (const block of marked) {
    const ttl = block.cacheControl?.ttl ?? "5m";
    if (ttl === "5m") firstShort ??= block.field;
    else if (firstShort)
      throw invalidRequest(
        `${block.field}.ttl: a ttl="1h" cache_control block must not come after a ttl="5m" one (${firstShort})`,
      );
  }
}
