import type { SwarmConfig } from "../core/config/schema.ts";
import { checksRejection, type FailedCheck } from "../core/condense-rejection.ts";
import {
  agentMerge,
  type AgentMerge,
  mergeRules,
  readiness,
  refusedAsMergeableNow,
  refusedForConflict,
} from "../core/merge-readiness.ts";
import type { PullInfo } from "../github/gateway.ts";
import type { TaskKey } from "../ledger/index.ts";
import type { ClaimedHead } from "../ledger/stores/merges.ts";
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
  let merge: AgentMerge | null = null;
  try {
    if (method === "queue") await gateway.enqueuePullRequest(key.issueNumber, target);
    else {
      // The queue merges with its own method; auto-merge takes the one the repository allows.
      merge = agentMerge(await scope.mergeMethods(key.issueNumber), pull.body);
      await gateway.enableAutoMerge(key.issueNumber, target, merge);
    }
  } catch (error) {
    const messages = errorMessages(error);
    // Nothing left to wait for: auto-merge is refused, so the claimed head is merged now.
    if (method === "auto-merge" && refusedAsMergeableNow(messages)) {
      await mergeNow(scope, key, attempt, pull, rules.requiredChecks, merge);
      return;
    }
    if (refusedForConflict(messages)) {
      await deps.ledger.merges.release(head);
      await resolveConflict(scope, config, key, attempt, {
        number: pull.number,
        headSha: pull.head.sha,
        why: `pull request #${pull.number} conflicts with ${pull.base.ref}`,
      });
      return;
    }
    // Refused otherwise (the head moved, the queue is off, the method is not allowed).
    await refused(scope, head, method, (error as Error).message);
    return;
  }
  await mergeRequested(
    scope,
    head,
    pull.number,
    method === "queue" ? "merge.enqueued" : "merge.auto-merge",
    // Without a method GitHub's default is a merge commit.
    method === "queue" ? {} : { method: merge?.method ?? "merge" },
    rules.requiredChecks,
  );
}

/**
 * Merges a pull request whose head is claimed (REST, with the method `merge` chose, null when the
 * repository allows none) when GitHub refused auto-merge because it can be merged now. Only that
 * head is merged. A refusal releases the claim for the next event, as a refused auto-merge does.
 */
async function mergeNow(
  scope: RepoScope,
  key: TaskKey,
  attempt: number,
  pull: PullInfo,
  requiredChecks: readonly string[],
  merge: AgentMerge | null,
): Promise<void> {
  const { gateway, deps } = scope;
  const head = { ...key, attempt, headSha: pull.head.sha };
  if (merge === null) return refused(scope, head, "direct", "the repository allows no merge method");
  let done: Awaited<ReturnType<typeof gateway.mergePull>>;
  try {
    done = await gateway.mergePull(key.issueNumber, pull.number, { headSha: pull.head.sha, ...merge });
  } catch (error) {
    await deps.ledger.merges.release(head);
    throw error;
  }
  if (done.outcome !== "merged")
    return refused(scope, head, merge.method, done.outcome === "refused" ? done.message : "the head moved");
  await mergeRequested(
    scope,
    head,
    pull.number,
    "merge.direct",
    { method: merge.method, mergeSha: done.sha },
    requiredChecks,
  );
}

/** Records that GitHub took the merge request for the claimed head: the claim confirmed, the event appended. */
async function mergeRequested(
  scope: RepoScope,
  head: ClaimedHead,
  pullNumber: number,
  action: "merge.enqueued" | "merge.auto-merge" | "merge.direct",
  detail: Record<string, unknown>,
  requiredChecks: readonly string[],
): Promise<void> {
  const { deps } = scope;
  const { headSha, ...task } = head;
  await deps.ledger.merges.requested(head);
  await deps.ledger.events.append([
    {
      ...task,
      action,
      target: `pull:${pullNumber}`,
      detail: { headSha, ...detail, requiredChecks: [...requiredChecks], at: deps.now().toISOString() },
    },
  ]);
}

/** Releases the claim on a head GitHub refused to merge, for the next event about it to try again. */
async function refused(scope: RepoScope, head: ClaimedHead, method: string, error: string): Promise<void> {
  await scope.deps.ledger.merges.release(head);
  scope.log.warn(
    { task: `${head.repo}#${head.issueNumber}`, method, error },
    "GitHub refused the merge request",
  );
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
