import { distance } from "fastest-levenshtein";

/**
 * The candidate closest to `word` by edit distance, or undefined when none is close enough to be a
 * likely typo: at most a third of the longer word's length, and at least one edit allowed.
 * Case is ignored when measuring, so `maxagents` still suggests `maxAgents`.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestDistance <= allowed ? best : undefined;
}
