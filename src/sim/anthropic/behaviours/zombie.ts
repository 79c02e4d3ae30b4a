import * as z from "zod";
import type { Script } from "../script.ts";
import { call } from "./steps.ts";

/** Parameters: the file it keeps rereading. */
export const zombieParams = z.strictObject({ path: z.string().min(1).default("README.md") });

/**
 * A zombie: alternates list_files and read_file on the same paths forever. Tokens flow every
 * turn, nothing ever changes, and it never finishes: the watchdog must notice the lack of progress.
 */
export function zombie(input: z.input<typeof zombieParams> = {}): Script {
  const params = zombieParams.parse(input);
  return {
    name: "zombie",
    next: (context) =>
      context.turn % 2 === 0
        ? call("Let me check the repository layout again before changing anything.", "list_files", {})
        : call(`Let me reread ${params.path} to be sure.`, "read_file", { path: params.path }),
  };
}
