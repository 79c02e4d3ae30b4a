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

/** The lines of a body outside fenced code blocks, with HTML comments cut out; never throws. */
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
    const visible = withoutHtmlComments(text, inHtmlComment);
    inHtmlComment = visible.open;
    if (visible.text === undefined) continue;
    if (!visible.cut) {
      const open = FENCE_OPEN.exec(text);
      if (open?.[1] && !(open[1][0] === "`" && (open[2] ?? "").includes("`"))) {
        fence = { char: open[1][0] ?? "`", length: open[1].length };
        continue;
      }
    }
    found.push({ text: visible.text, line: i + 1 });
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

/**
 * A line with its HTML comments cut out, given whether a comment is open at its start: the visible
 * text (undefined when nothing of the line is outside a comment), whether anything was cut, and
 * whether a comment is still open at its end.
 */
function withoutHtmlComments(
  line: string,
  open: boolean,
): { text: string | undefined; cut: boolean; open: boolean } {
  if (!open && !line.includes("<!--")) return { text: line, cut: false, open: false };
  let text = "";
  let shown = false;
  let at = 0;
  let inside = open;
  while (at <= line.length) {
    if (inside) {
      const end = line.indexOf("-->", at);
      if (end === -1) return { text: shown ? text : undefined, cut: true, open: true };
      at = end + 3;
      inside = false;
    } else {
      const start = line.indexOf("<!--", at);
      const stop = start === -1 ? line.length : start;
      text += line.slice(at, stop);
      if (line.slice(at, stop).trim() !== "") shown = true;
      if (start === -1) break;
      at = start + 4;
      inside = true;
    }
  }
  return { text: shown ? text : undefined, cut: true, open: false };
}
