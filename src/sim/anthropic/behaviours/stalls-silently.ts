import * as z from "zod";
import type { Script } from "../script.ts";
import { call } from "./steps.ts";

/** Parameters: how many ordinary turns come before the silence. */
export const stallsSilentlyParams = z.strictObject({ afterTurns: z.int().min(0).default(1) });

/**
 * Stalls silently: answers a few turns normally, then never finishes a reply. A streamed reply
 * stops after its first events; a plain one never arrives. Only the client's cancel ends it.
 */
export function stallsSilently(input: z.input<typeof stallsSilentlyParams> = {}): Script {
  const params = stallsSilentlyParams.parse(input);
  return {
    name: "stalls-silently",
    next: (context) =>
      context.turn < params.afterTurns
        ? call("Looking around the repository.", "list_files", {})
        : { kind: "stall" },
  };
}
