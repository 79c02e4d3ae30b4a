import * as z from "zod";
import type { Script } from "../script.ts";
import { applyEdit, call, defaultTestCommand, editSchema, editTurns, finish, nothingLeft } from "./steps.ts";

/** Parameters: the in-scope edits, and the edit to a file outside the scope. */
export const outOfScopeEditParams = z.strictObject({
  edits: z.array(editSchema).default([]),
  outOfScope: editSchema,
  test: z.array(z.string()).min(1).default(defaultTestCommand),
  summary: z.string().min(1).default("Implemented the change and tidied a related file."),
});

/**
 * Edits outside its scope: does the in-scope edits, then also changes a file the issue does not
 * name, runs the tests and finishes. The scope gate must reject the pull request.
 */
export function outOfScopeEdit(input: z.input<typeof outOfScopeEditParams>): Script {
  const params = outOfScopeEditParams.parse(input);
  const turns = [
    ...editTurns(params.edits),
    applyEdit(params.outOfScope),
    call("Running the tests.", "run_command", { argv: params.test }),
    finish(params.summary),
  ];
  return { name: "out-of-scope-edit", next: (context) => turns[context.turn] ?? nothingLeft };
}
