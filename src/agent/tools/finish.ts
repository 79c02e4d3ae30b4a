import * as z from "zod";
import { defineTool } from "./tool.ts";

const FinishInput = z.strictObject({
  summary: z.string().min(1).describe("What was changed and why, for the pull request description."),
});

/** finish: the model declares the task done; the loop stops and the job commits. */
export const finishTool = defineTool({
  name: "finish",
  description:
    "Call once the task is complete and the checks pass. The summary becomes part of the pull request description.",
  input: FinishInput,
  async run(input) {
    return { status: "finished", content: "finished", summary: input.summary };
  },
});
