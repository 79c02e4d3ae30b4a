import type { SwarmConfig } from "../core/config/schema.ts";
import type { RepoScope } from "./scope.ts";
import { step } from "./step.ts";
import { WAITING_STATUSES } from "./task-record.ts";

/**
 * Offers free agent slots to waiting tasks, in queue order (priority, then first in first out).
 * Each waiting task is offered one while fewer than `maxAgents` attempts are active; while the
 * repository is paused or over its daily budget the lifecycle holds each task instead, once.
 */
export async function offerSlots(scope: RepoScope, config: SwarmConfig): Promise<void> {
  const { ledger } = scope.deps;
  const waiting = await ledger.tasks.listQueued(scope.repo, WAITING_STATUSES);
  for (const task of waiting) {
    if ((await ledger.attempts.countActive(scope.repo)) >= config.agents.maxAgents) return;
    await step(scope, config, task.issueNumber, { kind: "slot.offered" });
  }
}
