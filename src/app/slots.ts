import type { SwarmConfig } from "../core/config/schema.ts";
import type { RepoScope } from "./scope.ts";
import { step } from "./step.ts";
import { nextAttemptMode } from "../core/lifecycle/transition.ts";
import { agentToKeep } from "./route.ts";
import { lifecycleOf, WAITING_STATUSES } from "./task-record.ts";

/**
 * Offers free agent slots to waiting tasks, in queue order (priority, then first in first out).
 * Each waiting task is offered one while fewer than `maxAgents` attempts are active, except a
 * task whose next attempt must stay with an agent that is busy (it keeps its place until that
 * agent is free); while the repository is paused or over its daily budget the lifecycle holds
 * each task instead, once. Webhooks of one repository take turns here (`AppDeps.slotTurns`).
 */
export async function offerSlots(scope: RepoScope, config: SwarmConfig): Promise<void> {
  // A dispatch that fails frees its slot and offers it again from inside this turn.
  if (offering.has(scope)) return offerNow(scope, config);
  await scope.deps.slotTurns.run(scope.repo, async () => {
    offering.add(scope);
    try {
      await offerNow(scope, config);
    } finally {
      offering.delete(scope);
    }
  });
}

// The events whose handling is inside its repository's turn.
const offering = new WeakSet<RepoScope>();

async function offerNow(scope: RepoScope, config: SwarmConfig): Promise<void> {
  const { ledger } = scope.deps;
  // With every slot taken (most events) the queue is not read at all.
  let active = await ledger.attempts.listActive(scope.repo);
  if (active.length >= config.agents.maxAgents) return;
  for (const task of await ledger.tasks.listQueued(scope.repo, WAITING_STATUSES)) {
    const keep = agentToKeep(nextAttemptMode(lifecycleOf(task)).mode, task);
    if (keep !== undefined && active.some((a) => a.agent === keep)) continue;
    await step(scope, config, task.issueNumber, { kind: "slot.offered" });
    active = await ledger.attempts.listActive(scope.repo);
    if (active.length >= config.agents.maxAgents) return;
  }
}
