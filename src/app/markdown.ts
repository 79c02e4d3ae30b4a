/** Wraps text in a code fence longer than any backtick run inside it, so the text cannot close the fence. */
export function codeBlock(text: string, info = "text"): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

/** Text safe to put inside inline code: no backticks or line breaks to break out with. */
export function inlineCode(text: string): string {
  return `\`${text.replace(/[`\r\n]/g, " ")}\``;
}
