import { mergeGroupPullNumber, mergeGroupVerdict } from "../../core/merge-group.ts";
import { GATE_CHECK } from "../gate.ts";
import type { Handler } from "../handle.ts";
import { taskOfPull } from "./pulls.ts";

/**
 * `merge_group.checks_requested`: reports `swarm/gate` on the group's head so the queue can
 * proceed, from the verdicts the gate kept for the group's pull request.
 */
export const onMergeGroup: Handler<"merge_group.checks_requested"> = async (scope, payload) => {
  const group = payload.merge_group;
  const pullNumber = mergeGroupPullNumber(group.head_ref);
  if (pullNumber === null) {
    scope.log.warn({ ref: group.head_ref }, "a merge group whose ref names no pull request; not reported");
    return;
  }
  // The queue takes a pull request out when its head moves, so its current head is the grouped one.
  const current = await scope.gateway.getPull(null, pullNumber);
  const pull = { pullNumber, headSha: current.head.sha };
  const task = await taskOfPull(scope, current);
  const gates =
    task === null
      ? null
      : await scope.deps.ledger.reviews.gates({
          repo: scope.repo,
          pullNumber: pull.pullNumber,
          headSha: pull.headSha,
        });
  if (task !== null)
    // Kept so a dequeue for failed checks can find the group's checks and condense them.
    await scope.deps.ledger.events.append([
      {
        repo: scope.repo,
        issueNumber: task.issueNumber,
        attempt: task.attempt,
        action: "merge-group.checks-requested",
        target: `pull:${pull.pullNumber}`,
        detail: { pullNumber: pull.pullNumber, headSha: group.head_sha, baseSha: group.base_sha },
      },
    ]);
  const verdict = mergeGroupVerdict(pull, gates);
  await scope.gateway.writeCheckRun(task?.issueNumber ?? null, {
    name: GATE_CHECK,
    headSha: group.head_sha,
    conclusion: verdict.conclusion,
    title:
      verdict.conclusion === "success"
        ? "The group's pull request passed the gate"
        : "The gate refused the group",
    summary: verdict.summary,
    annotationBatches: [],
  });
};
