import type { SwarmConfig } from "../core/config/schema.ts";
import { toFinding } from "../core/finding.ts";
import type { TaskKey } from "../ledger/index.ts";
import type { RepoScope } from "./scope.ts";
import { offerSlots } from "./slots.ts";
import { step } from "./step.ts";

/**
 * A task's pull request no longer merges into its base. The tiers, each recorded in the ledger:
 * first GitHub's "Update branch" (a clean merge of the base; the new head is gated and queued
 * again); if that conflicts, the agent is dispatched in resolve-conflict mode with the conflict;
 * if that attempt fails too, the lifecycle starts the next one fresh from the current base.
 */
export async function resolveConflict(
  scope: RepoScope,
  config: SwarmConfig,
  key: TaskKey,
  attempt: number,
  pull: { number: number; headSha: string; why: string },
): Promise<void> {
  const result = await scope.gateway.updateBranch(key.issueNumber, pull.number, pull.headSha);
  await scope.deps.ledger.events.append([
    {
      ...key,
      attempt,
      action: result === "updated" ? "conflict.branch-updated" : "conflict.needs-agent",
      target: `pull:${pull.number}`,
      detail: { from: pull.headSha, why: pull.why },
    },
  ]);
  if (result === "updated") return;
  await step(scope, config, key.issueNumber, {
    kind: "conflict.detected",
    attempt,
    rejection: {
      source: "conflict",
      summary: pull.why.slice(0, 200),
      findings: [
        toFinding({
          gate: "conflict",
          expected: "the branch merges cleanly into its base",
          found: `${pull.why}; GitHub's "Update branch" could not merge the base in`,
          hint: "Merge the base branch into this branch, resolve each conflict keeping the intent of both sides, and run the tests.",
        }),
      ],
    },
  });
  await offerSlots(scope, config);
}
