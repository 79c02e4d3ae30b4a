import { z } from "zod";

/** One concrete problem found in an attempt's work, precise enough for the next attempt to act on. */
export const Finding = z.strictObject({
  message: z.string().min(1),
  path: z.string().min(1).optional(),
  line: z.int().positive().optional(),
  expected: z.string().optional(),
  found: z.string().optional(),
});
export type Finding = z.infer<typeof Finding>;

/** Why an attempt's work was turned back; handed to the rework attempt as its context. */
export const Rejection = z.strictObject({
  source: z.enum(["gate", "review", "run", "dispatch", "watchdog", "merge-queue"]),
  summary: z.string().min(1),
  findings: z.array(Finding),
});
export type Rejection = z.infer<typeof Rejection>;
