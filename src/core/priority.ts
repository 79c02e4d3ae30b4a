// A `priority:` label moves a task ahead in the queue. Lower runs first, as the ledger orders it.

/** The priority of a task without a `priority:` label. */
export const NORMAL_PRIORITY = 2;

const WORDS: Record<string, number> = { critical: 0, urgent: 0, high: 1, medium: 2, normal: 2, low: 3 };

/**
 * The queue priority the labels give: `priority:critical` (0), `high` (1), `medium` or
 * `normal` (2), `low` (3), or a number (`priority:0`, `priority:p1`); the most urgent label wins;
 * without one, normal. Labels that are not priorities, or unknown words, count for nothing.
 */
export function priorityOf(labels: readonly string[]): number {
  let best: number | undefined;
  for (const label of labels) {
    const m = /^priority:\s*(.+)$/i.exec(label.trim());
    if (!m?.[1]) continue;
    const value = m[1].trim().toLowerCase();
    const numeric = /^p?(\d{1,3})$/.exec(value);
    const priority = numeric?.[1] !== undefined ? Number(numeric[1]) : WORDS[value];
    if (priority !== undefined && (best === undefined || priority < best)) best = priority;
  }
  return best ?? NORMAL_PRIORITY;
}
