// A CODEOWNERS file as GitHub reads it (docs.github.com, "About code owners"): one rule a line,
// a gitignore-style pattern then owners; `#` starts a comment; the last matching rule wins; a rule
// without owners leaves its paths unowned. Unlike gitignore, `!` negation and `[ ]` ranges are not
// supported and `\#` does not escape a comment. GitHub skips a line it cannot parse (and flags the
// file as containing errors); so does this parser, and it says which line and why.

/** One CODEOWNERS rule. */
export interface CodeownersRule {
  pattern: string;
  /** GitHub logins, `org/team` names (without the `@`) and e-mail addresses, in file order. */
  owners: string[];
  /** 1-based line in the file. */
  line: number;
  matches: (path: string) => boolean;
}

/** A parsed CODEOWNERS file: its rules in file order and the lines that were skipped. */
export interface Codeowners {
  rules: CodeownersRule[];
  errors: { line: number; message: string }[];
}

const HANDLE = /^@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?)$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Parses the text of a CODEOWNERS file; never throws. */
export function parseCodeowners(text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const errors: Codeowners["errors"] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = index + 1;
    // GitHub reads `\#` at the start of a line as a comment too: the escape is not supported.
    if (/^[ \t]*\\?#/.test(raw)) return;
    const tokens = splitTokens(raw);
    const [pattern, ...rest] = tokens;
    if (pattern === undefined) return;
    const owners: string[] = [];
    for (const token of rest) {
      const handle = HANDLE.exec(token);
      if (handle?.[1]) owners.push(handle[1]);
      else if (EMAIL.test(token)) owners.push(token);
      else
        return void errors.push({ line, message: `"${token}" is not an @user, @org/team or e-mail address` });
    }
    const regex = patternRegex(pattern);
    if (regex === undefined)
      return void errors.push({ line, message: `"${pattern}" is not a pattern GitHub supports` });
    rules.push({ pattern, owners, line, matches: (path) => regex.test(path) });
  });
  return { rules, errors };
}

/** The owners of a path: those of the last rule matching it, or none. */
export function ownersOf(codeowners: Codeowners, path: string): string[] {
  for (let i = codeowners.rules.length - 1; i >= 0; i--) {
    const rule = codeowners.rules[i];
    if (rule?.matches(path)) return rule.owners;
  }
  return [];
}

/** Splits a line on unescaped blanks, dropping a comment that starts a token. */
function splitTokens(line: string): string[] {
  const tokens: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (c === "\\" && i + 1 < line.length) {
      current += c + (line[i + 1] ?? "");
      i++;
    } else if (c === " " || c === "\t") {
      if (current !== "") tokens.push(current);
      current = "";
    } else if (c === "#" && current === "") {
      break;
    } else {
      current += c;
    }
  }
  if (current !== "") tokens.push(current);
  return tokens;
}

/**
 * Turns a gitignore-style pattern into a regular expression over repository paths: a leading or
 * inner `/` anchors it at the root, otherwise it matches at any depth; a trailing `/` matches a
 * directory's contents only.
 */
function patternRegex(pattern: string): RegExp | undefined {
  if (pattern.startsWith("!") || /\[.*\]/.test(pattern)) return undefined;
  const dirOnly = pattern.endsWith("/") && !pattern.endsWith("\\/");
  let body = pattern.replace(/^\//, "");
  if (dirOnly) body = body.slice(0, -1);
  if (body === "") return undefined;
  const anchored = pattern.startsWith("/") || body.includes("/");
  let source = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? "";
    const atSegmentStart = i === 0 || body[i - 1] === "/";
    if (c === "\\") {
      source += escape(body[i + 1] ?? "\\");
      i++;
    } else if (
      c === "*" &&
      body[i + 1] === "*" &&
      atSegmentStart &&
      (i + 2 === body.length || body[i + 2] === "/")
    ) {
      // `**/` matches zero or more directories; a final `/**` everything inside.
      if (i + 2 === body.length) source += ".*";
      else source += "(?:.*/)?";
      i += 2;
    } else if (c === "*") {
      while (body[i + 1] === "*") i++;
      source += "[^/]*";
    } else if (c === "?") {
      source += "[^/]";
    } else {
      source += escape(c);
    }
  }
  const prefix = anchored ? "" : "(?:.*/)?";
  // A plain name owns the directory of that name too; a wildcard in the last segment does not
  // reach below it (GitHub: `docs/*` owns docs/getting-started.md, not docs/build-app/…).
  const lastSegment = body.slice(body.lastIndexOf("/") + 1);
  const suffix = dirOnly ? "/.*" : /[*?]/.test(lastSegment) ? "" : "(?:/.*)?";
  return new RegExp(`^${prefix}${source}${suffix}$`, "s");
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
