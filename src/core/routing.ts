import { type SwarmConfig } from "./config/schema.ts";
import { TIERS, type Tier } from "./config/fields.ts";
import { globMatcher } from "./globs.ts";
import { codeSpan } from "./markdown.ts";

/** What model routing reads: the config's models and rework sections, the task, and a person's override. */
export interface ModelRouteInput {
  models: SwarmConfig["models"];
  rework: SwarmConfig["rework"];
  labels: readonly string[];
  /** The task's scope (paths or globs) from the spec lint. */
  scope: readonly string[];
  /** Attempts of this task that have failed so far. */
  failedAttempts: number;
  /** The `model=` value of a `/swarm retry`: a tier name or a priced model id. */
  override?: string | undefined;
}

/** The model an attempt runs on and why; `tier` is null for a model id no tier uses. */
export type ModelRoute =
  { ok: true; tier: Tier | null; model: string; reason: string } | { ok: false; reason: string };

/**
 * Picks the model for an attempt: a person's `model=` override wins; otherwise the first routing
 * rule that matches (label and paths both, when a rule has both) or the default tier, raised one
 * tier per `rework.escalateAfter` failed attempts, up to frontier.
 */
export function routeModel(input: ModelRouteInput): ModelRoute {
  const { models } = input;
  if (input.override !== undefined) {
    const tier = TIERS.find((t) => t === input.override?.toLowerCase());
    if (tier !== undefined)
      return { ok: true, tier, model: models.tiers[tier], reason: `tier ${tier} asked for with model=` };
    const model = input.override;
    if (!Object.hasOwn(models.pricing, model))
      return {
        ok: false,
        reason: `${codeSpan(model)} is neither a tier (${TIERS.join(", ")}) nor a model with a price in models.pricing, so its cost could not be budgeted`,
      };
    const owner = TIERS.find((t) => models.tiers[t] === model) ?? null;
    return { ok: true, tier: owner, model, reason: `model ${model} asked for with model=` };
  }
  const labels = new Set(input.labels.map((l) => l.toLowerCase()));
  const ruleIndex = models.routing.findIndex((rule) => {
    const byLabel = rule.label === undefined || labels.has(rule.label.toLowerCase());
    const byPath = rule.paths === undefined || input.scope.some(globMatcher(rule.paths));
    return byLabel && byPath;
  });
  const rule = models.routing[ruleIndex];
  const base = rule?.tier ?? models.defaultTier;
  const why = rule
    ? `routing rule ${ruleIndex + 1} (${[
        rule.label === undefined ? "" : `label ${codeSpan(rule.label)}`,
        rule.paths === undefined ? "" : `paths ${rule.paths.map((p) => codeSpan(p)).join(", ")}`,
      ]
        .filter(Boolean)
        .join(" and ")})`
    : "no routing rule matched, default tier";
  const { escalateAfter } = input.rework;
  const steps = escalateAfter > 0 ? Math.floor(Math.max(0, input.failedAttempts) / escalateAfter) : 0;
  const tier = TIERS[Math.max(0, TIERS.indexOf(base) - steps)] ?? base;
  const escalation =
    tier === base
      ? ""
      : `; ${input.failedAttempts} failed attempt(s) with escalateAfter ${escalateAfter} raise it to ${tier}`;
  return { ok: true, tier, model: models.tiers[tier], reason: `tier ${base} from ${why}${escalation}` };
}

/** An agent's record in one area, from the ledger. */
export interface AgentRecord {
  agent: string;
  area: string;
  passed: number;
  failed: number;
}

/** What agent selection reads: the pool's shape, who is busy, track records and last use. */
export interface AgentPickInput {
  agents: SwarmConfig["agents"];
  /** Agents running a job now. */
  busy: ReadonlySet<string>;
  /** The task's areas from the spec lint. */
  areas: readonly string[];
  history: readonly AgentRecord[];
  /**
   * The agent whose branch holds the task's pull request, for an attempt that continues on it
   * (rework, conflict resolution): the branch is `swarm/<issue>-<agent>` and its commits carry
   * that agent's trailers, so the attempt stays with that agent and waits while it is busy.
   */
  keep?: string | undefined;
  /** When each agent last started a job, in milliseconds since the epoch; never used = absent. */
  lastUsed: ReadonlyMap<string, number>;
}

/**
 * The agent chosen for a task and why, or why none could be; `wait` when the task's own agent is
 * busy and the task should keep its place until it is free.
 */
export type AgentPick =
  { ok: true; agent: string; reason: string } | { ok: false; reason: string; wait?: true };

/** The pool's names, `<prefix>-01` up to `maxAgents`, in pool order. */
export function agentPool(agents: SwarmConfig["agents"]): string[] {
  return Array.from(
    { length: agents.maxAgents },
    (_, i) => `${agents.namePrefix}-${String(i + 1).padStart(2, "0")}`,
  );
}

/**
 * Picks a free agent: the agent to `keep` when there is one (or waits for it); an agent the
 * ownership map names as an area's owner first; then the best
 * pass rate in the task's areas, smoothed as (passed + 1) / (attempts + 2) so one lucky pass does
 * not outrank a long good record and a newcomer starts at one half; then the least recently used;
 * then pool order.
 */
export function pickAgent(input: AgentPickInput): AgentPick {
  const pool = agentPool(input.agents);
  // An agent no longer in the pool (the config shrank it) gives its task up to the others.
  const keep = input.keep !== undefined && pool.includes(input.keep) ? input.keep : undefined;
  if (keep !== undefined)
    return input.busy.has(keep)
      ? {
          ok: false,
          wait: true,
          reason: `${keep} holds the task's branch and is busy; the task waits for it`,
        }
      : { ok: true, agent: keep, reason: `${keep} holds the task's branch and pull request` };
  const free = pool.filter((agent) => !input.busy.has(agent));
  if (free.length === 0) return { ok: false, reason: `all ${pool.length} agents are busy` };
  const owner = free.find((agent) => input.areas.includes(agent));
  if (owner !== undefined)
    return { ok: true, agent: owner, reason: `${owner} owns the task's area and is free` };
  const areas = new Set(input.areas);
  const score = (agent: string) => {
    let passed = 0;
    let attempts = 0;
    for (const r of input.history)
      if (r.agent === agent && areas.has(r.area)) {
        passed += r.passed;
        attempts += r.passed + r.failed;
      }
    return {
      agent,
      passed,
      attempts,
      rate: (passed + 1) / (attempts + 2),
      last: input.lastUsed.get(agent) ?? -Infinity,
    };
  };
  // Array.prototype.sort is stable, so agents equal on both keys keep pool order.
  const ranked = free
    .map(score)
    .sort((a, b) => b.rate - a.rate || (a.last === b.last ? 0 : a.last < b.last ? -1 : 1));
  const best = ranked[0];
  if (best === undefined) return { ok: false, reason: "no agent is free" };
  const where = areas.size > 0 ? [...areas].join(", ") : "this area";
  const record = (r: typeof best) =>
    r.attempts > 0 ? `${r.passed}/${r.attempts} passed in ${where}` : `no record in ${where}`;
  const used = (r: typeof best) =>
    r.last === -Infinity ? "never used" : `last used ${new Date(r.last).toISOString()}`;
  // The reason names the runner-up too, so the ledger shows what the choice was made against.
  const next = ranked[1];
  const versus =
    next === undefined
      ? ""
      : next.rate === best.rate
        ? `; least recently used among equals: ${used(best)}, ahead of ${next.agent} (${record(next)}, ${used(next)})`
        : `; ahead of ${next.agent} (${record(next)})`;
  return {
    ok: true,
    agent: best.agent,
    reason: `${best.agent}: best of ${free.length} free (${record(best)}${versus})`,
  };
}

/** The routing decision for an attempt: model and agent together, with one reason for the ledger. */
export type Route =
  | { ok: true; tier: Tier | null; model: string; agent: string; reason: string }
  | { ok: false; reason: string; wait?: true };

/** Routes an attempt: its model (see routeModel) and its agent (see pickAgent). */
export function route(model: ModelRouteInput, agent: AgentPickInput): Route {
  const m = routeModel(model);
  if (!m.ok) return m;
  const a = pickAgent(agent);
  if (!a.ok) return a;
  return { ok: true, tier: m.tier, model: m.model, agent: a.agent, reason: `${m.reason}; agent ${a.reason}` };
}
