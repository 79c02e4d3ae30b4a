import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import { AGENT_TOOLS } from "./agent-tools.ts";
import { toolDefinition } from "./tool.ts";

// What the model is told of the tools: JSON Schemas generated from their zod schemas. The action's
// build replaces this module with its value (scripts/build-action.ts), so the action does not
// generate them at every start.

/** The tool definitions to send in a Messages API request. */
export const AGENT_TOOL_DEFINITIONS: readonly Tool[] = AGENT_TOOLS.map(toolDefinition);
