import * as z from "zod";
import { modelIdSchema } from "./config/fields.ts";
import { agentNameSchema, githubUserSchema, sessionIdSchema, taskIdSchema } from "./job.ts";
import type { GithubUser, Job } from "./job.ts";

// Commit trailers as git reads them (`git interpret-trailers --parse`, git's trailer.c), so what
// we write and what we read agree with git, GitHub and anyone auditing with plain git.

/** One `Key: value` trailer, continuation lines unfolded into one value. */
export interface Trailer {
  key: string;
  value: string;
}

const COMMENT = "#";
const SCISSORS = `${COMMENT} ------------------------ >8 ------------------------`;
/** Trailers git itself writes; one of them lets a block with other lines count as trailers. */
const GIT_GENERATED_PREFIXES = ["Signed-off-by: ", "(cherry picked from commit "];

/**
 * The trailers of a commit message, in order, as `git interpret-trailers --parse` finds them:
 * the last paragraph (not the title paragraph) if it is all trailers, or at least a quarter
 * trailers with one git-generated (`Signed-off-by`); a patch after a `---` line, trailing comment
 * lines, a scissors line and an old `Conflicts:` block are ignored.
 */
export function parseTrailers(message: string): Trailer[] {
  const end = trailerEnd(message);
  const start = trailerStart(message, end);
  // Join each trailer with its folded continuation lines first, as git does, then split and unfold.
  const joined: string[] = [];
  let joinable = false;
  for (const line of splitLines(message.slice(start, end))) {
    // git splits keeping each line's newline, so an empty line also "starts with whitespace".
    if (joinable && (line === "" || isSpace(line[0]))) {
      joined[joined.length - 1] += `\n${line}`;
      continue;
    }
    joined.push(line);
    joinable = findSeparator(line) >= 1;
  }
  const trailers: Trailer[] = [];
  for (const entry of joined) {
    const separator = findSeparator(entry);
    if (separator >= 1 && entry[0] !== COMMENT)
      trailers.push({
        key: trim(entry.slice(0, separator)),
        value: unfold(trim(entry.slice(separator + 1))),
      });
  }
  return trailers;
}

/** Where the message proper ends: before a patch, a scissors line and trailing comments or blanks. */
function trailerEnd(message: string): number {
  let end = message.length;
  for (const { start, text } of lineStarts(message)) {
    // Current git requires a space or the end of the line after `---`; older git (2.39) took any
    // line starting with `---`. `formatCommitMessage` refuses both, so our commits read the same.
    if (text.startsWith("---") && (text.length === 3 || isSpace(text[3]))) {
      end = start;
      break;
    }
  }
  return end - ignoredTail(message.slice(0, end));
}

/** Length of the tail git ignores: comment and empty lines, a scissors cut, a `Conflicts:` block. */
function ignoredTail(text: string): number {
  let cutoff = text.length;
  if (text.startsWith(`${SCISSORS}\n`)) cutoff = 0;
  else {
    const at = text.indexOf(`\n${SCISSORS}\n`);
    if (at >= 0) cutoff = at + 1;
  }
  let boc = 0; // beginning of the current run of ignorable lines; 0 means none (as in git)
  let inConflicts = false;
  for (const { start, text: line } of lineStarts(text)) {
    if (start >= cutoff) break;
    if (line.startsWith(COMMENT) || line === "") {
      if (boc === 0) boc = start;
    } else if (line === "Conflicts:" && text[start + line.length] === "\n") {
      inConflicts = true;
      if (boc === 0) boc = start;
    } else if (inConflicts && line.startsWith("\t")) {
      // a path inside the old conflicts block
    } else if (boc !== 0) {
      boc = 0;
      inConflicts = false;
    }
  }
  return boc !== 0 ? text.length - boc : text.length - cutoff;
}

/** Where the trailer block starts, or `end` when the message has none. */
function trailerStart(message: string, end: number): number {
  const lines = lineStarts(message.slice(0, end));
  // The first paragraph is the title and never holds trailers.
  let endOfTitle = end;
  for (const { start, text } of lines) {
    if (text.startsWith(COMMENT)) continue;
    if (isBlank(text)) {
      endOfTitle = start;
      break;
    }
  }
  let onlySpaces = true;
  let recognizedPrefix = false;
  let trailerLines = 0;
  let nonTrailerLines = 0;
  // Indented lines count with the trailer above them, or as non-trailers if a non-trailer is above.
  let possibleContinuations = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const { start, text } = lines[i] ?? { start: 0, text: "" };
    if (start < endOfTitle) break;
    if (text.startsWith(COMMENT)) {
      nonTrailerLines += possibleContinuations;
      possibleContinuations = 0;
      continue;
    }
    if (isBlank(text)) {
      if (onlySpaces) continue;
      nonTrailerLines += possibleContinuations;
      const next = start + text.length + 1;
      if (recognizedPrefix && trailerLines * 3 >= nonTrailerLines) return next;
      if (trailerLines > 0 && nonTrailerLines === 0) return next;
      return end;
    }
    onlySpaces = false;
    if (GIT_GENERATED_PREFIXES.some((prefix) => text.startsWith(prefix))) {
      trailerLines++;
      possibleContinuations = 0;
      recognizedPrefix = true;
      continue;
    }
    if (findSeparator(text) >= 1 && !isSpace(text[0])) {
      trailerLines++;
      possibleContinuations = 0;
    } else if (isSpace(text[0])) possibleContinuations++;
    else {
      nonTrailerLines += 1 + possibleContinuations;
      possibleContinuations = 0;
    }
  }
  return end;
}

/**
 * Position of the `:` in `<token><spaces or tabs>:`, where the token is ASCII letters, digits and
 * hyphens; -1 when the line is not of that form. (git allows whitespace before the separator.)
 */
function findSeparator(line: string): number {
  let whitespaceFound = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? "";
    if (c === ":") return i;
    if (!whitespaceFound && /^[A-Za-z0-9-]$/.test(c)) continue;
    if (i > 0 && (c === " " || c === "\t")) {
      whitespaceFound = true;
      continue;
    }
    break;
  }
  return -1;
}

/** Lines of `text` with their offsets; a final newline ends the last line rather than starting one. */
function lineStarts(text: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf("\n", start);
    const stop = nl < 0 ? text.length : nl;
    out.push({ start, text: text.slice(start, stop) });
    start = stop + 1;
  }
  return out;
}

function splitLines(text: string): string[] {
  return lineStarts(text).map((line) => line.text);
}

// C's isspace in the "C" locale, which is what git uses.
const SPACE = new Set([" ", "\t", "\n", "\v", "\f", "\r"]);
function isSpace(c: string | undefined): boolean {
  return c !== undefined && SPACE.has(c);
}
function isBlank(line: string): boolean {
  return [...line].every((c) => SPACE.has(c));
}
function trim(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && isSpace(text[a])) a++;
  while (b > a && isSpace(text[b - 1])) b--;
  return text.slice(a, b);
}
function unfold(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    if (value[i] === "\n") {
      while (i + 1 < value.length && isSpace(value[i + 1])) i++;
      out += " ";
    } else out += value[i];
  }
  return trim(out);
}

/** The Swarm trailer keys, in the order commits carry them. */
export const SWARM_TRAILER_KEYS = [
  "Swarm-Agent",
  "Swarm-Task",
  "Swarm-Model",
  "Swarm-Session",
  "Swarm-Attempt",
] as const;

/** The Swarm trailer set every agent commit carries. */
export const swarmTrailersSchema = z.strictObject({
  "Swarm-Agent": agentNameSchema,
  "Swarm-Task": taskIdSchema,
  "Swarm-Model": modelIdSchema,
  "Swarm-Session": sessionIdSchema,
  "Swarm-Attempt": z.coerce
    .number<string>({ error: "a whole number ≥ 1" })
    .pipe(z.int({ error: "a whole number ≥ 1" }).min(1, { error: "a whole number ≥ 1" })),
});
/** The typed Swarm trailer set of one commit. */
export type SwarmTrailers = z.infer<typeof swarmTrailersSchema>;
/** The Swarm trailer set as values to write; the attempt may be given as a number. */
export type SwarmTrailersInput = Omit<SwarmTrailers, "Swarm-Attempt"> & { "Swarm-Attempt": number };

/** The Swarm trailers of a commit, or every reason they are missing or wrong. */
export type SwarmTrailersResult = { ok: true; trailers: SwarmTrailers } | { ok: false; problems: string[] };

/** Reads the Swarm trailer set from a commit message; keys match case-insensitively, as in git. */
export function parseSwarmTrailers(message: string): SwarmTrailersResult {
  const found = parseTrailers(message);
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const key of SWARM_TRAILER_KEYS) {
    const matches = found.filter((t) => t.key.toLowerCase() === key.toLowerCase());
    if (matches.length === 0) problems.push(`${key} is missing from the trailer block`);
    else if (matches.length > 1)
      problems.push(`${key} appears ${matches.length} times; a commit carries one`);
    else values[key] = matches[0]?.value ?? "";
  }
  const result = swarmTrailersSchema.partial().safeParse(values);
  if (!result.success)
    for (const issue of result.error.issues) {
      const key = String(issue.path[0]);
      problems.push(`${key}: expected ${issue.message}, found ${JSON.stringify(values[key] ?? "")}`);
    }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, trailers: swarmTrailersSchema.parse(values) };
}

/** The Swarm trailers of a job's commits. */
export function trailersOf(
  job: Pick<Job, "agent" | "taskId" | "model" | "sessionId" | "attempt">,
): SwarmTrailersInput {
  return {
    "Swarm-Agent": job.agent,
    "Swarm-Task": job.taskId,
    "Swarm-Model": job.model.id,
    "Swarm-Session": job.sessionId,
    "Swarm-Attempt": job.attempt,
  };
}

/** The `Co-authored-by` value GitHub links to an account: `login <ID+login@users.noreply.github.com>`. */
export function coAuthor(user: GithubUser): string {
  return `${user.login} <${user.id}+${user.login}@users.noreply.github.com>`;
}

/** Why `formatCommitMessage` refused a message. */
export class CommitMessageError extends Error {
  override name = "CommitMessageError";
}

/**
 * The commit message `message` with the Swarm trailers (and `Co-authored-by` for `coAuthoredBy`)
 * added the way `git interpret-trailers --trailer` adds them: appended to an existing trailer block
 * (so a `Signed-off-by` stays in the block), or as a new paragraph. Throws a `CommitMessageError`
 * when the result would not read back as the same trailers.
 */
export function formatCommitMessage(
  message: string,
  trailers: SwarmTrailersInput,
  coAuthoredBy?: GithubUser,
): string {
  const checked = swarmTrailersSchema.safeParse({
    ...trailers,
    "Swarm-Attempt": String(trailers["Swarm-Attempt"]),
  });
  if (!checked.success)
    throw new CommitMessageError(`invalid Swarm trailers: ${z.prettifyError(checked.error)}`);
  const body = message.replace(/\s+$/, "");
  if (trim(body) === "") throw new CommitMessageError("the commit message is empty");
  const divider = splitLines(body).find((line) => line.startsWith("---"));
  if (divider !== undefined)
    throw new CommitMessageError(
      `the message has a line starting with "---" (${JSON.stringify(divider.slice(0, 40))}), which git reads as the start of a patch; reword it`,
    );
  const existing = parseTrailers(body);
  for (const key of SWARM_TRAILER_KEYS)
    if (existing.some((t) => t.key.toLowerCase() === key.toLowerCase()))
      throw new CommitMessageError(
        `the message already has a ${key} trailer; only the agent's runtime writes them`,
      );
  const lines = SWARM_TRAILER_KEYS.map((key) => `${key}: ${checked.data[key]}`);
  if (coAuthoredBy !== undefined)
    lines.push(`Co-authored-by: ${coAuthor(githubUserSchema.parse(coAuthoredBy))}`);
  const joiner = existing.length > 0 ? "\n" : "\n\n";
  const result = `${body}${joiner}${lines.join("\n")}\n`;
  const expected = [...existing, ...lines.map((line) => parseLine(line))];
  const actual = parseTrailers(result);
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new CommitMessageError(
      "the message's last paragraph would not read back as the trailers added; reword it",
    );
  return result;
}

function parseLine(line: string): Trailer {
  const at = line.indexOf(":");
  return { key: line.slice(0, at), value: line.slice(at + 1).trim() };
}
