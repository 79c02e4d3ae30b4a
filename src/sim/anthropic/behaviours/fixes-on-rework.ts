import * as z from "zod";
import type { Script } from "../script.ts";
import { breaksATest } from "./breaks-a-test.ts";
import { implementsCorrectly } from "./implements-correctly.ts";
import { defaultTestCommand, editSchema } from "./steps.ts";

/** Parameters: the first attempt's breaking edits, the rework's fixing edits, the test command. */
export const fixesOnReworkParams = z.strictObject({
  edits: z.array(editSchema).min(1),
  fix: z.array(editSchema).min(1),
  test: z.array(z.string()).min(1).default(defaultTestCommand),
  summary: z.string().min(1).default("Implemented the change described in the issue."),
});

// The agent's task message opens a section with this heading when the gates turned the work back.
const REWORK_HEADING = /^## Rework \(attempt \d+\)$/m;

/**
 * Learns from a rejection: the first attempt breaks a test and finishes anyway (as breaks-a-test);
 * a rework attempt, whose task message carries the gates' findings, applies the fixing edits on
 * top of the earlier work, runs the tests and finishes honestly (as implements-correctly).
 */
export function fixesOnRework(input: z.input<typeof fixesOnReworkParams>): Script {
  const params = fixesOnReworkParams.parse(input);
  const first = breaksATest({ edits: params.edits, test: params.test, summary: params.summary });
  const rework = implementsCorrectly({
    edits: params.fix,
    test: params.test,
    summary: `${params.summary} Fixed what the rework asked for.`,
  });
  return {
    name: "fixes-on-rework",
    next: (context) => (REWORK_HEADING.test(context.firstUserText) ? rework : first).next(context),
  };
}
