import { test } from "node:test";
import assert from "node:assert/strict";
import { configSchema, type SwarmConfigInput } from "../../src/core/config/schema.ts";
import {
  agentPool,
  pickAgent,
  route,
  routeModel,
  type AgentPickInput,
  type ModelRouteInput,
} from "../../src/core/routing.ts";

function config(input: SwarmConfigInput = {}) {
  return configSchema.parse(input);
}

function modelInput(overrides: Partial<ModelRouteInput> = {}, cfg = config()): ModelRouteInput {
  return { models: cfg.models, rework: cfg.rework, labels: [], scope: [], failedAttempts: 0, ...overrides };
}

const RULES = config({
  models: {
    routing: [
      { label: "db", paths: ["migrations/**"], tier: "frontier" },
      { label: "Typo", tier: "fast" },
      { paths: ["src/auth/**"], tier: "frontier" },
      { paths: ["docs/**"], tier: "fast" },
    ],
  },
});

test("no matching rule runs the default tier with its model", () => {
  const cfg = config();
  const r = routeModel(modelInput({}, cfg));
  assert.deepEqual(r.ok && [r.tier, r.model], [
    cfg.models.defaultTier,
    cfg.models.tiers[cfg.models.defaultTier],
  ]);
  assert.match(r.reason, /no routing rule matched/);
});

test("a label rule matches whatever the label's case", () => {
  const r = routeModel(modelInput({ labels: ["typo"] }, RULES));
  assert.deepEqual(r.ok && [r.tier, r.model], ["fast", RULES.models.tiers.fast]);
  assert.match(r.reason, /rule 2 \(label `Typo`\)/);
});

test("a path rule matches a scope entry inside its globs", () => {
  const r = routeModel(modelInput({ scope: ["README.md", "src/auth/session.ts"] }, RULES));
  assert.equal(r.ok && r.tier, "frontier");
  assert.match(r.reason, /rule 3/);
});

test("a rule with a label and paths needs both", () => {
  assert.match(routeModel(modelInput({ labels: ["db"] }, RULES)).reason, /no routing rule matched/);
  assert.match(
    routeModel(modelInput({ labels: ["db"], scope: ["migrations/001.sql"] }, RULES)).reason,
    /rule 1/,
  );
});

test("the first matching rule wins", () => {
  const r = routeModel(modelInput({ labels: ["typo"], scope: ["src/auth/a.ts"] }, RULES));
  assert.equal(r.ok && r.tier, "fast");
});

test("rework climbs one tier per escalateAfter failed attempts, up to frontier", () => {
  const cfg = config({ models: { defaultTier: "fast" }, rework: { escalateAfter: 2 } });
  const tiers = [0, 1, 2, 3, 4, 5, 9].map((failedAttempts) => {
    const r = routeModel(modelInput({ failedAttempts }, cfg));
    return r.ok && r.tier;
  });
  assert.deepEqual(tiers, ["fast", "fast", "standard", "standard", "frontier", "frontier", "frontier"]);
  assert.match(
    routeModel(modelInput({ failedAttempts: 2 }, cfg)).reason,
    /2 failed attempt\(s\).*raise it to standard/,
  );
});

test("escalateAfter 0 never escalates", () => {
  const cfg = config({ models: { defaultTier: "fast" }, rework: { escalateAfter: 0 } });
  const r = routeModel(modelInput({ failedAttempts: 9 }, cfg));
  assert.equal(r.ok && r.tier, "fast");
});

test("model= with a tier name wins over rules and escalation", () => {
  const r = routeModel(modelInput({ labels: ["typo"], failedAttempts: 8, override: "Standard" }, RULES));
  assert.deepEqual(r.ok && [r.tier, r.model], ["standard", RULES.models.tiers.standard]);
});

test("model= with a priced model id runs that model, under its tier when it has one", () => {
  const cfg = config();
  const other = Object.keys(cfg.models.pricing).find((m) => !Object.values(cfg.models.tiers).includes(m));
  assert.ok(other, "the built-in price table has a model no tier uses");
  assert.deepEqual(routeModel(modelInput({ override: other }, cfg)), {
    ok: true,
    tier: null,
    model: other,
    reason: `model ${other} asked for with model=`,
  });
  const r = routeModel(modelInput({ override: cfg.models.tiers.frontier }, cfg));
  assert.equal(r.ok && r.tier, "frontier");
});

test("model= with an unpriced model id is refused, since its cost cannot be budgeted", () => {
  const r = routeModel(modelInput({ override: "gpt-9" }));
  assert.equal(r.ok, false);
  assert.match(r.reason, /`gpt-9` is neither a tier .* nor a model with a price/);
});

test("the pool is named prefix-01 up to maxAgents", () => {
  assert.deepEqual(agentPool(config({ agents: { maxAgents: 3, namePrefix: "bee" } }).agents), [
    "bee-01",
    "bee-02",
    "bee-03",
  ]);
  assert.equal(agentPool(config({ agents: { maxAgents: 120 } }).agents).at(-1), "builder-120");
});

function agentInput(overrides: Partial<AgentPickInput> = {}): AgentPickInput {
  return {
    agents: config({ agents: { maxAgents: 4 } }).agents,
    busy: new Set(),
    areas: ["auth"],
    history: [],
    lastUsed: new Map(),
    ...overrides,
  };
}

test("the free agent with the best pass rate in the task's area is picked", () => {
  const history = [
    { agent: "builder-01", area: "auth", passed: 2, failed: 3 },
    { agent: "builder-02", area: "auth", passed: 9, failed: 1 },
    { agent: "builder-03", area: "billing", passed: 50, failed: 0 },
  ];
  const r = pickAgent(agentInput({ history }));
  assert.equal(r.ok && r.agent, "builder-02");
  assert.match(r.reason, /9\/10 passed in auth/);
  // builder-03's record is in billing: in auth it starts at 1/2, above builder-01's 3/7.
  const next = pickAgent(agentInput({ history, busy: new Set(["builder-02"]) }));
  assert.equal(next.ok && next.agent, "builder-03");
});

test("one lucky pass does not outrank a long good record", () => {
  const history = [
    { agent: "builder-01", area: "auth", passed: 1, failed: 0 },
    { agent: "builder-02", area: "auth", passed: 18, failed: 2 },
  ];
  const r = pickAgent(agentInput({ history }));
  assert.equal(r.ok && r.agent, "builder-02");
});

test("equal records go to the least recently used, then to pool order", () => {
  const lastUsed = new Map([
    ["builder-01", 3_000],
    ["builder-02", 1_000],
    ["builder-04", 2_000],
  ]);
  const r = pickAgent(agentInput({ lastUsed }));
  assert.equal(r.ok && r.agent, "builder-03", "never used is least recently used");
  assert.match(r.reason, /least recently used/);
  const r2 = pickAgent(agentInput({ lastUsed, busy: new Set(["builder-03"]) }));
  assert.equal(r2.ok && r2.agent, "builder-02");
  const r3 = pickAgent(agentInput({ lastUsed: new Map() }));
  assert.equal(r3.ok && r3.agent, "builder-01");
});

test("work that continues on a branch stays with the agent holding it, and waits while that agent is busy", () => {
  const history = [{ agent: "builder-02", area: "auth", passed: 9, failed: 0 }];
  const kept = pickAgent(agentInput({ history, keep: "builder-03" }));
  assert.deepEqual(kept.ok && kept.agent, "builder-03", "the branch's agent, over a better record");
  assert.match(kept.reason, /builder-03 holds the task's branch/);
  const busy = pickAgent(agentInput({ history, keep: "builder-03", busy: new Set(["builder-03"]) }));
  assert.equal(busy.ok, false);
  assert.equal(!busy.ok && busy.wait, true, "the task waits for its agent rather than failing");
  // An agent the pool no longer has (maxAgents lowered) leaves the task to the others.
  const gone = pickAgent(agentInput({ history, keep: "builder-07" }));
  assert.equal(gone.ok && gone.agent, "builder-02");
});

test("an agent named as an area's owner is picked while free", () => {
  const history = [{ agent: "builder-01", area: "builder-03", passed: 9, failed: 0 }];
  const input = agentInput({ areas: ["builder-03"], history });
  const r = pickAgent(input);
  assert.equal(r.ok && r.agent, "builder-03");
  const busy = pickAgent({ ...input, busy: new Set(["builder-03"]) });
  assert.equal(busy.ok && busy.agent, "builder-01");
});

test("with every agent busy there is no pick", () => {
  const busy = new Set(agentPool(config({ agents: { maxAgents: 4 } }).agents));
  const r = pickAgent(agentInput({ busy }));
  assert.deepEqual(r, { ok: false, reason: "all 4 agents are busy" });
});

test("route carries model and agent with one reason, or the first refusal", () => {
  const r = route(modelInput({ labels: ["typo"] }, RULES), agentInput());
  assert.equal(r.ok, true);
  assert.deepEqual(r.ok && [r.tier, r.agent], ["fast", "builder-01"]);
  assert.match(r.reason, /rule 2.*; agent builder-01/);
  assert.equal(route(modelInput({ override: "nope" }), agentInput()).ok, false);
  assert.match(
    route(modelInput(), agentInput({ busy: new Set(agentPool(agentInput().agents)) })).reason,
    /busy/,
  );
});

test("the reason names the runner-up: its record, or on a tie both agents' last use", () => {
  const history = [
    { agent: "builder-01", area: "auth", passed: 1, failed: 3 },
    { agent: "builder-02", area: "auth", passed: 4, failed: 0 },
  ];
  const r = pickAgent(agentInput({ history, busy: new Set(["builder-03", "builder-04"]) }));
  assert.equal(
    r.reason,
    "builder-02: best of 2 free (4/4 passed in auth; ahead of builder-01 (1/4 passed in auth))",
  );
  const lastUsed = new Map([
    ["builder-01", Date.parse("2026-01-02T00:00:00Z")],
    ["builder-02", Date.parse("2026-01-01T00:00:00Z")],
  ]);
  const tie = pickAgent(agentInput({ lastUsed, busy: new Set(["builder-03", "builder-04"]) }));
  assert.equal(
    tie.reason,
    "builder-02: best of 2 free (no record in auth; least recently used among equals: last used 2026-01-01T00:00:00.000Z, ahead of builder-01 (no record in auth, last used 2026-01-02T00:00:00.000Z))",
  );
});
