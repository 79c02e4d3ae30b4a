import { areasOfScope } from "../core/areas.ts";
import type { SwarmConfig } from "../core/config/schema.ts";
import type { Tier } from "../core/config/fields.ts";
import type { Job } from "../core/job.ts";
import { route } from "../core/routing.ts";
import type { Task as LedgerTask } from "../ledger/index.ts";
import type { RepoScope } from "./scope.ts";

/**
 * The agent an attempt in `mode` stays with: rework and conflict resolution push to the task's
 * branch, `swarm/<issue>-<agent>` of its last agent; fresh work goes to whoever routing picks.
 */
export function agentToKeep(mode: Job["mode"], task: LedgerTask): string | undefined {
  return mode === "implement" ? undefined : (task.agent ?? undefined);
}

/** The routing decision for one attempt. */
export interface AttemptRoute {
  tier: Tier;
  model: string;
  agent: string;
  /** The task's areas the agent was weighed in, kept with the attempt for later records. */
  areas: string[];
  reason: string;
}

/**
 * Gathers what routing weighs (failed attempts, busy agents, the task's areas, each agent's
 * record in them and when it last worked) and asks core for the model and agent. `keep` is the
 * agent whose branch the attempt continues on. Answers `{ wait }` while that agent is busy; throws
 * with routing's reason when it finds none, which the caller reports as a failed dispatch.
 */
export async function routeAttempt(
  scope: RepoScope,
  config: SwarmConfig,
  task: LedgerTask,
  labels: readonly string[],
  override: string | undefined,
  keep: string | undefined,
): Promise<AttemptRoute | { wait: string }> {
  const { ledger } = scope.deps;
  const key = { repo: task.repo, issueNumber: task.issueNumber };
  const areas = areasOfScope(task.fileScope, config.ownership);
  const [attempts, active, agents, history] = await Promise.all([
    ledger.attempts.list(key),
    ledger.attempts.listActive(scope.repo),
    ledger.agents.list(scope.repo),
    ledger.agents.records(scope.repo, areas),
  ]);
  const busy = new Set(active.map((a) => a.agent));
  const decision = route(
    {
      models: config.models,
      rework: config.rework,
      labels,
      scope: task.fileScope,
      // Work turned back counts as a failure even when its run succeeded: that is what rework means.
      failedAttempts: attempts.filter(
        (a) => a.state === "failed" || a.state === "timed_out" || a.verdict === "rejected",
      ).length,
      override,
    },
    {
      agents: config.agents,
      busy,
      areas,
      history,
      lastUsed: new Map(agents.map((a) => [a.name, Date.parse(a.lastUsedAt)])),
      keep,
    },
  );
  if (!decision.ok && decision.wait) return { wait: decision.reason };
  if (!decision.ok) throw new Error(decision.reason);
  // A model id outside the tiers still runs; the job names the default tier for its budget class.
  return { ...decision, areas, tier: decision.tier ?? config.models.defaultTier };
}
