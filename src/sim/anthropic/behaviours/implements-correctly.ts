import * as z from "zod";
import type { Script } from "../script.ts";
import {
  call,
  defaultTestCommand,
  editSchema,
  editTurns,
  failedWrite,
  finish,
  firstLine,
  nothingLeft,
  passed,
} from "./steps.ts";

/** Parameters: the edits that implement the issue, the test command, the closing summary. */
export const implementsCorrectlyParams = z.strictObject({
  edits: z.array(editSchema).min(1),
  test: z.array(z.string()).min(1).default(defaultTestCommand),
  summary: z.string().min(1).default("Implemented the change described in the issue."),
});

/**
 * Implements the issue: lists files, reads each file it will touch, applies the edits, runs the
 * tests and finishes, reporting honestly whether the tests passed. A refused edit ends the run
 * with that failure in the summary.
 */
export function implementsCorrectly(input: z.input<typeof implementsCorrectlyParams>): Script {
  const params = implementsCorrectlyParams.parse(input);
  const turns = [
    ...editTurns(params.edits),
    call("Running the tests.", "run_command", { argv: params.test }),
  ];
  return {
    name: "implements-correctly",
    next(context) {
      const refused = failedWrite(context);
      if (refused)
        return finish(`Could not change ${String(refused.input.path)}: ${firstLine(refused.result)}`);
      const planned = turns[context.turn];
      if (planned) return planned;
      if (context.turn === turns.length) {
        const test = context.lastResults.find((r) => r.name === "run_command");
        const outcome =
          test && passed(test)
            ? "The tests pass."
            : `The tests fail: ${firstLine(test?.result ?? "no result")}`;
        return finish(`${params.summary} ${outcome}`);
      }
      return nothingLeft;
    },
  };
}
