// Reading GitHub-flavoured Markdown the way a person sees it rendered, as far as the policies need:
// text inside code blocks and HTML comments is not prose, so a command or a "depends on #3" shown
// there does not count.

/** One line of a Markdown body, with its 1-based line number. */
export interface MarkdownLine {
  text: string;
  line: number;
}

// A fence opens with 3+ backticks or tildes after at most 3 spaces (CommonMark); a backtick
// fence's info string may not contain a backtick, which is what keeps `` ```x``` `` inline.
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/** The lines of a body outside fenced code blocks and HTML comments; never throws. */
export function proseLines(body: string): MarkdownLine[] {
  const found: MarkdownLine[] = [];
  let fence: { char: string; length: number } | undefined;
  let inHtmlComment = false;
  const lines = body.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? "";
    if (fence) {
      // Closed only by a fence of the same character at least as long; an unclosed one runs to the end.
      const close = FENCE_CLOSE.exec(text)?.[1];
      if (close && close[0] === fence.char && close.length >= fence.length) fence = undefined;
      continue;
    }
    if (inHtmlComment) {
      if (text.includes("-->")) inHtmlComment = false;
      continue;
    }
    const open = FENCE_OPEN.exec(text);
    if (open?.[1] && !(open[1][0] === "`" && (open[2] ?? "").includes("`"))) {
      fence = { char: open[1][0] ?? "`", length: open[1].length };
      continue;
    }
    const comment = text.lastIndexOf("<!--");
    if (comment !== -1 && !text.includes("-->", comment + 4)) inHtmlComment = true;
    found.push({ text, line: i + 1 });
  }
  return found;
}

/**
 * Shows a piece of user text as inline code, safe to post: control and invisible characters are
 * dropped, backticks replaced, and the text cut to `max` characters, so an echo can neither break
 * out of the code span, nor mention anyone, nor flood the comment.
 */
export function codeSpan(raw: string, max = 40): string {
  const chars = Array.from(raw.replace(/[\p{C}`]/gu, (c) => (c === "`" ? "'" : "")));
  const shown = chars.length > max ? `${chars.slice(0, max).join("")}…` : chars.join("");
  if (raw === "") return "an empty value";
  return shown.trim() === "" ? "an invisible value" : `\`${shown}\``;
}
