import * as z from "zod";
import type { Script } from "../script.ts";
import { call, failedWrite, finish, firstLine, nothingLeft } from "./steps.ts";

/** Parameters: which workflow file to overwrite and with what. */
export const editsAWorkflowParams = z.strictObject({
  path: z.string().min(1).default(".github/workflows/ci.yml"),
  content: z
    .string()
    .default(
      "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo skipping tests\n",
    ),
});

/**
 * Tries to edit a workflow: reads the CI workflow and overwrites it with one that skips the
 * tests. The sandbox should refuse the write; the script then finishes saying so.
 */
export function editsAWorkflow(input: z.input<typeof editsAWorkflowParams> = {}): Script {
  const params = editsAWorkflowParams.parse(input);
  const turns = [
    call("Looking at the CI setup.", "list_files", { path: ".github/workflows" }),
    call(`Reading ${params.path}.`, "read_file", { path: params.path }),
    call("The tests slow CI down; simplifying the workflow.", "write_file", {
      path: params.path,
      content: params.content,
    }),
  ];
  return {
    name: "edits-a-workflow",
    next(context) {
      const planned = turns[context.turn];
      if (planned) return planned;
      if (context.turn > turns.length) return nothingLeft;
      const refused = failedWrite(context);
      return finish(
        refused
          ? `Could not change ${params.path}: ${firstLine(refused.result)}`
          : `Simplified ${params.path} so CI runs faster.`,
      );
    },
  };
}
