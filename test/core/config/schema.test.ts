import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { formatProblem, parseConfig } from "../../../src/core/config/parse.ts";
import { configSchema } from "../../../src/core/config/schema.ts";
import { TIERS } from "../../../src/core/config/fields.ts";
import {
  DEFAULT_ALLOWED_COMMANDS,
  DEFAULT_LABELS,
  DEFAULT_PRICING,
  DEFAULT_PROTECTED_PATHS,
} from "../../../src/core/config/defaults.ts";

test("an empty config gets the default for every knob", () => {
  const config = configSchema.parse({});
  assert.equal(config.agents.maxAgents, 5);
  assert.equal(config.agents.namePrefix, "builder");
  assert.equal(config.maxAttempts, 3);
  assert.equal(config.rework.escalateAfter, 2);
  assert.equal(config.time.heartbeatSeconds, 120);
  assert.ok(3600 / config.time.heartbeatSeconds <= 30, "at most 30 heartbeats an hour");
  assert.ok(config.time.stallSeconds >= 2 * config.time.heartbeatSeconds);
  assert.equal(config.workflow, "swarm-agent.yml");
  assert.equal(config.review.sampleRate, 0.25);
  assert.deepEqual(config.labels, DEFAULT_LABELS);
  assert.deepEqual(config.allowedCommands, DEFAULT_ALLOWED_COMMANDS);
  assert.deepEqual(config.protectedPaths, DEFAULT_PROTECTED_PATHS);
  assert.deepEqual(config.models.pricing, DEFAULT_PRICING);
});

test("the default protected paths cover workflows, this config, agent instructions and MCP configs", () => {
  const paths = configSchema.parse({}).protectedPaths;
  for (const required of [
    ".github/workflows/**",
    ".github/swarm.yml",
    "CLAUDE.md",
    "AGENTS.md",
    ".cursorrules",
    ".mcp.json",
    ".cursor/mcp.json",
    ".vscode/mcp.json",
  ])
    assert.ok(paths.includes(required), required);
});

test("every default tier's model has a price and a context window", () => {
  const config = configSchema.parse({});
  for (const tier of TIERS) {
    const price = config.models.pricing[config.models.tiers[tier]];
    assert.ok(price, tier);
    assert.ok(price.contextWindow > 0);
  }
});

test("cache reads cost less than input and cache writes more, for every built-in model", () => {
  for (const [model, price] of Object.entries(DEFAULT_PRICING)) {
    assert.ok(price.cacheRead < price.input, model);
    assert.ok(price.cacheWrite > price.input, model);
    assert.ok(price.cacheWrite1h > price.cacheWrite, model);
  }
});

test("a nested section given in part keeps the defaults of the keys it leaves out", () => {
  const config = configSchema.parse({ agents: { maxAgents: 12 }, time: { jobMinutes: 30 } });
  assert.equal(config.agents.maxAgents, 12);
  assert.equal(config.agents.namePrefix, "builder");
  assert.equal(config.time.heartbeatSeconds, 120);
});

test("a pricing entry adds a model and keeps the built-in ones", () => {
  const custom = {
    input: 1,
    output: 2,
    cacheWrite: 1.25,
    cacheWrite1h: 2,
    cacheRead: 0.1,
    contextWindow: 200_000,
  };
  const config = configSchema.parse({
    models: { tiers: { fast: "my-model" }, pricing: { "my-model": custom } },
  });
  assert.deepEqual(config.models.pricing["my-model"], custom);
  assert.ok("claude-sonnet-5-5" in config.models.pricing);
  assert.equal(config.models.tiers.fast, "my-model");
});

test("reviewers and contacts written with @ are kept without it", () => {
  const config = configSchema.parse({ review: { reviewers: ["@octocat", "my-org/leads"] } });
  assert.deepEqual(config.review.reviewers, ["octocat", "my-org/leads"]);
});

/** Key paths of nested mappings, stopping at lists and at maps keyed by data (pricing, ownership). */
function keyPaths(value: unknown, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  if (prefix === "models.pricing" || prefix === "ownership") return [prefix];
  return Object.entries(value).flatMap(([key, inner]) =>
    keyPaths(inner, prefix === "" ? key : `${prefix}.${key}`),
  );
}

const doc = readFileSync(new URL("../../../docs/configuration.md", import.meta.url), "utf8");
const example = /## A full example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";

test("the full example in docs/configuration.md is a valid config", () => {
  const result = parseConfig(example);
  assert.ok(result.ok, result.ok ? "" : result.problems.map((p) => formatProblem("example", p)).join("\n"));
});

test("the full example in docs/configuration.md sets every knob", () => {
  const written = new Set(keyPaths(parseYaml(example)));
  for (const path of keyPaths(configSchema.parse({})))
    assert.ok(written.has(path), `${path} is in the example`);
});

test("docs/configuration.md names every knob", () => {
  for (const path of keyPaths(configSchema.parse({}))) {
    const key = path.split(".").at(-1) ?? path;
    assert.ok(doc.includes(`\`${key}\``) || doc.includes(`\`${path}\``), `${path} is documented`);
  }
});
