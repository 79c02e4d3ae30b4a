import { readFileSync, statSync } from "node:fs";
import * as z from "zod";
import { resolveWritablePath, writeNoFollow } from "./writable-path.ts";
import { defineTool } from "./tool.ts";

const EditFileInput = z.strictObject({
  path: z.string().min(1).describe("File path relative to the workspace root."),
  old_string: z.string().min(1).describe("Exact text to replace; it must occur exactly once in the file."),
  new_string: z.string().describe("Text to put in its place."),
});

/** edit_file: replace one exact, unique occurrence of a string in a file inside the job's scope. */
export const editFileTool = defineTool({
  name: "edit_file",
  description:
    "Replace old_string with new_string in a file. old_string must match the file exactly (whitespace included, " +
    "without read_file's line-number prefixes) and occur exactly once; add surrounding lines to make it unique.",
  input: EditFileInput,
  async run(input, sandbox) {
    if (input.old_string === input.new_string)
      throw new Error("old_string and new_string are the same; nothing to change");
    const target = resolveWritablePath(sandbox, input.path);
    const { size } = statSync(target.real);
    if (size > sandbox.limits.maxFileBytes) {
      throw new Error(
        `${target.relative} is ${size} bytes, over the ${sandbox.limits.maxFileBytes}-byte limit`,
      );
    }
    const text = readFileSync(target.real, "utf8");
    const matches = countOccurrences(text, input.old_string);
    if (matches === 0) throw new Error(`old_string was not found in ${target.relative}`);
    if (matches > 1) {
      throw new Error(
        `old_string matches ${matches} times in ${target.relative}; include more surrounding text so it matches once`,
      );
    }
    const at = text.indexOf(input.old_string);
    // Concatenation, not String.replace: "$&" and friends in new_string must stay literal.
    const edited = text.slice(0, at) + input.new_string + text.slice(at + input.old_string.length);
    writeNoFollow(target.real, edited);
    const line = text.slice(0, at).split("\n").length;
    return `edited ${target.relative} at line ${line}`;
  },
});

/** Non-overlapping occurrences of `needle` in `haystack`. */
export function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}
