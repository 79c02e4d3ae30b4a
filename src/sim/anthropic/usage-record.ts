import * as z from "zod";

/** `usage` of a message, as Anthropic bills it. */
export const usageSchema = z.object({
  input_tokens: z.int(),
  output_tokens: z.int(),
  cache_creation_input_tokens: z.int(),
  cache_read_input_tokens: z.int(),
  cache_creation: z.object({ ephemeral_5m_input_tokens: z.int(), ephemeral_1h_input_tokens: z.int() }),
});
export type Usage = z.infer<typeof usageSchema>;

/** One request the offline API answered, for tests and the demo to read back. */
export const requestRecordSchema = z.object({
  requestId: z.string(),
  /** The path asked for, e.g. `/v1/messages` or `/v1/messages/count_tokens`. */
  path: z.string(),
  /** Clock time the request arrived, in milliseconds. */
  at: z.number(),
  task: z.string().nullable(),
  script: z.string().nullable(),
  model: z.string().nullable(),
  stream: z.boolean(),
  status: z.int(),
  errorType: z.string().nullable(),
  fault: z.string().nullable(),
  stopReason: z.string().nullable(),
  /** What the request is billed; null when it was refused before the model ran. */
  usage: usageSchema.nullable(),
});
export type RequestRecord = z.infer<typeof requestRecordSchema>;

/** Usage summed over many requests. */
export const usageTotalsSchema = z.object({
  requests: z.int(),
  input_tokens: z.int(),
  output_tokens: z.int(),
  cache_creation_input_tokens: z.int(),
  cache_read_input_tokens: z.int(),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

/** Sums the billed usage of the given records (refused requests count as requests, bill nothing). */
export function sumUsage(records: RequestRecord[]): UsageTotals {
  const totals: UsageTotals = {
    requests: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  for (const record of records) {
    totals.requests++;
    if (!record.usage) continue;
    totals.input_tokens += record.usage.input_tokens;
    totals.output_tokens += record.usage.output_tokens;
    totals.cache_creation_input_tokens += record.usage.cache_creation_input_tokens;
    totals.cache_read_input_tokens += record.usage.cache_read_input_tokens;
  }
  return totals;
}
