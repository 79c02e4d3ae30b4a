// Calibration of the gate against people: of the pull request heads the gate passed and a person
// then judged, how often did the person find a problem the gate did not? A rate that climbs says
// the gates trust too much (raise review.sampleRate, add alwaysReview globs, or a new gate).

/** A review record as the ledger keeps it: the policy's decision or a person's verdict on a head. */
export interface CalibrationReview {
  pullNumber: number;
  headSha: string;
  kind: "policy" | "human";
  verdict: string;
}

/** A gated head and whether every gate passed on it. */
export interface GatedHead {
  pullNumber: number;
  headSha: string;
  passed: boolean;
}

/** People's verdicts on gate-passed heads, for one review mode or all. */
export interface VerdictCounts {
  /** Heads with at least one human verdict. */
  judged: number;
  /** Heads a person approved without asking for changes. */
  approved: number;
  /** Heads on which a person asked for changes: problems the gate passed. */
  changesRequested: number;
  /** changesRequested / judged; null when no head was judged. */
  problemRate: number | null;
}

/** The calibration report: overall, and by the review policy's decision on each head. */
export interface Calibration extends VerdictCounts {
  /** Heads the gate passed. */
  gatePassed: number;
  byMode: Record<string, VerdictCounts>;
}

/** The human verdicts that count: an approval (review or `/swarm approve`) or a request for changes. */
export const HUMAN_VERDICTS = ["approved", "changes-requested"] as const;

/** Compares the gate's verdicts with people's: how often people found problems in what the gate passed. */
export function calibrate(heads: readonly GatedHead[], reviews: readonly CalibrationReview[]): Calibration {
  const key = (h: { pullNumber: number; headSha: string }) => `${h.pullNumber}@${h.headSha}`;
  const passed = new Set(heads.filter((h) => h.passed).map(key));
  const modes = new Map<string, string>();
  const verdicts = new Map<string, Set<string>>();
  for (const r of reviews) {
    const k = key(r);
    if (!passed.has(k)) continue;
    if (r.kind === "policy") modes.set(k, r.verdict);
    else if ((HUMAN_VERDICTS as readonly string[]).includes(r.verdict))
      verdicts.set(k, (verdicts.get(k) ?? new Set()).add(r.verdict));
  }
  const total = counts();
  const byMode: Record<string, VerdictCounts> = {};
  for (const [k, seen] of verdicts) {
    const mode = modes.get(k) ?? "unknown";
    for (const c of [total, (byMode[mode] ??= counts())]) {
      c.judged += 1;
      if (seen.has("changes-requested")) c.changesRequested += 1;
      else c.approved += 1;
    }
  }
  for (const c of [total, ...Object.values(byMode)])
    c.problemRate = c.judged === 0 ? null : c.changesRequested / c.judged;
  return { gatePassed: passed.size, ...total, byMode };
}

function counts(): VerdictCounts {
  return { judged: 0, approved: 0, changesRequested: 0, problemRate: null };
}

/** The calibration as a few lines of text for people (the CLI prints it). */
export function renderCalibration(repo: string, c: Calibration): string {
  const rate = (v: VerdictCounts) =>
    v.problemRate === null ? "no head judged yet" : `${(v.problemRate * 100).toFixed(1)}% with problems`;
  const line = (label: string, v: VerdictCounts) =>
    `${label}: ${v.judged} judged by people, ${v.approved} approved, ${v.changesRequested} with changes requested (${rate(v)})`;
  return [
    `Review calibration for ${repo}: ${c.gatePassed} pull request head(s) passed the gate`,
    line("all", c),
    ...Object.entries(c.byMode)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([mode, v]) => line(`  ${mode}`, v)),
  ].join("\n");
}
