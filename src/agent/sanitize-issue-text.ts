// Issue text reaches the model as instructions, but the person who labelled the issue saw it
// rendered. Anything the rendering hides (comments, hidden elements, attributes, invisible
// characters) is removed, so the model acts only on what a person could read. Where rendering is
// ambiguous the sanitiser removes more, never less: code blocks get no exception, because a fence
// inside an HTML block is not a fence and a comment there would be hidden yet kept.

// Format characters (zero-width, bidi controls and isolates, tag characters U+E0000–E007F, soft
// hyphen, BOM…), C0/C1 controls but tab and newline, variation selectors (they can smuggle bytes
// after any character) and the blank fillers that render as nothing.
const INVISIBLE_CLASS = String.raw`(?:[\p{Cf}\p{Variation_Selector}\u0000-\u0008\u000B-\u001F\u007F-\u009F\u115F\u1160\u3164\uFFA0]|\u034F|\u17B4|\u17B5)`;
const INVISIBLE = new RegExp(INVISIBLE_CLASS, "gu");
const IS_INVISIBLE = new RegExp(`^${INVISIBLE_CLASS}$`, "u");

// Character references that decode to something invisible.
const NAMED_INVISIBLE =
  /&(?:zwj|zwnj|shy|lrm|rlm|ZeroWidthSpace|NegativeVeryThinSpace|NegativeThinSpace|NegativeMediumSpace|NegativeThickSpace|NoBreak|InvisibleTimes|it|InvisibleComma|ic|ApplyFunction|af);/g;
const NUMERIC_REFERENCE = /&#(?:[xX]([0-9A-Fa-f]{1,6})|([0-9]{1,7}));?/g;

// Raw HTML the renderer drops with its content: comments (an unclosed one hides the rest),
// CDATA, declarations and processing instructions.
const HIDDEN_MARKUP =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<![A-Za-z][^>]*>?|<\?[\s\S]*?(?:\?>|$)/g;

const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const TAG =
  /<(\/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;

// Elements whose content is never shown.
const NEVER_RENDERED = new Set([
  "script",
  "style",
  "template",
  "noscript",
  "iframe",
  "object",
  "svg",
  "math",
]);
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "source",
  "track",
  "wbr",
]);
const HIDING_STYLE =
  /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|(?:font-size|opacity|max-height|height|width)\s*:\s*0(?![.\d]*[1-9])|color\s*:\s*transparent)/i;
// Attributes a reader never sees on the page.
const UNSEEN_ATTRIBUTE =
  /^(?:alt|title|aria-label|aria-description|placeholder|data-.*|content|label|summary)$/i;

const MAX_PASSES = 10;

/** Make issue text safe to give the model: only what a person reading the rendered issue could see. */
export function sanitizeIssueText(text: string): string {
  let out = text;
  // Removing one construct can join the pieces of another; repeat until nothing changes.
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = sanitizeOnce(out);
    if (next === out) break;
    out = next;
  }
  return out;
}

function sanitizeOnce(text: string): string {
  let out = text.replace(/\r\n?|[\u2028\u2029\u0085]/g, "\n");
  out = out.replace(NAMED_INVISIBLE, "").replace(NUMERIC_REFERENCE, decodeIfInvisible);
  out = out.replace(INVISIBLE, "");
  out = out.replace(HIDDEN_MARKUP, "");
  out = removeHiddenElements(out);
  out = out.replace(TAG, keepSeenAttributes);
  out = stripMarkdownHiding(out);
  out = out.normalize("NFKC").replace(INVISIBLE, "");
  return out
    .replace(/[ \t]+$/gm, (spaces) => (spaces === "  " ? spaces : ""))
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function decodeIfInvisible(reference: string, hex: string | undefined, decimal: string | undefined): string {
  const code = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
  if (code > 0x10ffff) return reference;
  return code === 0 || IS_INVISIBLE.test(String.fromCodePoint(code)) ? "" : reference;
}

type Attributes = Map<string, string>;

function parseAttributes(source: string): Attributes {
  const attributes: Attributes = new Map();
  for (const match of source.matchAll(ATTRIBUTE)) {
    const [, name = "", double, single, bare] = match;
    attributes.set(name.toLowerCase(), double ?? single ?? bare ?? "");
  }
  return attributes;
}

function isHidden(name: string, attributes: Attributes): boolean {
  if (NEVER_RENDERED.has(name)) return true;
  if (attributes.has("hidden")) return true;
  if (name === "input" && attributes.get("type")?.toLowerCase() === "hidden") return true;
  const style = attributes.get("style");
  return style !== undefined && HIDING_STYLE.test(style);
}

// Remove each hidden element with everything inside it; one left open hides the rest of the text,
// as it would in a browser.
function removeHiddenElements(text: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const open = nextHiddenOpenTag(text, at);
    if (open === undefined) return out + text.slice(at);
    out += text.slice(at, open.index);
    const afterOpen = open.index + open.length;
    if (VOID.has(open.name) || open.selfClosing) {
      at = afterOpen;
      continue;
    }
    const end = matchingClose(text, open.name, afterOpen);
    if (end === undefined) return out;
    at = end;
  }
}

type OpenTag = {
  readonly index: number;
  readonly length: number;
  readonly name: string;
  readonly selfClosing: boolean;
};

function nextHiddenOpenTag(text: string, from: number): OpenTag | undefined {
  TAG.lastIndex = from;
  for (let match = TAG.exec(text); match !== null; match = TAG.exec(text)) {
    const [whole, slash, rawName = "", attributes = "", selfClose] = match;
    const name = rawName.toLowerCase();
    if (slash !== "/" && isHidden(name, parseAttributes(attributes))) {
      return { index: match.index, length: whole.length, name, selfClosing: selfClose === "/" };
    }
  }
  return undefined;
}

// Index just past the close tag matching an element opened before `from`. Nested opens are counted
// from their `<name` alone (a quoted ">" cannot hide one, and over-counting only removes more); a
// trailing "/" does not close a non-void element in HTML, so it counts as an open.
function matchingClose(text: string, name: string, from: number): number | undefined {
  const tag = new RegExp(`<(/?)${name}(?=[\\s/>])`, "gi");
  tag.lastIndex = from;
  let depth = 1;
  for (let match = tag.exec(text); match !== null; match = tag.exec(text)) {
    depth += match[1] === "/" ? -1 : 1;
    if (depth === 0) {
      const close = text.indexOf(">", tag.lastIndex);
      return close < 0 ? undefined : close + 1;
    }
  }
  return undefined;
}

function keepSeenAttributes(
  tag: string,
  slash: string,
  name: string,
  attributes: string,
  selfClose: string,
): string {
  if (slash === "/" || attributes === "") return tag;
  const kept = [...attributes.matchAll(ATTRIBUTE)]
    .filter((match) => !UNSEEN_ATTRIBUTE.test(match[1] ?? ""))
    .map((match) => match[0]);
  return `<${name}${kept.map((attribute) => ` ${attribute}`).join("")}${selfClose === "/" ? " /" : ""}>`;
}

// Link or image text with brackets nested two deep, as CommonMark allows; written without overlapping
// alternatives so a failed match stops at the next bracket (linear time on hostile input).
const BRACKETED_TEXT = String.raw`(?:[^\[\]]|\[(?:[^\[\]]|\[[^\[\]]*\])*\])*`;

// Markdown that renders without showing its text: image alt text, link titles, and link reference
// definitions (a definition shows nothing; one nobody uses, like `[//]: # (note)`, is pure hiding).
function stripMarkdownHiding(text: string): string {
  let out = text.replace(new RegExp(String.raw`!\[${BRACKETED_TEXT}\]\(`, "g"), "![](");
  out = out.replace(
    new RegExp(
      String.raw`(\[${BRACKETED_TEXT}\]\(\s*<?[^\s()<>]*>?)\s+(?:"[^"]*"|'[^']*'|\([^()]*\))\s*\)`,
      "g",
    ),
    "$1)",
  );
  const definition =
    /^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>\n]*>|\S+)?(?:[ \t]*\n?[ \t]*(?:"[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$/gm;
  const body = out.replace(definition, "");
  return out.replace(definition, (_line, label: string, destination: string | undefined) =>
    destination !== undefined && isReferenced(body, label) ? `[${label}]: ${destination}` : "",
  );
}

function isReferenced(body: string, label: string): boolean {
  const wanted = `[${label.trim().toLowerCase()}]`;
  return body.toLowerCase().includes(wanted);
}
