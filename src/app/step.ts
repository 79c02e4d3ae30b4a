import type { SwarmConfig } from "../core/config/schema.ts";
import type { LifecycleContext } from "../core/lifecycle/context.ts";
import type { LifecycleEvent } from "../core/lifecycle/events.ts";
import { transition, type Transition } from "../core/lifecycle/transition.ts";
import type { TaskKey } from "../ledger/index.ts";
import { applyEffects } from "./effects.ts";
import type { RepoScope } from "./scope.ts";
import { lifecycleOf, recordOf, WAITING_STATUSES } from "./task-record.ts";

/** The facts outside a task that the lifecycle weighs: attempts allowed, pause, daily budget. */
export async function lifecycleContext(scope: RepoScope, config: SwarmConfig): Promise<LifecycleContext> {
  const { ledger, now } = scope.deps;
  const [paused, spent] = await Promise.all([
    ledger.repositories.isPaused(scope.repo),
    ledger.usage.dailySpend(scope.repo, now()),
  ]);
  return { maxAttempts: config.maxAttempts, paused, dailyBudgetExhausted: spent >= config.budgets.dailyUsd };
}

/**
 * Feeds one event to a task: asks the lifecycle for the next state, writes it to the ledger (the
 * intent) and then performs the effects in order. A refused event changes nothing and is logged.
 * Returns the transition, or null when the ledger has no such task.
 */
export async function step(
  scope: RepoScope,
  config: SwarmConfig,
  issueNumber: number,
  event: LifecycleEvent,
): Promise<Transition | null> {
  const key: TaskKey = { repo: scope.repo, issueNumber };
  const stored = await scope.deps.ledger.tasks.get(key);
  if (stored === undefined) return null;
  const before = lifecycleOf(stored);
  const result = transition(before, event, await lifecycleContext(scope, config));
  if (!result.ok) {
    scope.log.info(
      { task: `${scope.repo}#${issueNumber}`, event: event.kind, refusal: result.code },
      result.reason,
    );
    return result;
  }
  // Entering the queue stamps the task's place in it: first in, first out.
  const queued = WAITING_STATUSES.includes(result.task.status) && !WAITING_STATUSES.includes(before.status);
  await scope.deps.ledger.tasks.update(
    key,
    { ...recordOf(result.task), ...(queued ? { queuedAt: scope.deps.now().toISOString() } : {}) },
    [
      {
        repo: scope.repo,
        issueNumber,
        attempt: result.task.attempt === 0 ? null : result.task.attempt,
        action: `task.${event.kind}`,
        detail: { from: before.status, to: result.task.status },
      },
    ],
  );
  await applyEffects(scope, config, { key, before, after: result.task }, result.effects);
  return result;
}
