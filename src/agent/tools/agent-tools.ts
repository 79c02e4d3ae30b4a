import type { Sandbox } from "../sandbox/sandbox.ts";
import { editFileTool } from "./edit-file.ts";
import { finishTool } from "./finish.ts";
import { listFilesTool } from "./list-files.ts";
import { readFileTool } from "./read-file.ts";
import { runCommandTool } from "./run-command.ts";
import { searchTextTool } from "./search-text.ts";
import type { AgentTool, ToolResult } from "./tool.ts";
import { writeFileTool } from "./write-file.ts";

/** Every tool the model gets, in the order it sees them. */
export const AGENT_TOOLS: readonly AgentTool[] = [
  listFilesTool,
  readFileTool,
  searchTextTool,
  writeFileTool,
  editFileTool,
  runCommandTool,
  finishTool,
];

const BY_NAME = new Map(AGENT_TOOLS.map((tool) => [tool.name, tool]));

/** Run the tool the model named; an unknown name is an error result, never a throw. */
export async function executeTool(name: string, input: unknown, sandbox: Sandbox): Promise<ToolResult> {
  const tool = BY_NAME.get(name);
  if (tool === undefined) {
    return {
      status: "error",
      content: `unknown tool "${name.slice(0, 100)}"; the tools are ${[...BY_NAME.keys()].join(", ")}`,
    };
  }
  return tool.execute(input, sandbox);
}
