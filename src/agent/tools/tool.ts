import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import * as z from "zod";
import type { Sandbox } from "../sandbox/sandbox.ts";
import { SandboxRefusal, type RefusalEvent } from "../sandbox/refusal.ts";

/**
 * A tool call's outcome. `error` becomes an `is_error: true` tool result; `finished` ends the loop.
 * Every `content` is redacted and bounded before it is returned.
 */
export type ToolResult =
  | { readonly status: "ok"; readonly content: string }
  | { readonly status: "error"; readonly content: string; readonly refusal?: RefusalEvent }
  | { readonly status: "finished"; readonly content: string; readonly summary: string };

/** A tool as the agent loop sees it: what the model is told of it, and its execution. */
export type AgentTool = {
  readonly name: string;
  readonly description: string;
  /** The input the tool takes; the model is sent it as JSON Schema (`toolDefinition`). */
  readonly input: z.ZodObject;
  /** Validate `input` against the tool's schema, run it inside the sandbox, never throw. */
  readonly execute: (input: unknown, sandbox: Sandbox) => Promise<ToolResult>;
};

/** A tool's parts: one zod schema gives both the JSON Schema the model sees and the validation. */
export type ToolSpec<S extends z.ZodObject> = {
  readonly name: string;
  readonly description: string;
  readonly input: S;
  /** Runs on validated input; returns the result text, or a ToolResult; throws to fail. */
  readonly run: (input: z.infer<S>, sandbox: Sandbox) => Promise<string | ToolResult>;
};

const MAX_LOGGED_STRING = 1_000;

/** Build a tool from its spec, with validation, refusal events, redaction and bounded results. */
export function defineTool<S extends z.ZodObject>(spec: ToolSpec<S>): AgentTool {
  return {
    name: spec.name,
    description: spec.description,
    input: spec.input,
    async execute(input, sandbox) {
      const parsed = spec.input.safeParse(input);
      if (!parsed.success) {
        return bounded(sandbox, {
          status: "error",
          content: `invalid input for ${spec.name}:\n${z.prettifyError(parsed.error)}`,
        });
      }
      try {
        const result = await spec.run(parsed.data, sandbox);
        return bounded(sandbox, typeof result === "string" ? { status: "ok", content: result } : result);
      } catch (error) {
        if (error instanceof SandboxRefusal) {
          const refusal: RefusalEvent = {
            tool: spec.name,
            input: redactDeep(input, sandbox),
            rule: error.rule,
            message: sandbox.redact(error.message),
          };
          sandbox.onRefusal(refusal);
          return bounded(sandbox, {
            status: "error",
            content: `refused (${error.rule}): ${error.message}`,
            refusal,
          });
        }
        return bounded(sandbox, {
          status: "error",
          content: `${spec.name} failed: ${describeError(error, sandbox)}`,
        });
      }
    },
  };
}

/** A tool's definition for a Messages API request, its input schema turned into JSON Schema. */
export function toolDefinition(tool: AgentTool): Tool {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(tool.input, { io: "input" });
  return { name: tool.name, description: tool.description, input_schema: { ...schema, type: "object" } };
}

function bounded(sandbox: Sandbox, result: ToolResult): ToolResult {
  const content = truncate(sandbox.redact(result.content), sandbox.limits.maxResultChars);
  if (result.status === "finished") return { ...result, content, summary: sandbox.redact(result.summary) };
  return { ...result, content };
}

/** Cut `text` to `max` characters, saying how much was left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[… truncated: ${text.length - max} more characters not shown]`;
}

function redactDeep(value: unknown, sandbox: Sandbox): unknown {
  if (typeof value === "string") return truncate(sandbox.redact(value), MAX_LOGGED_STRING);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, sandbox));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, sandbox)]));
  }
  return value;
}

// Node's file errors name the absolute path on the runner; the model only knows workspace paths.
function describeError(error: unknown, sandbox: Sandbox): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    ENOENT: "no such file or directory",
    EISDIR: "is a directory, not a file",
    ENOTDIR: "a parent of the path is not a directory",
    EEXIST: "already exists",
    EACCES: "permission denied",
    ELOOP: "the path is a symbolic link, or a loop of them",
  };
  if (code !== undefined && known[code] !== undefined) return known[code];
  return error.message.replaceAll(`${sandbox.root}/`, "");
}
