import * as z from "zod";
import type { Script } from "../script.ts";
import { defaultTestCommand } from "./steps.ts";

/** Parameters: how much it writes each turn and the command it keeps running. */
export const runsPastBudgetParams = z.strictObject({
  outputTokensPerTurn: z.int().min(1).default(4000),
  argv: z.array(z.string()).min(1).default(defaultTestCommand),
});

/** Deterministic ASCII filler of `tokens * 4` bytes: exactly `tokens` tokens under the rule. */
function musing(turn: number, tokens: number): string {
  const sentence = `Considering the change once more (turn ${turn}); weighing every alternative again. `;
  return sentence.repeat(Math.ceil((tokens * 4) / sentence.length)).slice(0, tokens * 4);
}

/**
 * Runs past its budget: every turn writes a long deliberation and runs the tests again, and it
 * never finishes. Output tokens pile up turn after turn until the budget stops it.
 */
export function runsPastBudget(input: z.input<typeof runsPastBudgetParams> = {}): Script {
  const params = runsPastBudgetParams.parse(input);
  return {
    name: "runs-past-budget",
    next: (context) => ({
      kind: "reply",
      content: [
        { type: "text", text: musing(context.turn, params.outputTokensPerTurn) },
        { type: "tool_use", name: "run_command", input: { argv: params.argv } },
      ],
    }),
  };
}
