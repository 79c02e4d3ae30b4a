import * as z from "zod";

/** Facts outside the task that a transition depends on, read by the caller from config and ledger. */
export const LifecycleContext = z.strictObject({
  /** Attempts the swarm makes on its own before a person is asked (config `maxAttempts`). */
  maxAttempts: z.int().positive(),
  /** `/swarm pause` is in force for the repository. */
  paused: z.boolean(),
  /** The repository's daily budget is spent. */
  dailyBudgetExhausted: z.boolean(),
});
export type LifecycleContext = z.infer<typeof LifecycleContext>;
