/** The pull request a merge group adds to its base, at the head the queue took. */
export interface MergeGroupPull {
  pullNumber: number;
  headSha: string;
}

// GitHub names a merge group's branch `gh-readonly-queue/<base>/pr-<number>-<sha>`, where the sha
// is the commit the group was built on (the base or the group ahead), not the pull request's head.
const QUEUE_REF = /^(?:refs\/heads\/)?gh-readonly-queue\/.+\/pr-(\d+)-[0-9a-f]{40}$/;

/**
 * The number of the newest pull request of a merge group, or null when the ref is not a merge
 * queue's. Every earlier pull request of the group was checked in the group before it, so this
 * one decides.
 */
export function mergeGroupPullNumber(headRef: string): number | null {
  const m = QUEUE_REF.exec(headRef);
  return m?.[1] ? Number(m[1]) : null;
}

/** How `swarm/gate` reports on a merge group: what its newest pull request's gate said. */
export type MergeGroupVerdict = { conclusion: "success" | "failure"; summary: string };

/**
 * The merge group's verdict from the gate verdicts kept for its pull request's head: `null` when
 * the pull request is not an agent's (the gate judges only agents' work), else every gate must pass.
 */
export function mergeGroupVerdict(
  pull: MergeGroupPull,
  gates: readonly { gate: string; verdict: string }[] | null,
): MergeGroupVerdict {
  if (gates === null)
    return {
      conclusion: "success",
      summary: `#${pull.pullNumber} is not an agent's pull request; the gate does not judge it.`,
    };
  const failed = gates.filter((g) => g.verdict !== "pass").map((g) => g.gate);
  if (gates.length === 0)
    return {
      conclusion: "failure",
      summary: `#${pull.pullNumber} has no gate verdict on ${pull.headSha.slice(0, 12)}.`,
    };
  return failed.length === 0
    ? {
        conclusion: "success",
        summary: `#${pull.pullNumber} passed every gate on ${pull.headSha.slice(0, 12)}.`,
      }
    : { conclusion: "failure", summary: `#${pull.pullNumber} failed the gate(s) ${failed.join(", ")}.` };
}
