import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { DEFAULT_PRICING } from "../../src/core/config/defaults.ts";
import { parseJob } from "../../src/core/job.ts";
import { pullRequestBody, pullRequestTitle } from "../../src/core/pull-request-body.ts";
import { readReport, type Report } from "../../src/core/report.ts";
import { parseSwarmTrailers } from "../../src/core/trailers.ts";

const job = parseJob(
  JSON.stringify({
    version: 1,
    repository: "acme/widgets",
    issue: 12,
    taskId: "acme/widgets#12",
    attempt: 2,
    agent: "builder-03",
    sessionId: "s-12-2",
    mode: "implement",
    model: { id: "claude-haiku-4-5", tier: "fast", price: DEFAULT_PRICING["claude-haiku-4-5"] },
    branch: "swarm/12-builder-03",
    baseBranch: "main",
    scope: ["src/**"],
    protectedPaths: [],
    allowedCommands: ["npm"],
    limits: { tokens: 1000, usd: 1, jobMinutes: 10, heartbeatSeconds: 60 },
    requestedBy: { login: "octocat", id: 583231 },
  }),
);
const report: Report = {
  version: 1,
  outcome: "done",
  reason: "finished",
  taskId: job.taskId,
  attempt: 2,
  agent: job.agent,
  sessionId: job.sessionId,
  model: job.model.id,
  turns: 3,
  usage: { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 },
  costUsd: 0.001,
  tools: {},
  handoffs: 0,
  refusals: 0,
  filesChanged: ["src/a.ts"],
  refusedChanges: [],
  commands: [{ argv: "npm test", exitCode: 0 }],
  summary: "Added a.",
  headSha: null,
  pullRequest: null,
};

test("the body links the issue, says what changed and was tested, and carries the report", () => {
  const body = pullRequestBody(job, report);
  assert.match(body, /^Closes #12$/m);
  assert.match(body, /`src\/a\.ts`/);
  assert.match(body, /`npm test`: passed/);
  assert.deepEqual(readReport(body), { ok: true, report });
  assert.equal(pullRequestTitle(job, "  Add   a\nthing "), "Add a thing (#12)");
});

test("the body ends in the Swarm trailers, as git and our parser read them, so a squash keeps them", () => {
  const body = pullRequestBody(job, report);
  const parsed = parseSwarmTrailers(body);
  assert.ok(parsed.ok);
  assert.equal(parsed.trailers["Swarm-Session"], "s-12-2");
  const git = execFileSync("git", ["interpret-trailers", "--parse"], { input: body }).toString();
  assert.match(git, /^Swarm-Attempt: 2$/m);
  assert.match(git, /^Co-authored-by: octocat <583231\+octocat@users\.noreply\.github\.com>$/m);
});

test("the body of a huge attempt stays within GitHub's limit and still carries a readable report", () => {
  const huge: Report = {
    ...report,
    commands: Array.from({ length: 2000 }, (_, i) => ({
      argv: `npm run check -- part-${i}`,
      exitCode: i % 7,
    })),
    filesChanged: Array.from({ length: 900 }, (_, i) => `src/generated/very/deep/folder/file-${i}.ts`),
  };
  const body = pullRequestBody(job, huge);
  assert.ok(body.length <= 65_536, `${body.length} characters`);
  assert.match(body, /^- … and 850 more files$/m);
  assert.match(body, /^- … 1970 earlier commands$/m);
  const read = readReport(body);
  assert.ok(read.ok);
  assert.equal(read.report.turns, huge.turns);
  assert.ok((read.report.omitted?.commands ?? 0) > 0);
  assert.ok(parseSwarmTrailers(body).ok, "the trailers still end the body");
});
