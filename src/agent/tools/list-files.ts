import { statSync } from "node:fs";

import * as z from "zod";
import { resolveWorkspacePath } from "../sandbox/workspace-path.ts";
import { defineTool } from "./tool.ts";
import { walkWorkspace } from "./walk-workspace.ts";

const ListFilesInput = z.strictObject({
  path: z.string().optional().describe("Folder relative to the workspace root (default: the root)."),
});

/** list_files: the files and folders under a workspace folder, recursively, bounded. */
export const listFilesTool = defineTool({
  name: "list_files",
  description:
    "List files and folders under a folder of the workspace, recursively (folders end with /; .git and " +
    "node_modules are shown but not entered; symbolic links end with @ and are not followed).",
  input: ListFilesInput,
  async run(input, sandbox) {
    const target = resolveWorkspacePath(sandbox.root, input.path ?? "");
    if (!statSync(target.real).isDirectory()) throw new Error(`"${input.path}" is a file; use read_file`);
    const max = sandbox.limits.maxListEntries;
    const lines: string[] = [];
    let more = false;
    for (const entry of walkWorkspace(sandbox.root, target.relative)) {
      if (lines.length >= max) {
        more = true;
        break;
      }
      const suffix = entry.kind === "directory" ? "/" : entry.kind === "symlink" ? "@" : "";
      lines.push(entry.relative + suffix);
    }
    if (lines.length === 0) return `${target.relative || "."} is empty`;
    if (more) lines.push(`[… more entries not shown (limit ${max}); list a subfolder to see them]`);
    return lines.join("\n");
  },
});
