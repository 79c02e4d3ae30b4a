import * as z from "zod";
import type { ScriptBlock, ScriptContext, ScriptReply, ToolOutcome } from "../script.ts";

/** One change to a file: replace a unique string (edit_file) or write the whole file (write_file). */
export const editSchema = z.union([
  z.strictObject({ path: z.string().min(1), oldString: z.string().min(1), newString: z.string() }),
  z.strictObject({ path: z.string().min(1), content: z.string() }),
]);
export type Edit = z.infer<typeof editSchema>;

/** The command a behaviour runs to test its work, unless told otherwise. */
export const defaultTestCommand = ["npm", "test"];

/** A turn that says a line and calls one tool. */
export function call(text: string, name: string, input: Record<string, unknown>): ScriptReply {
  const content: ScriptBlock[] = [
    { type: "text", text },
    { type: "tool_use", name, input },
  ];
  return { kind: "reply", content };
}

/** The tool call that applies an edit. */
export function applyEdit(edit: Edit): ScriptReply {
  return "content" in edit
    ? call(`Writing ${edit.path}.`, "write_file", { path: edit.path, content: edit.content })
    : call(`Editing ${edit.path}.`, "edit_file", {
        path: edit.path,
        old_string: edit.oldString,
        new_string: edit.newString,
      });
}

/** The closing turn: the agent's `finish` tool with a summary. */
export function finish(summary: string): ScriptReply {
  return call("Done.", "finish", { summary });
}

/** The turn after the plan ran out (the client kept the conversation going after finish). */
export const nothingLeft: ScriptReply = {
  kind: "reply",
  content: [{ type: "text", text: "The work is finished; there is nothing more to do." }],
};

/** The last turn's failed file write, if any: behaviours react to a refused edit. */
export function failedWrite(context: ScriptContext): ToolOutcome | undefined {
  return context.lastResults.find((r) => r.isError && (r.name === "write_file" || r.name === "edit_file"));
}

/** The turns that look around, read each file an edit touches, then apply the edits in order. */
export function editTurns(edits: Edit[]): ScriptReply[] {
  const paths = [...new Set(edits.map((e) => e.path))];
  return [
    call("I'll start by looking at the repository layout.", "list_files", {}),
    ...paths.map((path) => call(`Reading ${path}.`, "read_file", { path })),
    ...edits.map(applyEdit),
  ];
}

/** The first line of a tool result, for a summary. */
export function firstLine(text: string): string {
  return text.split("\n", 1)[0]?.slice(0, 200) ?? "";
}

/**
 * Whether a run_command outcome is a passing run: the agent's run_command reports a finished
 * command as a normal result whose first line is `exit code N`; only a command that could not
 * finish is an error result.
 */
export function passed(outcome: ToolOutcome): boolean {
  return !outcome.isError && /^exit code 0$/m.test(firstLine(outcome.result));
}
