import * as z from "zod";
import { resolveWritablePath, writeNoFollow } from "./writable-path.ts";
import { defineTool } from "./tool.ts";

const WriteFileInput = z.strictObject({
  path: z.string().min(1).describe("File path relative to the workspace root; parent folders are created."),
  content: z.string().describe("The whole new content of the file."),
});

/** write_file: create or replace a file inside the job's scope. */
export const writeFileTool = defineTool({
  name: "write_file",
  description:
    "Create a file or replace its whole content. Only paths inside this job's file scope may be written; " +
    "protected paths never. Prefer edit_file to change part of an existing file.",
  input: WriteFileInput,
  async run(input, sandbox) {
    const target = resolveWritablePath(sandbox, input.path);
    const created = writeNoFollow(target.real, input.content);
    return `${created ? "created" : "replaced"} ${target.relative} (${Buffer.byteLength(input.content)} bytes)`;
  },
});
