import * as z from "zod";
import type { Script } from "../script.ts";
import { call, defaultTestCommand, editSchema, editTurns, finish, nothingLeft } from "./steps.ts";

/** Parameters: edits that break one of the repository's tests, and the test command. */
export const breaksATestParams = z.strictObject({
  edits: z.array(editSchema).min(1),
  test: z.array(z.string()).min(1).default(defaultTestCommand),
  summary: z.string().min(1).default("Implemented the change described in the issue."),
});

/**
 * Breaks a test: applies edits that make the suite fail, runs the tests, ignores the failure and
 * finishes claiming success. The gates, not the agent, must catch it.
 */
export function breaksATest(input: z.input<typeof breaksATestParams>): Script {
  const params = breaksATestParams.parse(input);
  const turns = [
    ...editTurns(params.edits),
    call("Running the tests.", "run_command", { argv: params.test }),
    finish(params.summary),
  ];
  return { name: "breaks-a-test", next: (context) => turns[context.turn] ?? nothingLeft };
}
