import { readFileSync, statSync } from "node:fs";
import * as z from "zod";
import { resolveWorkspacePath } from "../sandbox/workspace-path.ts";
import { defineTool } from "./tool.ts";

const MAX_LINES = 2_000;

const ReadFileInput = z.strictObject({
  path: z.string().min(1).describe("File path relative to the workspace root."),
  start_line: z.int().min(1).optional().describe("First line to show, 1-based (default 1)."),
  end_line: z.int().min(1).optional().describe("Last line to show, inclusive (default: end of file)."),
});

/** read_file: a workspace file with line numbers, a range of lines at a time. */
export const readFileTool = defineTool({
  name: "read_file",
  description:
    `Read a text file in the workspace. Lines are prefixed with their number and a tab (not part of the file). ` +
    `At most ${MAX_LINES} lines per call; use start_line and end_line to read a long file in parts.`,
  input: ReadFileInput,
  async run(input, sandbox) {
    const target = resolveWorkspacePath(sandbox.root, input.path);
    const info = statSync(target.real);
    if (info.isDirectory()) throw new Error(`"${input.path}" is a directory; use list_files`);
    if (info.size > sandbox.limits.maxFileBytes) {
      throw new Error(
        `"${input.path}" is ${info.size} bytes, over the ${sandbox.limits.maxFileBytes}-byte limit`,
      );
    }
    const bytes = readFileSync(target.real);
    if (bytes.subarray(0, 8_000).includes(0))
      return `"${input.path}" is a binary file (${bytes.length} bytes); not shown`;
    const lines = bytes.toString("utf8").split("\n");
    if (lines.at(-1) === "") lines.pop();
    const start = input.start_line ?? 1;
    if (lines.length === 0) return `"${input.path}" is empty`;
    if (start > lines.length)
      throw new Error(`start_line ${start} is past the end of "${input.path}" (${lines.length} lines)`);
    const requestedEnd = Math.min(input.end_line ?? lines.length, lines.length);
    if (requestedEnd < start) throw new Error(`end_line ${requestedEnd} is before start_line ${start}`);
    // Stop at the line cap or before the result would be cut, so the note on where to read on survives.
    const lastAllowed = Math.min(requestedEnd, start + MAX_LINES - 1);
    const width = String(lastAllowed).length;
    const budget = sandbox.limits.maxResultChars - 200;
    const shown: string[] = [];
    let size = 0;
    for (let number = start; number <= lastAllowed; number++) {
      const line = `${String(number).padStart(width)}\t${lines[number - 1] ?? ""}`;
      if (shown.length > 0 && size + line.length + 1 > budget) break;
      shown.push(line);
      size += line.length + 1;
    }
    const end = start + shown.length - 1;
    const note =
      end < requestedEnd
        ? `\n[… ${requestedEnd - end} more lines; read on with start_line=${end + 1}]`
        : end < lines.length
          ? `\n[file has ${lines.length} lines]`
          : "";
    return shown.join("\n") + note;
  },
});
