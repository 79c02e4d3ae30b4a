import type { SwarmConfig } from "../core/config/schema.ts";
import type { RepoScope } from "./scope.ts";

/** The labels that show a task's state (`ready` is people's to set, so it is not among them). */
export type StateLabel = Exclude<keyof SwarmConfig["labels"], "ready">;

/**
 * Makes the issue carry exactly one state label, `want` (or none when null), touching only the
 * labels that differ from `current`, the labels the issue is known to have.
 */
export async function mirrorLabels(
  scope: RepoScope,
  issueNumber: number,
  labels: SwarmConfig["labels"],
  want: StateLabel | null,
  current: readonly string[],
): Promise<void> {
  const have = new Set(current.map((l) => l.toLowerCase()));
  const wanted = want === null ? null : labels[want];
  const stale = (Object.keys(labels) as (keyof SwarmConfig["labels"])[])
    .filter((k) => k !== "ready" && labels[k] !== wanted)
    .map((k) => labels[k])
    .filter((name) => have.has(name.toLowerCase()));
  // The removals and the addition touch different labels, so they go together.
  await Promise.all([
    ...stale.map((name) => scope.gateway.removeLabel(issueNumber, name)),
    ...(wanted !== null && !have.has(wanted.toLowerCase())
      ? [scope.gateway.addLabels(issueNumber, [wanted])]
      : []),
  ]);
}
