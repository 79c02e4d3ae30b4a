import { test } from "node:test";
import assert from "node:assert/strict";
import { configSchema } from "../../src/core/config/schema.ts";
import { MAX_COMMANDS, MAX_GLOBS } from "../../src/core/config/fields.ts";
import type { ModelPrice } from "../../src/core/config/fields.ts";
import { MAX_FINDING_TEXT, MAX_FINDINGS } from "../../src/core/finding.ts";
import type { Finding } from "../../src/core/finding.ts";
import {
  agentBranch,
  encodeJob,
  JobError,
  jobSize,
  MAX_DISPATCH_INPUT_CHARS,
  parseJob,
} from "../../src/core/job.ts";
import type { JobInput } from "../../src/core/job.ts";

const config = configSchema.parse({});
const modelId = config.models.tiers.standard;
function priceOf(id: string): ModelPrice {
  const price = config.models.pricing[id];
  assert.ok(price, `${id} has a price`);
  return price;
}
const price = priceOf(modelId);

function job(overrides: Partial<JobInput> = {}): JobInput {
  return {
    version: 1,
    repository: "octo-org/widgets",
    issue: 42,
    taskId: "task-42",
    attempt: 1,
    agent: "builder-01",
    sessionId: "3f6c2a7e-1b2d-4c55-9a0e-7d1f0c9b8e21",
    mode: "implement",
    model: { id: modelId, tier: "standard", price },
    branch: agentBranch(42, "builder-01"),
    baseBranch: "main",
    scope: ["src/widgets/**"],
    protectedPaths: config.protectedPaths,
    allowedCommands: config.allowedCommands,
    limits: {
      tokens: config.budgets.agentTokens,
      usd: config.budgets.taskUsd,
      jobMinutes: config.time.jobMinutes,
      heartbeatSeconds: config.time.heartbeatSeconds,
    },
    requestedBy: { login: "octocat", id: 583231 },
    ...overrides,
  };
}

/** Text of exactly `length` characters cut from `sample` repeated: realistic content at the limit. */
function fill(sample: string, length: number): string {
  return sample.repeat(Math.ceil(length / sample.length)).slice(0, length);
}

const code = 'if (config.labels.ready !== "swarm:ready") {\n\tthrow new Error(`label → ${name}`);\n}\n';

test("a job encodes and parses back to the same job", () => {
  const encoded = encodeJob(job());
  assert.deepEqual(parseJob(encoded), { ...job(), findings: [] });
});

test("the agent's branch is swarm/<issue>-<agent>", () => {
  assert.equal(agentBranch(42, "builder-01"), "swarm/42-builder-01");
});

test("a realistic worst-case rework job fits one workflow_dispatch input", (t) => {
  const finding: Finding = {
    gate: fill("check:typecheck-and-lint", 64),
    file: fill("packages/widget-factory/src/components/", 196) + ".ts",
    line: 1234,
    expected: fill(code, MAX_FINDING_TEXT),
    found: fill(code.replace("!==", "==="), MAX_FINDING_TEXT),
    hint: fill("Compare with the label names in .github/swarm.yml; keep “swarm:ready”. ", MAX_FINDING_TEXT),
  };
  const glob = (i: number) => fill(`packages/module-${i}/src/features/`, 192) + "/**/*.ts";
  const worst = job({
    mode: "rework",
    attempt: 3,
    model: {
      id: "claude-fable-5-1",
      tier: "frontier",
      price: priceOf("claude-fable-5-1"),
    },
    scope: Array.from({ length: MAX_GLOBS }, (_, i) => glob(i)),
    protectedPaths: Array.from({ length: MAX_GLOBS }, (_, i) => glob(i + 100)),
    allowedCommands: Array.from({ length: MAX_COMMANDS }, (_, i) => fill(`program-${i}-`, 40)),
    findings: Array.from({ length: MAX_FINDINGS }, () => finding),
  });
  const encoded = encodeJob(worst);
  const size = jobSize(encoded);
  assert.ok(size <= MAX_DISPATCH_INPUT_CHARS, `${size} > ${MAX_DISPATCH_INPUT_CHARS}`);
  assert.ok(size > 40_000, "the fixture really is near the limit");
  t.diagnostic(`worst-case rework job: ${size} of ${MAX_DISPATCH_INPUT_CHARS} characters`);
  assert.equal(parseJob(encoded).findings.length, MAX_FINDINGS);
});

test("a job over the dispatch limit is refused with its size", () => {
  const wide = "漢".repeat(MAX_FINDING_TEXT);
  const findings = Array.from({ length: MAX_FINDINGS }, () => ({
    gate: "scope",
    expected: wide,
    found: wide,
    hint: wide,
  }));
  assert.throws(
    () => encodeJob(job({ mode: "rework", attempt: 2, findings })),
    (error: unknown) => {
      assert.ok(error instanceof JobError);
      assert.match(error.message, /the job is \d+ characters, over the 65535/);
      return true;
    },
  );
});

test("job size counts UTF-8 bytes, never fewer than characters", () => {
  assert.equal(jobSize("abc"), 3);
  assert.equal(jobSize("→"), 3);
  assert.ok(jobSize("😀") >= [..."😀"].length);
});

test("parseJob names the bad field", () => {
  const bad = JSON.parse(encodeJob(job())) as Record<string, unknown>;
  bad.limits = { ...(bad.limits as object), usd: -1 };
  assert.throws(() => parseJob(JSON.stringify(bad)), /limits\.usd/);
});

test("parseJob refuses a field it does not know", () => {
  const extra = { ...JSON.parse(encodeJob(job())), protectedPathsOverride: [] };
  assert.throws(() => parseJob(JSON.stringify(extra)), /protectedPathsOverride/);
});

test("parseJob refuses another contract version with a clear message", () => {
  const v2 = { ...JSON.parse(encodeJob(job())), version: 2 };
  assert.throws(
    () => parseJob(JSON.stringify(v2)),
    /job version 2 is not supported; this action reads version 1/,
  );
});

test("parseJob refuses text that is not JSON", () => {
  assert.throws(() => parseJob("{not json"), /the job is not valid JSON/);
});

test("a branch other than the agent's is refused", () => {
  assert.throws(
    () => encodeJob(job({ branch: "main" })),
    /branch: expected the agent's branch swarm\/42-builder-01/,
  );
});

test("a rework job needs findings and a later attempt; other modes carry none", () => {
  assert.throws(
    () => encodeJob(job({ mode: "rework", attempt: 2 })),
    /findings: expected at least one finding/,
  );
  const finding = {
    gate: "scope",
    file: "src/a.ts",
    line: 3,
    expected: "inside src/widgets/**",
    found: "src/a.ts",
  };
  assert.throws(() => encodeJob(job({ mode: "rework", findings: [finding] })), /attempt: expected 2 or more/);
  assert.throws(
    () => encodeJob(job({ findings: [finding] })),
    /findings: expected no findings outside rework/,
  );
  assert.doesNotThrow(() => encodeJob(job({ mode: "rework", attempt: 2, findings: [finding] })));
});

test("branch names git would refuse are refused", () => {
  for (const baseBranch of ["", "-x", "a..b", "a b", "a:b", "a/.hidden", "x.lock", "ends/", "a@{1}"])
    assert.throws(() => encodeJob(job({ baseBranch })), /baseBranch/, baseBranch);
  for (const baseBranch of ["main", "release/1.2", "feature/x_y-z"])
    assert.doesNotThrow(() => encodeJob(job({ baseBranch })), baseBranch);
});

test("the model's price travels with the job, context window included", () => {
  const parsed = parseJob(encodeJob(job()));
  assert.deepEqual(parsed.model.price, config.models.pricing[modelId]);
  assert.ok(parsed.model.price.contextWindow > 0);
});

test("parseJob refuses input longer than any dispatch carries, before parsing it", () => {
  assert.throws(
    () => parseJob(" ".repeat(MAX_DISPATCH_INPUT_CHARS + 1)),
    /over the 65535 a workflow_dispatch carries/,
  );
});
