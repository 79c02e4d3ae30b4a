import type Anthropic from "@anthropic-ai/sdk";

// The tools the agent offers, as the agent declares them to the Messages API.
const string = { type: "string" } as const;

/** The seven agent tools with their input schemas. */
export const agentTools: Anthropic.Tool[] = [
  {
    name: "list_files",
    description: "List files",
    input_schema: { type: "object", properties: { path: string } },
  },
  {
    name: "read_file",
    description: "Read a file",
    input_schema: {
      type: "object",
      properties: { path: string, start_line: { type: "integer" }, end_line: { type: "integer" } },
      required: ["path"],
    },
  },
  {
    name: "search_text",
    description: "Search text",
    input_schema: { type: "object", properties: { pattern: string, path: string }, required: ["pattern"] },
  },
  {
    name: "write_file",
    description: "Write a file",
    input_schema: {
      type: "object",
      properties: { path: string, content: string },
      required: ["path", "content"],
    },
  },
  {
    name: "edit_file",
    description: "Replace a unique string in a file",
    input_schema: {
      type: "object",
      properties: { path: string, old_string: string, new_string: string },
      required: ["path", "old_string", "new_string"],
    },
  },
  {
    name: "run_command",
    description: "Run a command",
    input_schema: {
      type: "object",
      properties: { argv: { type: "array", items: string } },
      required: ["argv"],
    },
  },
  {
    name: "finish",
    description: "Finish the task",
    input_schema: { type: "object", properties: { summary: string }, required: ["summary"] },
  },
];
