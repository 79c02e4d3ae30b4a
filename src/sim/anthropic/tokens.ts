import type { ContentBlockParam, ToolParam } from "./request-schema.ts";

// The token approximation (documented in docs/architecture.md, "Offline Anthropic"):
//
//   tokens(s) = ceil(utf8Bytes(s) / 4)                      (0 for the empty string)
//   text block         = tokens(text)
//   tool_use block     = tokens(name) + tokens(JSON.stringify(input))
//   tool_result block  = tokens(content) for string content, else the sum of its text blocks
//   tool definition    = tokens(name) + tokens(description ?? "") + tokens(JSON.stringify(input_schema))
//   string content / string system = one text block
//
// No per-message or per-request overhead is added, so a test can compute any figure by hand.
// Output tokens follow the same rule over the blocks of the reply.

/** Tokens in a string: a quarter of its UTF-8 length, rounded up. */
export function countTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, "utf8") / 4);
}

/** Tokens in one content block, by the rule above. */
export function blockTokens(block: ContentBlockParam): number {
  switch (block.type) {
    case "text":
      return countTokens(block.text);
    case "tool_use":
      return countTokens(block.name) + countTokens(JSON.stringify(block.input));
    case "tool_result": {
      const content = block.content ?? "";
      if (typeof content === "string") return countTokens(content);
      return content.reduce((sum, b) => sum + countTokens(b.text), 0);
    }
  }
}

/** Tokens in one tool definition, by the rule above. */
export function toolTokens(tool: ToolParam): number {
  return (
    countTokens(tool.name) +
    countTokens(tool.description ?? "") +
    countTokens(JSON.stringify(tool.input_schema))
  );
}
