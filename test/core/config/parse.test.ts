import { test } from "node:test";
import assert from "node:assert/strict";
import { formatProblem, parseConfig } from "../../../src/core/config/parse.ts";
import type { ConfigProblem } from "../../../src/core/config/parse.ts";

/** 1-based line and column of the first `needle` in `text`, found independently of the parser. */
function at(text: string, needle: string, from = 0): { line: number; column: number } {
  const offset = text.indexOf(needle, from);
  assert.ok(offset >= 0, `fixture has ${needle}`);
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1) ?? "").length + 1 };
}

function problems(text: string): ConfigProblem[] {
  const result = parseConfig(text);
  assert.equal(result.ok, false, "the config should be rejected");
  return result.ok ? [] : result.problems;
}

test("an empty file is a valid config with the defaults", () => {
  const result = parseConfig("");
  assert.ok(result.ok);
  assert.equal(result.config.agents.maxAgents, 5);
});

test("a comment-only file is a valid config", () => {
  assert.ok(parseConfig("# nothing set yet\n").ok);
});

test("an unknown key is reported at its line:column with a did-you-mean", () => {
  const text = "agents:\n  maxAgent: 3\n";
  const [problem, ...rest] = problems(text);
  assert.equal(rest.length, 0);
  assert.deepEqual({ line: problem?.line, column: problem?.column }, at(text, "maxAgent"));
  assert.equal(problem?.path, "agents.maxAgent");
  assert.match(problem?.found ?? "", /unknown key "maxAgent"/);
  assert.match(problem?.expected ?? "", /maxAgents/);
  assert.equal(problem?.hint, 'did you mean "maxAgents"?');
});

test("an unknown top-level key with no near match gets no suggestion", () => {
  const [problem] = problems("frobnication: true\n");
  assert.equal(problem?.path, "frobnication");
  assert.equal(problem?.hint, undefined);
});

test("negative budgets are rejected, naming the key, the bound and the value written", () => {
  const text = "budgets:\n  taskUsd: -5\n  dailyUsd: -0.5\n";
  const found = problems(text);
  assert.deepEqual(
    found.map((p) => [p.path, p.line, p.column, p.found]),
    [
      ["budgets.taskUsd", at(text, "-5").line, at(text, "-5").column, "-5"],
      ["budgets.dailyUsd", at(text, "-0.5").line, at(text, "-0.5").column, "-0.5"],
    ],
  );
  assert.match(found[0]?.expected ?? "", /> 0/);
});

test("a wrong type names what was expected and what was written", () => {
  const text = 'agents:\n  maxAgents: "five"\n';
  const [problem] = problems(text);
  assert.equal(problem?.path, "agents.maxAgents");
  assert.equal(problem?.expected, "a number");
  assert.equal(problem?.found, '"five"');
  assert.deepEqual({ line: problem?.line, column: problem?.column }, at(text, '"five"'));
});

test("an unknown tier in a routing rule is an error listing the tiers", () => {
  const text = "models:\n  routing:\n    - label: security\n      tier: ultra\n";
  const [problem] = problems(text);
  assert.equal(problem?.path, "models.routing[0].tier");
  assert.match(problem?.expected ?? "", /"frontier", "standard", "fast"/);
  assert.equal(problem?.found, "ultra");
  assert.deepEqual({ line: problem?.line, column: problem?.column }, at(text, "ultra"));
});

test("a routing rule without label or paths is rejected", () => {
  const [problem] = problems("models:\n  routing:\n    - tier: fast\n");
  assert.equal(problem?.path, "models.routing[0]");
  assert.match(problem?.expected ?? "", /label, paths/);
});

test("a tier whose model has no price is rejected at the tier", () => {
  const text = "models:\n  tiers:\n    fast: my-model\n";
  const [problem] = problems(text);
  assert.equal(problem?.path, "models.tiers.fast");
  assert.match(problem?.expected ?? "", /price in models\.pricing/);
  assert.deepEqual({ line: problem?.line, column: problem?.column }, at(text, "my-model"));
});

test("malformed YAML is reported with its line:column and nothing else is validated", () => {
  const text = "agents:\n  maxAgents: [1,\nbudgets: {}\n";
  const found = problems(text);
  assert.ok(found.length >= 1);
  assert.equal(found[0]?.expected, "valid YAML");
  assert.match(found[0]?.found ?? "", /syntax error/);
  assert.ok((found[0]?.line ?? 0) >= 2);
});

test("a duplicate key is an error, not a silent overwrite", () => {
  const text = "maxAttempts: 3\nmaxAttempts: 5\n";
  const [problem] = problems(text);
  assert.equal(problem?.expected, "each key once");
  assert.equal(problem?.found, 'a second "maxAttempts"');
  assert.equal(problem?.line, at(text, "maxAttempts", 1).line);
});

test("a document that is not a mapping is rejected", () => {
  const [problem] = problems("- 1\n- 2\n");
  assert.equal(problem?.path, "");
  assert.equal(problem?.found, "a list");
});

test("every problem in the file is reported, in file order", () => {
  const text = "time:\n  jobMinutes: 0\nagents:\n  namePrefix: Bob\nmaxAttempts: 1.5\n";
  const found = problems(text);
  assert.deepEqual(
    found.map((p) => p.path),
    ["time.jobMinutes", "agents.namePrefix", "maxAttempts"],
  );
  const lines = found.map((p) => p.line);
  assert.deepEqual(
    lines,
    [...lines].sort((a, b) => a - b),
  );
});

test("a missing required key is reported at its parent", () => {
  const text =
    "models:\n  pricing:\n    my-model: { input: 1, output: 2, cacheWrite: 1, cacheWrite1h: 2, cacheRead: 0.1 }\n";
  const [problem, ...rest] = problems(text);
  assert.equal(rest.length, 0);
  assert.equal(problem?.path, 'models.pricing["my-model"].contextWindow');
  assert.equal(problem?.found, "nothing (the key is missing)");
  assert.equal(problem?.line, at(text, "{ input").line);
});

test("labels that collide ignoring case are rejected", () => {
  const [problem] = problems("labels:\n  ready: swarm:go\n  done: SWARM:GO\n");
  assert.equal(problem?.path, "labels.done");
  assert.match(problem?.expected ?? "", /different from ready/);
});

test("a stall limit shorter than two heartbeats is rejected", () => {
  const [problem] = problems("time:\n  heartbeatSeconds: 300\n  stallSeconds: 400\n");
  assert.equal(problem?.path, "time.stallSeconds");
});

test("an unresolved alias is reported, not thrown", () => {
  const [problem] = problems("maxAttempts: *nowhere\n");
  assert.equal(problem?.expected, "valid YAML");
});

test("a problem prints as file:line:column, path, expected and found", () => {
  const line = formatProblem("swarm.yml", {
    line: 2,
    column: 3,
    path: "agents.maxAgent",
    expected: "one of the keys maxAgents, namePrefix",
    found: 'unknown key "maxAgent"',
    hint: 'did you mean "maxAgents"?',
  });
  assert.equal(
    line,
    'swarm.yml:2:3  agents.maxAgent: expected one of the keys maxAgents, namePrefix, found unknown key "maxAgent" (did you mean "maxAgents"?)',
  );
});

test("an unknown numeric key is reported at the key itself", () => {
  const text = "agents:\n  maxAgents: 3\n  42: x\n";
  const [problem] = problems(text);
  assert.equal(problem?.found, 'unknown key "42"');
  assert.deepEqual({ line: problem?.line, column: problem?.column }, at(text, "42"));
});
