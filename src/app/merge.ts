import type { SwarmConfig } from "../core/config/schema.ts";
import { checksRejection, type FailedCheck } from "../core/condense-rejection.ts";
import {
  directMergeMethod,
  type DirectMergeMethod,
  mergeRules,
  readiness,
  refusedAsMergeableNow,
  refusedForConflict,
} from "../core/merge-readiness.ts";
import type { PullInfo } from "../github/gateway.ts";
import type { TaskKey } from "../ledger/index.ts";
import { resolveConflict } from "./conflicts.ts";
import type { RepoScope } from "./scope.ts";
import { offerSlots } from "./slots.ts";
import { step } from "./step.ts";

/** A check run on a head as the gateway lists it. */
type HeadRun = Awaited<ReturnType<RepoScope["gateway"]["listCheckRuns"]>>[number];

/**
 * Moves an approved pull request on towards the merge: once every check the base branch's rules
 * require is green on its head, it is put into the merge queue (auto-merge where the branch has
 * none), once per (task, attempt, head) across redeliveries and replicas; a red required check
 * turns the work back with the check's findings; pending checks are waited for (their completion
 * events call this again, no polling). Mergeability is not read first: GitHub's refusal of a
 * pull request that conflicts with the base sends it up the conflict tiers, and its refusal to
 * auto-merge one that can be merged now has it merged directly.
 */
export async function advanceToMerge(
  scope: RepoScope,
  config: SwarmConfig,
  key: TaskKey,
  attempt: number,
  pullRef: number | PullInfo,
): Promise<void> {
  const { gateway, deps } = scope;
  const pull = typeof pullRef === "number" ? await scope.pull(key.issueNumber, pullRef) : pullRef;
  if (pull.state !== "open" || pull.merged) return;
  const head = { ...key, attempt, headSha: pull.head.sha };
  if ((await deps.ledger.merges.get(head)) !== undefined) return;
  const rules = mergeRules(await gateway.branchRules(pull.base.ref));
  const checks = await gateway.listCheckRuns(key.issueNumber, pull.head.sha);
  const ready = readiness(rules.requiredChecks, checks);
  if (ready.state === "pending") {
    scope.log.info({ task: `${key.repo}#${key.issueNumber}`, waiting: ready.waiting }, "waiting for checks");
    return;
  }
  if (ready.state === "red") {
    await turnBack(
      scope,
      config,
      key,
      attempt,
      "checks",
      `required check(s) failed on the head of #${pull.number}`,
      failedRuns(checks, ready.failed),
    );
    return;
  }
  const method = rules.mergeQueue ? "queue" : "auto-merge";
  if (!(await deps.ledger.merges.claim({ ...head, method }))) return;
  const target = { nodeId: pull.node_id, headSha: pull.head.sha };
  try {
    if (method === "queue") await gateway.enqueuePullRequest(key.issueNumber, target);
    else await gateway.enableAutoMerge(key.issueNumber, target);
  } catch (error) {
    const messages = errorMessages(error);
    // Nothing left to wait for: auto-merge is refused, so the claimed head is merged now.
    if (method === "auto-merge" && refusedAsMergeableNow(messages)) {
      await mergeNow(scope, key, attempt, pull, rules.requiredChecks);
      return;
    }
    await deps.ledger.merges.release(head);
    if (refusedForConflict(messages)) {
      await resolveConflict(scope, config, key, attempt, {
        number: pull.number,
        headSha: pull.head.sha,
        why: `pull request #${pull.number} conflicts with ${pull.base.ref}`,
      });
      return;
    }
    // Refused otherwise (the head moved, the queue is off): the next event about this pull request tries again.
    scope.log.warn(
      { task: `${key.repo}#${key.issueNumber}`, method, error: (error as Error).message },
      "GitHub refused the merge request",
    );
    return;
  }
  await deps.ledger.merges.requested(head);
  await deps.ledger.events.append([
    {
      ...key,
      attempt,
      action: method === "queue" ? "merge.enqueued" : "merge.auto-merge",
      target: `pull:${pull.number}`,
      detail: { headSha: pull.head.sha, requiredChecks: rules.requiredChecks, at: deps.now().toISOString() },
    },
  ]);
}

/**
 * Merges a pull request whose head is claimed (REST, with a method the repository allows) when
 * GitHub refused auto-merge because it can be merged now. Only that head is merged; a squash
 * takes the pull request body, which ends with the agent's trailers, as its message. A refusal
 * releases the claim for the next event, as a refused auto-merge does.
 */
async function mergeNow(
  scope: RepoScope,
  key: TaskKey,
  attempt: number,
  pull: PullInfo,
  requiredChecks: readonly string[],
): Promise<void> {
  const { gateway, deps } = scope;
  const head = { ...key, attempt, headSha: pull.head.sha };
  let method: DirectMergeMethod | null;
  let merged: Awaited<ReturnType<typeof gateway.mergePull>>;
  try {
    method = directMergeMethod(await gateway.mergeMethods(key.issueNumber));
    merged =
      method === null
        ? { outcome: "refused", message: "the repository allows no merge method" }
        : await gateway.mergePull(key.issueNumber, pull.number, {
            headSha: pull.head.sha,
            method,
            message: method === "squash" ? (pull.body ?? undefined) : undefined,
          });
  } catch (error) {
    await deps.ledger.merges.release(head);
    throw error;
  }
  if (merged.outcome !== "merged") {
    await deps.ledger.merges.release(head);
    scope.log.warn(
      {
        task: `${key.repo}#${key.issueNumber}`,
        method: method ?? "direct",
        error: merged.outcome === "refused" ? merged.message : "the head moved",
      },
      "GitHub refused the merge request",
    );
    return;
  }
  await deps.ledger.merges.requested(head);
  await deps.ledger.events.append([
    {
      ...key,
      attempt,
      action: "merge.direct",
      target: `pull:${pull.number}`,
      detail: {
        headSha: pull.head.sha,
        method,
        mergeSha: merged.sha,
        requiredChecks: [...requiredChecks],
        at: deps.now().toISOString(),
      },
    },
  ]);
}

/** The messages of a GraphQL mutation's errors (Octokit's GraphqlResponseError), else the error's own. */
function errorMessages(error: unknown): string[] {
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors))
    return errors.map((e) => String((e as { message?: unknown } | null)?.message ?? ""));
  return [error instanceof Error ? error.message : String(error)];
}

/** The runs of the named checks that did not pass. */
export function failedRuns(checks: readonly HeadRun[], names: readonly string[]): HeadRun[] {
  return checks.filter((c) => names.includes(c.name));
}

/**
 * Turns an attempt's work back because checks failed (on the head, or in the merge queue): their
 * summaries and annotations are condensed into the rejection the rework job carries.
 */
export async function turnBack(
  scope: RepoScope,
  config: SwarmConfig,
  key: TaskKey,
  attempt: number,
  source: "checks" | "merge-queue",
  lead: string,
  runs: readonly HeadRun[],
): Promise<void> {
  const failed: FailedCheck[] = [];
  for (const run of runs)
    failed.push({
      name: run.name,
      conclusion: run.conclusion,
      title: run.title,
      summary: run.summary,
      annotations: await scope.gateway.listCheckAnnotations(key.issueNumber, run.id),
    });
  const rejection = checksRejection(source, lead, failed);
  if (source === "checks")
    await step(scope, config, key.issueNumber, { kind: "checks.failed", attempt, rejection });
  else
    await step(scope, config, key.issueNumber, {
      kind: "queue.dequeued",
      attempt,
      reason: "checks-failed",
      rejection,
    });
  await offerSlots(scope, config);
}
