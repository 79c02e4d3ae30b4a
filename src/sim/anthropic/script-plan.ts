import { readFile } from "node:fs/promises";
import * as z from "zod";
import { breaksATest, breaksATestParams } from "./behaviours/breaks-a-test.ts";
import { editsAWorkflow, editsAWorkflowParams } from "./behaviours/edits-a-workflow.ts";
import { fixesOnRework, fixesOnReworkParams } from "./behaviours/fixes-on-rework.ts";
import { implementsCorrectly, implementsCorrectlyParams } from "./behaviours/implements-correctly.ts";
import { outOfScopeEdit, outOfScopeEditParams } from "./behaviours/out-of-scope-edit.ts";
import { runsPastBudget, runsPastBudgetParams } from "./behaviours/runs-past-budget.ts";
import { stallsSilently, stallsSilentlyParams } from "./behaviours/stalls-silently.ts";
import { zombie, zombieParams } from "./behaviours/zombie.ts";
import type { Script } from "./script.ts";

/** One behaviour by name with its parameters, as written in a plan file. */
export const behaviourSpecSchema = z.discriminatedUnion("behaviour", [
  implementsCorrectlyParams.extend({ behaviour: z.literal("implements-correctly") }),
  breaksATestParams.extend({ behaviour: z.literal("breaks-a-test") }),
  fixesOnReworkParams.extend({ behaviour: z.literal("fixes-on-rework") }),
  stallsSilentlyParams.extend({ behaviour: z.literal("stalls-silently") }),
  zombieParams.extend({ behaviour: z.literal("zombie") }),
  outOfScopeEditParams.extend({ behaviour: z.literal("out-of-scope-edit") }),
  editsAWorkflowParams.extend({ behaviour: z.literal("edits-a-workflow") }),
  runsPastBudgetParams.extend({ behaviour: z.literal("runs-past-budget") }),
]);
export type BehaviourSpec = z.infer<typeof behaviourSpecSchema>;

/** A plan: which behaviour answers which task (`owner/repo#issue`), and one for any other task. */
export const scriptPlanSchema = z.strictObject({
  default: behaviourSpecSchema.optional(),
  tasks: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+#\d+$/, "task keys look like owner/repo#123"),
      behaviourSpecSchema,
    )
    .default({}),
});
export type ScriptPlan = z.infer<typeof scriptPlanSchema>;

function paramsOf<T extends { behaviour: string }>(spec: T): Omit<T, "behaviour"> {
  const { behaviour: _behaviour, ...params } = spec;
  return params;
}

/** The script a behaviour spec describes. */
export function scriptFromSpec(spec: BehaviourSpec): Script {
  switch (spec.behaviour) {
    case "implements-correctly":
      return implementsCorrectly(paramsOf(spec));
    case "breaks-a-test":
      return breaksATest(paramsOf(spec));
    case "fixes-on-rework":
      return fixesOnRework(paramsOf(spec));
    case "stalls-silently":
      return stallsSilently(paramsOf(spec));
    case "zombie":
      return zombie(paramsOf(spec));
    case "out-of-scope-edit":
      return outOfScopeEdit(paramsOf(spec));
    case "edits-a-workflow":
      return editsAWorkflow(paramsOf(spec));
    case "runs-past-budget":
      return runsPastBudget(paramsOf(spec));
  }
}

/** Reads and validates a JSON plan file; the error names the file and the offending field. */
export async function loadScriptPlan(path: string): Promise<ScriptPlan> {
  const text = await readFile(path, "utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = scriptPlanSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: invalid script plan\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
