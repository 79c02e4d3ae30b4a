import * as z from "zod";

/**
 * A fault the offline API can inject into the next matching request:
 * - `rate_limit`: 429 `rate_limit_error` with `retry-after` (seconds);
 * - `overloaded`: 529 `overloaded_error` (with `retry-after` only when given);
 * - `server_error`: 500 `api_error` (likewise);
 * - `slow`: waits `delayMs` before each stream event (once before a plain reply);
 * - `truncate`: sends `afterEvents` stream events (or half a plain body), then drops the connection;
 * - `stream_error`: sends `afterEvents` stream events, then an `error` event (`overloaded_error`).
 */
export const faultSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("rate_limit"), retryAfterSeconds: z.number().min(0).default(1) }),
  z.strictObject({ kind: z.literal("overloaded"), retryAfterSeconds: z.number().min(0).optional() }),
  z.strictObject({ kind: z.literal("server_error"), retryAfterSeconds: z.number().min(0).optional() }),
  z.strictObject({ kind: z.literal("slow"), delayMs: z.int().min(1) }),
  z.strictObject({ kind: z.literal("truncate"), afterEvents: z.int().min(0).default(3) }),
  z.strictObject({ kind: z.literal("stream_error"), afterEvents: z.int().min(0).default(3) }),
]);
export type Fault = z.infer<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;

/** Which requests a fault applies to, and how many times. */
export const faultScopeSchema = z.strictObject({
  /** Only requests for this task (`owner/repo#issue`); any request when absent. */
  task: z.string().optional(),
  /** How many matching requests it hits before it is spent. */
  times: z.int().min(1).default(1),
});
export type FaultScope = z.input<typeof faultScopeSchema>;

interface Armed {
  fault: Fault;
  task: string | undefined;
  left: number;
}

/** Faults waiting for requests, first armed first served. */
export class FaultQueue {
  readonly #armed: Armed[] = [];

  /** Arms a fault for the next `times` requests matching `task`. */
  add(fault: FaultInput, scope: FaultScope = {}): void {
    const { task, times } = faultScopeSchema.parse(scope);
    this.#armed.push({ fault: faultSchema.parse(fault), task, left: times });
  }

  /** Takes the first fault that applies to a request for `task`, if any. */
  take(task: string | undefined, stream: boolean): Fault | undefined {
    const index = this.#armed.findIndex(
      (a) => (a.task === undefined || a.task === task) && (stream || a.fault.kind !== "stream_error"),
    );
    const armed = this.#armed[index];
    if (!armed) return undefined;
    if (--armed.left === 0) this.#armed.splice(index, 1);
    return armed.fault;
  }
}
