import * as z from "zod";
import { findingSchema, MAX_FINDINGS } from "../finding.ts";

/**
 * Why an attempt's work was turned back. Its findings are what a rework job carries to the agent,
 * so there is at least one, in the job's own finding format.
 */
export const Rejection = z.strictObject({
  source: z.enum(["gate", "review", "checks", "run", "dispatch", "watchdog", "merge-queue", "conflict"]),
  /** One line for people: the status and escalation comments quote it. */
  summary: z.string().min(1).max(200),
  findings: z.array(findingSchema).min(1).max(MAX_FINDINGS),
});
export type Rejection = z.infer<typeof Rejection>;
