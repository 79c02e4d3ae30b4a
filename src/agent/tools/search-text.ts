import { readFileSync, statSync } from "node:fs";

import path from "node:path";
import * as z from "zod";
import { resolveWorkspacePath } from "../sandbox/workspace-path.ts";
import { defineTool } from "./tool.ts";
import { walkWorkspace } from "./walk-workspace.ts";

const MAX_LINE_CHARS = 300;

const SearchTextInput = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .describe(
      "A JavaScript regular expression; text that is not a valid expression is searched as plain text.",
    ),
  path: z
    .string()
    .optional()
    .describe("File or folder to search, relative to the workspace root (default: all)."),
});

// A group that contains a quantifier and is itself quantified, e.g. (a+)+ or (\w*x)*: the shape of
// catastrophic backtracking, which would stall the job since the search runs in-process.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

/** search_text: lines matching a pattern across workspace files, bounded. */
export const searchTextTool = defineTool({
  name: "search_text",
  description:
    "Search workspace text files for a regular expression (or plain text) and list matching lines as " +
    "path:line: text. Skips .git, node_modules and binary files.",
  input: SearchTextInput,
  async run(input, sandbox) {
    const target = resolveWorkspacePath(sandbox.root, input.path ?? "");
    const matcher = compile(input.pattern);
    const max = sandbox.limits.maxSearchMatches;
    const files = statSync(target.real).isDirectory()
      ? filesUnder(sandbox.root, target.relative)
      : single(target.relative);
    const lines: string[] = [];
    let more = false;
    let skipped = 0;
    search: for (const relative of files) {
      // Synchronous reads: the loop runs one tool at a time, and for many small files a thread-pool
      // round trip per read costs more than the read.
      const file = path.join(sandbox.root, relative);
      if (statSync(file).size > sandbox.limits.maxFileBytes) {
        skipped++;
        continue;
      }
      const bytes = readFileSync(file);
      if (bytes.subarray(0, 8_000).includes(0)) continue;
      const text = bytes.toString("utf8").split("\n");
      for (const [index, line] of text.entries()) {
        if (!matcher.test(line)) continue;
        if (lines.length >= max) {
          more = true;
          break search;
        }
        const shown = line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line;
        lines.push(`${relative}:${index + 1}: ${shown}`);
      }
    }
    const header = matcher.plain ? `(not a valid regular expression; searched as plain text)\n` : "";
    const notes = [
      more ? `[… more matches not shown (limit ${max}); narrow the pattern or the path]` : "",
      skipped > 0 ? `[${skipped} files over ${sandbox.limits.maxFileBytes} bytes not searched]` : "",
    ].filter((note) => note !== "");
    if (lines.length === 0) return `${header}no matches${notes.length > 0 ? `\n${notes.join("\n")}` : ""}`;
    return header + [...lines, ...notes].join("\n");
  },
});

type Matcher = { readonly test: (line: string) => boolean; readonly plain: boolean };

function compile(pattern: string): Matcher {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return { test: (line) => line.includes(pattern), plain: true };
  }
  if (NESTED_QUANTIFIER.test(pattern)) {
    throw new Error(
      "the pattern has a quantified group containing a quantifier (like (a+)+), which can take exponential time; simplify it",
    );
  }
  return { test: (line) => regex.test(line), plain: false };
}

function* filesUnder(root: string, start: string): Generator<string> {
  for (const entry of walkWorkspace(root, start)) if (entry.kind === "file") yield entry.relative;
}

function* single(relative: string): Generator<string> {
  yield relative;
}
