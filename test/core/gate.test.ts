import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { configSchema } from "../../src/core/config/schema.ts";
import { findingSchema, MAX_FINDING_TEXT, MAX_FINDINGS, type Finding } from "../../src/core/finding.ts";
import {
  ANNOTATIONS_PER_REQUEST,
  annotationBatches,
  evaluateGates,
  GATES,
  renderGateSummary,
  reworkFindings,
  type GateInput,
  type GateName,
} from "../../src/core/gate.ts";
import { agentBranch, jobSchema, type Job } from "../../src/core/job.ts";
import { formatCommitMessage, type SwarmTrailersInput } from "../../src/core/trailers.ts";

const config = configSchema.parse({ ownership: { "src/auth/**": "auth", "src/billing/**": "builder-02" } });
const model = config.models.tiers.standard;
const price = config.models.pricing[model];
assert.ok(price);

const job: Job = jobSchema.parse({
  version: 1,
  repository: "octo-org/widgets",
  issue: 42,
  taskId: "task-42",
  attempt: 2,
  agent: "builder-01",
  sessionId: "session-b",
  mode: "rework",
  model: { id: model, tier: "standard", price },
  branch: agentBranch(42, "builder-01"),
  baseBranch: "main",
  scope: ["src/auth/**", "src/billing/**", "test/auth/**"],
  protectedPaths: config.protectedPaths,
  allowedCommands: config.allowedCommands,
  limits: { tokens: 1_000_000, usd: 5, jobMinutes: 60, heartbeatSeconds: 120 },
  requestedBy: { login: "octocat", id: 583231 },
  findings: [{ gate: "scope", expected: "x", found: "y" }],
});

function trailers(overrides: Partial<SwarmTrailersInput> = {}): SwarmTrailersInput {
  return {
    "Swarm-Agent": job.agent,
    "Swarm-Task": job.taskId,
    "Swarm-Model": model,
    "Swarm-Session": job.sessionId,
    "Swarm-Attempt": job.attempt,
    ...overrides,
  };
}

function commit(sha: string, overrides: Partial<SwarmTrailersInput> = {}) {
  return { sha, message: formatCommitMessage(`Change ${sha}\n\nWhy it changed.`, trailers(overrides)) };
}

function input(overrides: Partial<GateInput> = {}): GateInput {
  return {
    job,
    ownership: config.ownership,
    earlierSessions: ["session-a"],
    changedFiles: [
      { path: "src/auth/session.ts", firstChangedLine: 12 },
      { path: "test/auth/session.test.ts", firstChangedLine: 1 },
    ],
    commits: [
      commit("a1b2c3d4e5f6a7b8", { "Swarm-Session": "session-a", "Swarm-Attempt": 1 }),
      commit("b2c3d4e5f6"),
    ],
    usage: { tokens: 400_000, usd: 1.25 },
    pullRequestBody: "Sessions now last a day.\n\nCloses #42",
    ...overrides,
  };
}

function gate(report: ReturnType<typeof evaluateGates>, name: GateName) {
  const g = report.gates.find((x) => x.gate === name);
  assert.ok(g, name);
  return g;
}

test("a pull request that keeps every rule passes every gate", () => {
  const report = evaluateGates(input());
  assert.equal(report.passed, true, JSON.stringify(report.findings));
  assert.deepEqual(
    report.gates.map((g) => [g.gate, g.passed]),
    GATES.map((g) => [g, true]),
  );
});

test("a file outside the scope is a scope finding at its first changed line", () => {
  const report = evaluateGates(input({ changedFiles: [{ path: "lib/util.ts", firstChangedLine: 7 }] }));
  const [f] = gate(report, "scope").findings;
  assert.equal(report.passed, false);
  assert.deepEqual([f?.file, f?.line], ["lib/util.ts", 7]);
  assert.match(f?.expected ?? "", /src\/auth\/\*\*, src\/billing\/\*\*, test\/auth\/\*\*/);
  assert.match(f?.hint ?? "", /Revert/);
});

test("a rename out of the scope changes the old path too", () => {
  const report = evaluateGates(
    input({ changedFiles: [{ path: "src/auth/moved.ts", previousPath: "lib/old.ts" }] }),
  );
  assert.deepEqual(
    gate(report, "scope").findings.map((f) => f.file),
    ["lib/old.ts"],
  );
});

test("a path that is not a plain repository path is refused and kept out of the file field", () => {
  const report = evaluateGates(input({ changedFiles: [{ path: "src/auth/../../.github/x.yml" }] }));
  const [f] = gate(report, "scope").findings;
  assert.equal(f?.file, undefined);
  assert.match(f?.found ?? "", /\.\.\/\.\.\/\.github/);
});

test("a file the ownership map gives to another agent is a scope finding; areas and own files are not", () => {
  const report = evaluateGates(
    input({ changedFiles: [{ path: "src/billing/tax.ts", firstChangedLine: 3 }, { path: "src/auth/a.ts" }] }),
  );
  const findings = gate(report, "scope").findings;
  assert.equal(findings.length, 1);
  assert.match(findings[0]?.found ?? "", /belongs to builder-02 \(ownership: src\/billing\/\*\*\)/);
  const mine = evaluateGates(
    input({ job: { ...job, agent: "builder-02" }, commits: [commit("c1", { "Swarm-Agent": "builder-02" })] }),
  );
  assert.equal(gate(mine, "scope").passed, true);
});

test("touching a protected path is a finding naming the glob, also when renamed away", () => {
  const report = evaluateGates(
    input({
      job: { ...job, scope: ["**"] },
      changedFiles: [
        { path: ".github/workflows/ci.yml", firstChangedLine: 4 },
        { path: "docs/agents.md", previousPath: "AGENTS.md" },
      ],
    }),
  );
  const findings = gate(report, "protected-paths").findings;
  assert.deepEqual(
    findings.map((f) => [f.file, f.line]),
    [
      [".github/workflows/ci.yml", 4],
      ["AGENTS.md", undefined],
    ],
  );
  assert.match(findings[0]?.expected ?? "", /\.github\/workflows\/\*\*/);
  assert.equal(gate(report, "scope").passed, true);
});

test("a commit without Swarm trailers is an attribution finding", () => {
  const report = evaluateGates(
    input({ commits: [commit("a1"), { sha: "ffff0000ffff0000", message: "fix stuff" }] }),
  );
  const findings = gate(report, "attribution").findings;
  assert.equal(findings.length, 1);
  assert.match(findings[0]?.found ?? "", /commit ffff0000ffff: Swarm-Agent is missing/);
});

test('only the app\'s own "Update branch" merge on a head it updated is spared the trailers', () => {
  const update = {
    sha: "dddd0000dddd0000",
    message: "Merge branch 'main' into swarm/12-builder-01",
    parents: ["a1", "main0001"],
  };
  const spared = evaluateGates(input({ commits: [commit("a1"), update], branchUpdates: ["a1"] }));
  assert.equal(gate(spared, "attribution").passed, true);
  // The same merge on a head the app never updated, or one merge parent only, is the agent's: it needs trailers.
  for (const other of [
    input({ commits: [commit("a1"), update], branchUpdates: [] }),
    input({ commits: [commit("a1"), { ...update, parents: ["a1"] }], branchUpdates: ["a1"] }),
    input({ commits: [commit("a1"), { ...update, message: "fix stuff" }], branchUpdates: ["a1"] }),
  ])
    assert.equal(gate(evaluateGates(other), "attribution").passed, false);
});

test("trailers of another agent, task or session are attribution findings", () => {
  const report = evaluateGates(
    input({
      commits: [
        commit("a1", { "Swarm-Agent": "builder-07" }),
        commit("a2", { "Swarm-Task": "task-41" }),
        commit("a3", { "Swarm-Session": "session-z" }),
        commit("a4", { "Swarm-Attempt": 1 }),
      ],
    }),
  );
  const found = gate(report, "attribution").findings.map((f) => f.found);
  assert.equal(found.length, 4);
  assert.match(found[0] ?? "", /Swarm-Agent builder-07 \(expected builder-01\)/);
  assert.match(found[1] ?? "", /Swarm-Task task-41/);
  assert.match(found[2] ?? "", /Swarm-Session session-z/);
  assert.match(found[3] ?? "", /Swarm-Attempt 1 \(expected 2 for this session\)/);
});

test("a pull request without commits fails attribution", () => {
  assert.equal(gate(evaluateGates(input({ commits: [] })), "attribution").passed, false);
});

test("usage over the token or dollar limit is a budget finding each", () => {
  const report = evaluateGates(input({ usage: { tokens: 1_000_001, usd: 5.01 } }));
  const found = gate(report, "budget").findings.map((f) => [f.expected, f.found]);
  assert.deepEqual(found, [
    ["at most 1000000 tokens", "1000001 tokens used"],
    ["at most $5.00", "$5.01 spent"],
  ]);
  assert.equal(gate(evaluateGates(input({ usage: { tokens: 1_000_000, usd: 5 } })), "budget").passed, true);
});

test("missing or nonsensical usage fails the budget gate rather than passing it", () => {
  assert.match(
    gate(evaluateGates(input({ usage: undefined })), "budget").findings[0]?.found ?? "",
    /no usage/,
  );
  assert.equal(gate(evaluateGates(input({ usage: { tokens: Number.NaN, usd: 1 } })), "budget").passed, false);
  assert.equal(gate(evaluateGates(input({ usage: { tokens: 1, usd: -1 } })), "budget").passed, false);
});

test("the issue link accepts GitHub's closing keywords and reference forms", () => {
  for (const body of [
    "Closes #42",
    "fixes: #42",
    "This RESOLVED #42.",
    "Resolves octo-org/widgets#42",
    "closes Octo-Org/Widgets#42",
    "Fixed https://github.com/octo-org/widgets/issues/42",
  ])
    assert.equal(gate(evaluateGates(input({ pullRequestBody: body })), "issue-link").passed, true, body);
});

test("a missing, wrong or hidden issue link is a finding", () => {
  for (const body of [
    "",
    "Refs #42",
    "Closes #421",
    "prefixes #42",
    "Closes#42",
    "Closes other/repo#42",
    "```\nCloses #42\n```",
    "<!-- Closes #42 -->",
  ]) {
    const g = gate(evaluateGates(input({ pullRequestBody: body })), "issue-link");
    assert.equal(g.passed, false, body);
    assert.match(g.findings[0]?.hint ?? "", /Closes #42/);
  }
  const wrong = gate(evaluateGates(input({ pullRequestBody: "Closes #7" })), "issue-link");
  assert.match(wrong.findings[0]?.found ?? "", /closes #7 instead/);
});

test("findings always satisfy the contract: long texts are cut, long paths leave the file field", () => {
  const long = `src/auth/${"a".repeat(300)}.ts`;
  const report = evaluateGates(
    input({
      job: { ...job, scope: ["lib/**"] },
      changedFiles: [{ path: long, firstChangedLine: 2 }],
      commits: [{ sha: "x", message: "subject\n\n" + "Swarm-Agent: " + "b".repeat(2000) }],
    }),
  );
  for (const f of report.findings) {
    assert.ok(findingSchema.safeParse(f).success);
    assert.ok(f.expected.length <= MAX_FINDING_TEXT && f.found.length <= MAX_FINDING_TEXT);
  }
  const scope = gate(report, "scope").findings[0];
  assert.equal(scope?.file, undefined);
  assert.equal(scope?.line, undefined);
});

test("the summary has one row per gate in gate order and escapes what the agent wrote", () => {
  const report = evaluateGates(input({ changedFiles: [{ path: "lib/a|b_@x.ts", firstChangedLine: 1 }] }));
  const summary = renderGateSummary(report);
  const rows = summary
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| Gate") && !l.startsWith("| ---"));
  assert.equal(rows.length, GATES.length);
  assert.match(rows[1] ?? "", /^\| Scope \| ❌ failed \| 1 finding\(s\) in 1 file\(s\) \|$/);
  assert.match(rows[0] ?? "", /✅ passed/);
  assert.match(summary, /Swarm gates: failed/);
  assert.match(summary, /lib\/a\\\|b\\_\\@x\.ts is outside it/);
  assert.match(renderGateSummary(evaluateGates(input())), /Swarm gates: passed/);
});

test("the summary lists at most the given number of findings and counts the rest", () => {
  const files = Array.from({ length: 60 }, (_, i) => ({ path: `lib/f${i}.ts`, firstChangedLine: i + 1 }));
  const summary = renderGateSummary(evaluateGates(input({ changedFiles: files })), 50);
  assert.equal(summary.split("\n").filter((l) => l.startsWith("- **scope**")).length, 50);
  assert.match(summary, /and 10 more finding\(s\)/);
});

test("annotations come in batches of at most 50, only for findings with a file", () => {
  const files = Array.from({ length: 120 }, (_, i) => ({ path: `lib/f${i}.ts`, firstChangedLine: i + 1 }));
  const report = evaluateGates(input({ changedFiles: files, pullRequestBody: "" }));
  const batches = annotationBatches(report.findings);
  assert.deepEqual(
    batches.map((b) => b.length),
    [ANNOTATIONS_PER_REQUEST, ANNOTATIONS_PER_REQUEST, 20],
  );
  const first = batches[0]?.[0];
  assert.deepEqual(first && [first.path, first.start_line, first.end_line, first.annotation_level], [
    "lib/f0.ts",
    1,
    1,
    "failure",
  ]);
  assert.match(first?.message ?? "", /^Expected: .*\nFound: lib\/f0\.ts is outside it\nHint: /);
  const noLine: Finding[] = [{ gate: "protected-paths", file: "AGENTS.md", expected: "a", found: "b" }];
  assert.equal(annotationBatches(noLine)[0]?.[0]?.start_line, 1);
  assert.deepEqual(annotationBatches([]), []);
});

test("a rework job keeps every finding when they fit, else the first ones and a count of the rest", () => {
  const few = evaluateGates(input({ changedFiles: [{ path: "lib/a.ts" }] }));
  assert.deepEqual(reworkFindings(few), few.findings);
  const files = Array.from({ length: 30 }, (_, i) => ({ path: `lib/f${i}.ts` }));
  const many = evaluateGates(input({ changedFiles: [{ path: ".github/workflows/x.yml" }, ...files] }));
  const kept = reworkFindings(many);
  assert.equal(kept.length, MAX_FINDINGS);
  assert.equal(kept[0]?.gate, "protected-paths", "the most important gate comes first");
  const expectedLeft = many.findings.length - (MAX_FINDINGS - 1);
  assert.match(kept.at(-1)?.found ?? "", new RegExp(`^${expectedLeft} more finding\\(s\\)`));
  for (const f of kept) assert.ok(findingSchema.safeParse(f).success);
});

test("fuzz: odd paths, messages, usage and bodies never throw and give valid findings", () => {
  const path = fc.oneof(
    fc.string({ unit: "binary", maxLength: 260 }),
    fc.stringMatching(/^[a-z./]{1,30}$/),
    fc.constantFrom("src/auth/a.ts", ".github/workflows/x.yml", "../x", "/etc/passwd"),
  );
  const file = fc.record({
    path,
    previousPath: fc.option(path, { nil: undefined }),
    firstChangedLine: fc.option(fc.integer({ min: -5, max: 1e6 }), { nil: undefined }),
  });
  const message = fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.constant(commit("c").message));
  const usage = fc.option(fc.record({ tokens: fc.double(), usd: fc.double() }), { nil: undefined });
  fc.assert(
    fc.property(
      fc.array(file, { maxLength: 8 }),
      fc.array(fc.record({ sha: fc.string({ maxLength: 40 }), message }), { maxLength: 4 }),
      usage,
      fc.string({ unit: "binary", maxLength: 200 }),
      (changedFiles, commits, use, body) => {
        const report = evaluateGates(input({ changedFiles, commits, usage: use, pullRequestBody: body }));
        for (const f of report.findings) assert.ok(findingSchema.safeParse(f).success, JSON.stringify(f));
        renderGateSummary(report);
        annotationBatches(report.findings);
        assert.ok(reworkFindings(report).length <= MAX_FINDINGS);
      },
    ),
    { seed: 20261122, numRuns: 300 },
  );
});
