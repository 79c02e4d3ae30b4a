/** One task's line in the demo's final table. */
export interface TaskRow {
  issue: number;
  title: string;
  /** The scripted behaviour of the offline model on this task. */
  behaviour: string;
  agent: string | null;
  model: string | null;
  attempts: number;
  /** The task's state in the ledger, or "not started" when the app never saw it. */
  outcome: string;
  tokens: number;
  costUsd: number;
  pullNumber: number | null;
  /** Requests the offline GitHub attributed to this task. */
  githubRequests: number;
}

const HEADERS = [
  "task",
  "behaviour",
  "agent",
  "model",
  "attempts",
  "outcome",
  "tokens",
  "cost",
  "PR",
  "GitHub requests",
];
// Numbers read best right-aligned.
const RIGHT = new Set(["attempts", "tokens", "cost", "GitHub requests"]);

/** The final table, one row per task, columns padded to their widest cell. */
export function formatSummaryTable(rows: readonly TaskRow[]): string[] {
  const cells = rows.map((r) => [
    `#${r.issue}`,
    r.behaviour,
    r.agent ?? "-",
    r.model ?? "-",
    String(r.attempts),
    r.outcome,
    r.tokens.toLocaleString("en-US"),
    `$${r.costUsd.toFixed(4)}`,
    r.pullNumber === null ? "-" : `#${r.pullNumber}`,
    String(r.githubRequests),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (RIGHT.has(HEADERS[i] ?? "") ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(HEADERS), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
}
