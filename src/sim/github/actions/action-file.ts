import { readFile } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import * as z from "zod";

// An action's metadata file (action.yml), as far as running a JavaScript action needs it.

const ActionSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  inputs: z
    .record(
      z.string(),
      z
        .looseObject({
          description: z.string().optional(),
          required: z.union([z.boolean(), z.string()]).optional(),
          default: z.union([z.string(), z.number(), z.boolean()]).optional(),
        })
        .nullable(),
    )
    .optional(),
  runs: z.looseObject({ using: z.string(), main: z.string().optional() }),
});

/** A JavaScript action the runner can run: its inputs and the absolute path of its entry. */
export interface NodeAction {
  name: string;
  inputs: Record<string, { required: boolean; default: string | number | boolean | undefined }>;
  main: string;
}

/** The only `runs.using` the offline runner runs (its Node is 24). */
export const NODE_RUNTIME = "node24";

/**
 * Reads `action.yml` (or `action.yaml`) in `folder` and checks it is a `node24` action whose
 * entry lies inside the folder. Errors name the file and the problem.
 */
export async function loadNodeAction(folder: string): Promise<NodeAction> {
  let path = join(folder, "action.yml");
  let text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) {
    path = join(folder, "action.yaml");
    text = await readFile(path, "utf8").catch(() => undefined);
  }
  if (text === undefined) throw new Error(`${join(folder, "action.yml")}: no action metadata file there`);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new Error(`${path}: invalid YAML: ${(error as Error).message}`, { cause: error });
  }
  const parsed = ActionSchema.safeParse(doc);
  if (!parsed.success) throw new Error(`${path}: ${z.prettifyError(parsed.error)}`);
  const action = parsed.data;
  if (action.runs.using !== NODE_RUNTIME)
    throw new Error(
      `${path}: runs.using is "${action.runs.using}"; the offline runner runs "${NODE_RUNTIME}" actions only`,
    );
  if (!action.runs.main) throw new Error(`${path}: runs.main is missing`);
  const root = resolve(folder);
  const main = resolve(root, action.runs.main);
  if (!main.startsWith(root + sep))
    throw new Error(`${path}: runs.main "${action.runs.main}" lies outside the action`);
  const inputs: NodeAction["inputs"] = {};
  for (const [name, spec] of Object.entries(action.inputs ?? {}))
    inputs[name] = { required: spec?.required === true || spec?.required === "true", default: spec?.default };
  return { name: action.name, inputs, main };
}

/** The environment variable an input reaches an action by: `INPUT_` + upper case, spaces as `_`. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}
