import * as z from "zod";
import { usageSchema } from "./usage.ts";

// The agent's report: what one attempt did and spent. The action writes it into the completed
// `swarm/agent` check run and the pull request; the app reads it back with the same schema.

/** The check run the agent reports on. */
export const AGENT_CHECK_NAME = "swarm/agent";

/** How an attempt ended; every stop other than `done` names the wall that fired. */
export const OUTCOMES = [
  "done",
  "budget-tokens",
  "budget-usd",
  "time",
  "max-turns",
  "refusal",
  "no-changes",
  "error",
] as const;
/** How an attempt ended. */
export const outcomeSchema = z.enum(OUTCOMES);
/** How an attempt ended. */
export type Outcome = z.infer<typeof outcomeSchema>;

const pathSchema = z.string().min(1).max(500);

/** The machine-readable report of one attempt. */
export const reportSchema = z.strictObject({
  version: z.literal(1),
  outcome: outcomeSchema,
  /** One line a person can read: why the attempt ended. */
  reason: z.string().max(2000),
  taskId: z.string(),
  attempt: z.int().min(1),
  agent: z.string(),
  sessionId: z.string(),
  model: z.string(),
  /** Assistant turns taken. */
  turns: z.int().min(0),
  usage: usageSchema,
  costUsd: z.number().min(0),
  /** Tool calls by tool name. */
  tools: z.record(z.string(), z.int().min(0)),
  /** Fresh conversations started from a summary when the context filled up. */
  handoffs: z.int().min(0),
  /** Tool calls the sandbox refused. */
  refusals: z.int().min(0),
  /** Files the commit changed. */
  filesChanged: z.array(pathSchema),
  /** Files the agent changed that the commit left out, with why. */
  refusedChanges: z.array(z.strictObject({ path: pathSchema, reason: z.string() })),
  /** The commands the agent ran and their exit codes, for "what was tested". */
  commands: z.array(z.strictObject({ argv: z.string().max(300), exitCode: z.int().nullable() })),
  /** The agent's closing summary, when it gave one. */
  summary: z.string().max(4000),
  headSha: z.string().nullable(),
  pullRequest: z.int().nullable(),
  /** Entries left out of the lists above so the report fits where it is written; absent when none. */
  omitted: z
    .strictObject({
      commands: z.int().min(0),
      refusedChanges: z.int().min(0),
      filesChanged: z.int().min(0),
    })
    .optional(),
});
/** The report of one attempt. */
export type Report = z.infer<typeof reportSchema>;

const FENCE = "swarm-report";

/** GitHub's limit on a check run's `output.text` (a pull request body takes one more). */
export const MAX_REPORT_BLOCK_CHARS = 65_535;

/**
 * The report as a fenced block that `readReport` finds again inside any Markdown text, in at
 * most `maxChars` characters: indented when that fits, else on one line; when even that is too
 * long, the oldest commands, then refused changes, then the last changed files are left out, and
 * `omitted` counts them.
 */
export function renderReportBlock(report: Report, maxChars = MAX_REPORT_BLOCK_CHARS): string {
  const block = (json: string) => `\`\`\`json ${FENCE}\n${json}\n\`\`\``;
  const pretty = block(JSON.stringify(report, null, 2));
  if (pretty.length <= maxChars) return pretty;
  const lists = {
    commands: [...report.commands],
    refusedChanges: [...report.refusedChanges],
    filesChanged: [...report.filesChanged],
  };
  const omitted = { ...{ commands: 0, refusedChanges: 0, filesChanged: 0 }, ...report.omitted };
  const compact = () => block(JSON.stringify({ ...report, ...lists, omitted }));
  let text = block(JSON.stringify(report));
  // Drop about as many entries as the excess needs at once, then check again.
  while (text.length > maxChars) {
    const excess = text.length - maxChars;
    if (lists.commands.length > 0) {
      const n = Math.min(lists.commands.length, Math.max(1, Math.ceil(excess / 40)));
      lists.commands.splice(0, n);
      omitted.commands += n;
    } else if (lists.refusedChanges.length > 0) {
      const n = Math.min(lists.refusedChanges.length, Math.max(1, Math.ceil(excess / 60)));
      lists.refusedChanges.splice(-n, n);
      omitted.refusedChanges += n;
    } else if (lists.filesChanged.length > 0) {
      const n = Math.min(lists.filesChanged.length, Math.max(1, Math.ceil(excess / 40)));
      lists.filesChanged.splice(-n, n);
      omitted.filesChanged += n;
    } else break;
    text = compact();
  }
  return text;
}

/** Finds and validates the report block in a check run's text or a pull request body. */
export function readReport(text: string): { ok: true; report: Report } | { ok: false; problem: string } {
  const match = new RegExp(`\`\`\`json ${FENCE}\\n([\\s\\S]*?)\\n\`\`\``).exec(text);
  if (match?.[1] === undefined) return { ok: false, problem: `no \`${FENCE}\` block in the text` };
  let data: unknown;
  try {
    data = JSON.parse(match[1]);
  } catch (error) {
    return { ok: false, problem: `the report block is not JSON: ${(error as Error).message}` };
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success)
    return { ok: false, problem: `the report is malformed: ${z.prettifyError(parsed.error)}` };
  return { ok: true, report: parsed.data };
}
