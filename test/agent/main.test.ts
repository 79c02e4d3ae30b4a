import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { readReport } from "../../src/core/report.ts";
import { responseCost, fromApiUsage, addUsage, ZERO_USAGE } from "../../src/core/usage.ts";
import { implementsCorrectly } from "../../src/sim/anthropic/behaviours/implements-correctly.ts";
import { runsPastBudget } from "../../src/sim/anthropic/behaviours/runs-past-budget.ts";
import { call, finish } from "../../src/sim/anthropic/behaviours/steps.ts";
import type { Script } from "../../src/sim/anthropic/script.ts";
import { API_KEY, startAttemptFixture, type AttemptFixture } from "./attempt-fixture.ts";

const run = promisify(execFile);

const SUB_EDITS = [
  {
    path: "src/math.js",
    oldString: "  return a + b;\n}\n",
    newString: "  return a + b;\n}\n\nexport function sub(a, b) {\n  return a - b;\n}\n",
  },
  {
    path: "test/math.test.js",
    oldString: 'import { add } from "../src/math.js";',
    newString: 'import { add, sub } from "../src/math.js";\n\ntest("sub", () => assert.equal(sub(5, 3), 2));',
  },
];

/** Trailers of a message as real git reads them. */
async function gitTrailers(message: string): Promise<string> {
  const child = execFile("git", ["interpret-trailers", "--parse"]);
  child.stdin?.end(message);
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.on("close", resolve));
  return out;
}

describe("an attempt that implements the issue", () => {
  let fx: AttemptFixture;
  before(async () => {
    fx = await startAttemptFixture();
  });
  after(() => fx.close());

  test("edits two files, runs the tests, commits with trailers and opens a pull request", async () => {
    const job = fx.job();
    const { report } = await fx.attempt(job, implementsCorrectly({ edits: SUB_EDITS }));
    assert.equal(report.outcome, "done", report.reason);
    assert.deepEqual(report.filesChanged.sort(), ["src/math.js", "test/math.test.js"]);
    assert.deepEqual(report.commands, [{ argv: "npm test", exitCode: 0 }]);

    const message = await fx.bareGit("log", "-1", "--format=%B", `refs/heads/${job.branch}`);
    const trailers = await gitTrailers(message);
    assert.match(trailers, /^Swarm-Agent: builder-01$/m);
    assert.match(trailers, /^Swarm-Task: acme\/widgets#1$/m);
    assert.match(trailers, /^Swarm-Session: s-0001$/m);
    assert.match(trailers, /^Swarm-Attempt: 1$/m);
    assert.match(trailers, /^Co-authored-by: octocat <583231\+octocat@users\.noreply\.github\.com>$/m);
    const parent = (await fx.bareGit("rev-parse", `refs/heads/${job.branch}~1`)).trim();
    assert.equal(parent, (await fx.bareGit("rev-parse", "refs/heads/main")).trim());
    const diff = await fx.bareGit("diff", "--name-only", "main", job.branch);
    assert.deepEqual(diff.trim().split("\n").sort(), ["src/math.js", "test/math.test.js"]);

    assert.ok(report.pullRequest !== null);
    // A pull request's title and body live on its issue, as on GitHub.
    const pull = fx.repo.issues.get(report.pullRequest);
    assert.ok(pull && fx.repo.pulls.get(report.pullRequest)?.head === job.branch);
    assert.match(pull.body ?? "", /^Closes #1$/m);
    assert.equal(readReport(pull.body ?? "").ok, true);
    assert.match(await gitTrailers(pull.body ?? ""), /^Swarm-Agent: builder-01$/m);

    const checks = [...fx.repo.checkRuns.values()].filter((c) => c.name === "swarm/agent");
    const final = checks.find((c) => c.headSha === report.headSha);
    assert.equal(final?.conclusion, "success");
    const fromCheck = readReport(final?.output.text ?? "");
    assert.ok(fromCheck.ok);
    assert.equal(fromCheck.report.outcome, "done");
    assert.ok(
      checks.every((c) => c.status === "completed"),
      "no check run is left in progress",
    );
    fx.github.assertNoViolations();
  });

  test("the usage it reports is what the offline API billed, priced from the job", async () => {
    const fresh = await startAttemptFixture();
    try {
      const job = fresh.job();
      const { report } = await fresh.attempt(job, implementsCorrectly({ edits: SUB_EDITS }));
      let usage = ZERO_USAGE;
      let cost = 0;
      for (const record of fresh.anthropic.records()) {
        if (record.usage === null) continue;
        const one = fromApiUsage(record.usage);
        usage = addUsage(usage, one);
        cost += responseCost(one, job.model.price);
      }
      assert.deepEqual(report.usage, usage);
      assert.ok(Math.abs(report.costUsd - cost) < 1e-12);
      assert.ok(usage.cacheRead > 0, "later turns read the cached prefix");
    } finally {
      await fresh.close();
    }
  });
});

describe("the workspace", () => {
  test("files and folders the checkout does not track are gone before the first model request", async () => {
    const fx = await startAttemptFixture();
    try {
      await mkdir(join(fx.workspace, "notes"));
      await writeFile(join(fx.workspace, "notes/draft.md"), "left by an earlier step\n");
      await writeFile(join(fx.workspace, "src/leftover.js"), "export const stale = true;\n");
      const seen: string[] = [];
      const { report } = await fx.attempt(fx.job(), {
        name: "looks-then-finishes",
        next: () => {
          for (const path of ["notes/draft.md", "src/leftover.js", "src/math.js"])
            if (existsSync(join(fx.workspace, path))) seen.push(path);
          return finish("Nothing to change.");
        },
      });
      assert.deepEqual(seen, ["src/math.js"]);
      assert.equal(report.outcome, "no-changes", report.reason);
      assert.deepEqual(report.filesChanged, []);
    } finally {
      await fx.close();
    }
  });
  test("a checkout that cannot be prepared ends the attempt as error, reported on the check run", async () => {
    const fx = await startAttemptFixture();
    try {
      await rename(join(fx.workspace, ".git"), join(fx.workspace, ".git-moved"));
      const { report } = await fx.attempt(fx.job(), {
        name: "never-asked",
        next: () => finish("unreachable"),
      });
      assert.equal(report.outcome, "error");
      assert.match(report.reason, /^preparing the workspace failed: /);
      assert.equal(report.turns, 0);
      assert.equal(fx.anthropic.records().length, 0, "no model request");
      const checks = [...fx.repo.checkRuns.values()].filter((c) => c.name === "swarm/agent");
      assert.equal(checks.length, 1);
      assert.equal(checks[0]?.status, "completed");
      const read = readReport(checks[0]?.output.text ?? "");
      assert.ok(read.ok && read.report.outcome === "error");
    } finally {
      await fx.close();
    }
  });
});

describe("rework", () => {
  test("a rework attempt sees the findings, adds to the same branch and updates the same pull request", async () => {
    const fx = await startAttemptFixture();
    try {
      const first = await fx.attempt(fx.job(), implementsCorrectly({ edits: SUB_EDITS }));
      assert.equal(first.report.outcome, "done", first.report.reason);
      // The fresh workspace of the next workflow run: the base, not the agent's branch.
      await run("git", ["-C", fx.workspace, "checkout", "-qf", "main"]);
      await run("git", ["-C", fx.workspace, "clean", "-qfd"]);
      await run("git", ["-C", fx.workspace, "branch", "-q", "-D", fx.job().branch]);

      const rework = fx.job({
        mode: "rework",
        attempt: 2,
        sessionId: "s-0002",
        findings: [
          {
            gate: "check:test",
            file: "src/math.js",
            line: 5,
            expected: "sub(5, 3) is 2",
            found: "it throws",
          },
        ],
      });
      let task = "";
      const fixes: Script = {
        name: "fixes",
        next: (c) => {
          task = c.firstUserText;
          return c.turn === 0
            ? call("Fixing.", "write_file", { path: "src/fix.js", content: "export const fixed = true;\n" })
            : finish("Fixed the finding.");
        },
      };
      const second = await fx.attempt(rework, fixes);
      assert.equal(second.report.outcome, "done", second.report.reason);
      assert.match(task, /## Rework \(attempt 2\)/);
      assert.match(task, /- \[check:test\] src\/math\.js:5: expected sub\(5, 3\) is 2; found it throws\./);
      assert.equal(second.report.pullRequest, first.report.pullRequest, "the same pull request");
      const parent = (await fx.bareGit("rev-parse", `${rework.branch}~1`)).trim();
      assert.equal(parent, first.report.headSha, "the rework commit sits on the first attempt's");
      const files = await fx.bareGit("ls-tree", "-r", "--name-only", rework.branch);
      assert.match(files, /^src\/fix\.js$/m);
      assert.match(files, /^test\/math\.test\.js$/m, "the first attempt's work stays");
      const body = fx.repo.issues.get(second.report.pullRequest ?? 0)?.body ?? "";
      assert.match(body, /attempt 2\)/);
      const fromBody = readReport(body);
      assert.ok(fromBody.ok);
      assert.equal(fromBody.report.attempt, 2);
      fx.github.assertNoViolations();
    } finally {
      await fx.close();
    }
  });
});

describe("walls", () => {
  test("a token budget too small for the first request stops before any model request", async () => {
    const fx = await startAttemptFixture();
    try {
      const job = fx.job({ limits: { tokens: 1000, usd: 5, jobMinutes: 30, heartbeatSeconds: 60 } });
      const { report } = await fx.attempt(job, implementsCorrectly({ edits: SUB_EDITS }));
      assert.equal(report.outcome, "budget-tokens");
      assert.match(report.reason, /token budget of 1000/);
      assert.equal(fx.anthropic.records().length, 0);
      assert.equal(report.pullRequest, null);
    } finally {
      await fx.close();
    }
  });

  test("the USD ceiling stops a runaway agent without spending past it, and keeps its work", async () => {
    const fx = await startAttemptFixture();
    try {
      const job = fx.job({ limits: { tokens: 10_000_000, usd: 0.25, jobMinutes: 30, heartbeatSeconds: 60 } });
      const writesThenRuns: Script = {
        name: "writes-then-runs-away",
        next: (context) =>
          context.turn === 0
            ? call("Writing.", "write_file", { path: "src/notes.js", content: "export const notes = 1;\n" })
            : runsPastBudget({ outputTokensPerTurn: 3000 }).next(context),
      };
      const { report } = await fx.attempt(job, writesThenRuns, { maxTurns: 500 });
      assert.equal(report.outcome, "budget-usd");
      assert.ok(report.costUsd <= 0.25, `spent ${report.costUsd}`);
      assert.ok(report.turns > 2);
      assert.deepEqual(report.filesChanged, ["src/notes.js"]);
      const files = await fx.bareGit("ls-tree", "-r", "--name-only", job.branch);
      assert.match(files, /^src\/notes\.js$/m, "the work so far is on the branch");
      assert.equal(report.pullRequest, null, "a stopped attempt opens no pull request");
      const check = [...fx.repo.checkRuns.values()].find((c) => c.headSha === report.headSha);
      assert.equal(check?.conclusion, "failure");
    } finally {
      await fx.close();
    }
  });

  test("the job's minute bound stops the loop", async () => {
    const fx = await startAttemptFixture();
    try {
      const job = fx.job({ limits: { tokens: 10_000_000, usd: 5, jobMinutes: 1, heartbeatSeconds: 60 } });
      // Each model turn takes 25 s on this clock, so the minute runs out after the third.
      let t = Date.parse("2026-11-22T10:00:00Z");
      const looping: Script = {
        name: "slow-looping",
        next: () => {
          t += 25_000;
          return call("Looking.", "list_files", {});
        },
      };
      const { report } = await fx.attempt(job, looping, { now: () => t, maxTurns: 500 });
      assert.equal(report.outcome, "time");
      assert.equal(report.turns, 3);
    } finally {
      await fx.close();
    }
  });

  test("heartbeats update the check run at most once per heartbeatSeconds", async () => {
    const fx = await startAttemptFixture();
    try {
      const job = fx.job({ limits: { tokens: 10_000_000, usd: 5, jobMinutes: 30, heartbeatSeconds: 60 } });
      // Twelve turns of 25 s each on this clock: five minutes, so at most five heartbeats.
      let t = Date.parse("2026-11-22T10:00:00Z");
      const start = t;
      const looking: Script = {
        name: "looking",
        next: (c) => {
          t += 25_000;
          return c.turn < 11 ? call("Looking.", "list_files", {}) : finish("Looked.");
        },
      };
      const { report } = await fx.attempt(job, looking, { now: () => t, maxTurns: 50 });
      assert.equal(report.turns, 12);
      const route = "/repos/{owner}/{repo}/check-runs/{check_run_id}";
      const updates = fx.githubCalls.filter((c) => c.route === `PATCH ${route}`);
      const beats = updates.slice(0, -1).map((c) => c.at);
      assert.deepEqual(
        beats.map((at) => (at - start) / 1000),
        [75, 150, 225, 300],
        "every third turn, the first once 60 s have passed",
      );
      assert.ok(updates.length <= (t - start) / 60_000 + 1, "at most one a minute, and the completion");
      const opened = fx.githubCalls.filter((c) => c.route === "POST /repos/{owner}/{repo}/check-runs");
      assert.equal(opened.length, 1, "one check run: nothing moved the branch");
    } finally {
      await fx.close();
    }
  });

  test("a write outside the scope is refused, and a file a command wrote outside it is left out of the commit", async () => {
    const fx = await startAttemptFixture();
    try {
      const job = fx.job();
      const steps = [
        call("Editing the README.", "write_file", { path: "README.md", content: "hijacked\n" }),
        call("Generating.", "run_command", { argv: ["node", "tools/generate.js"] }),
        call("Writing.", "write_file", { path: "src/extra.js", content: "export const extra = 1;\n" }),
        finish("Added src/extra.js."),
      ];
      const { report } = await fx.attempt(job, {
        name: "mixed",
        next: (c) => steps[c.turn] ?? finish("done"),
      });
      assert.equal(report.outcome, "done");
      assert.equal(report.refusals, 1);
      assert.deepEqual(report.filesChanged, ["src/extra.js"]);
      assert.deepEqual(
        report.refusedChanges.map((c) => c.path),
        ["generated.txt"],
      );
      const files = await fx.bareGit("ls-tree", "-r", "--name-only", job.branch);
      assert.doesNotMatch(files, /generated\.txt/);
    } finally {
      await fx.close();
    }
  });
});

describe("escapes", () => {
  test("every escape a hostile session tries is refused and logged, and nothing reaches the branch", async () => {
    const fx = await startAttemptFixture();
    const clone = await mkdtemp(join(tmpdir(), "escapes-"));
    try {
      // The base gains a symlink leading out of the workspace, which the checkout must fetch.
      const git = (...args: string[]) => run("git", ["-C", clone, ...args]);
      await run("git", ["clone", "-q", fx.repo.git.gitDir, clone]);
      await symlink("/etc", join(clone, "src", "link-out"));
      await git("add", "src/link-out");
      await git("-c", "user.name=Octo", "-c", "user.email=octo@example.com", "commit", "-qm", "Link");
      await git("push", "-q", "origin", "HEAD:main");

      const escapes: [string, Record<string, unknown>, string][] = [
        ["read_file", { path: "../../etc/passwd" }, "path.parent-segment"],
        ["read_file", { path: "/proc/self/environ" }, "path.absolute-outside"],
        ["read_file", { path: "src/link-out/passwd" }, "path.symlink-outside"],
        ["write_file", { path: ".github/workflows/ci.yml", content: "on: push\n" }, "path.protected"],
        ["write_file", { path: "README.md", content: "hijacked\n" }, "path.out-of-scope"],
        ["run_command", { argv: ["curl", "https://example.com"] }, "command.not-allowlisted"],
        ["run_command", { argv: ["sh", "-c", "env"] }, "command.shell"],
        ["run_command", { argv: ["bash", "-lc", "env"] }, "command.shell"],
        ["run_command", { argv: ["env"] }, "command.not-allowlisted"],
        ["run_command", { argv: ["printenv", "ANTHROPIC_API_KEY"] }, "command.not-allowlisted"],
        ["run_command", { argv: ["cat", "/proc/self/environ"] }, "command.path-outside"],
        ["run_command", { argv: ["node", "-e", "console.log(process.env)"] }, "command.argument"],
        ["run_command", { argv: ["git", "-c", "core.pager=sh -c env", "log"] }, "command.argument"],
        ["run_command", { argv: ["npm", "exec", "-c", "env"] }, "command.argument"],
      ];
      const hostile: Script = {
        name: "hostile",
        next: (c) => {
          const escape = escapes[c.turn];
          return escape ? call("Trying.", escape[0], escape[1]) : finish("Tried everything.");
        },
      };
      const log: string[] = [];
      const job = fx.job();
      const { report } = await fx.attempt(job, hostile, { log: (line) => log.push(line) });

      const refused = log.filter((line) => line.startsWith("refused "));
      assert.deepEqual(
        refused.map((line) => /^refused (\S+) \((\S+)\)/.exec(line)?.slice(1)),
        escapes.map(([tool, , rule]) => [tool, rule]),
        "one log line per escape, naming the tool and the rule",
      );
      assert.equal(report.refusals, escapes.length);
      assert.equal(report.outcome, "no-changes");
      assert.ok(!log.some((line) => line.includes(API_KEY)), "the key never reaches the log");
      assert.equal(await fx.bareGit("branch", "--list", job.branch), "", "nothing was committed");
      fx.github.assertNoViolations();
    } finally {
      await rm(clone, { recursive: true, force: true });
      await fx.close();
    }
  });
});

describe("context handoff", () => {
  test("past 80% of the context window the agent summarises and continues in a fresh conversation", async () => {
    // Tools and system prompt take about 1,200 tokens; the big file adds 3,000 (12,000 bytes at
    // the offline API's four bytes a token), which crosses 80% of 5,000 only before the handoff.
    const fx = await startAttemptFixture({ price: { contextWindow: 5000 } });
    try {
      const job = fx.job();
      const big = "x".repeat(12_000);
      let seededWith: string | undefined;
      const script: Script = {
        name: "fills-the-context",
        next(context) {
          if (context.lastUserText.includes("context window is nearly full"))
            return {
              kind: "reply",
              content: [{ type: "text", text: "Read the big file; next: write src/after.js." }],
            };
          if (context.firstUserText.includes("Progress so far")) {
            seededWith ??= context.firstUserText;
            return context.turn === 0
              ? call("Writing.", "write_file", { path: "src/after.js", content: "export const after = 1;\n" })
              : finish("Wrote src/after.js after the handoff.");
          }
          return context.turn === 0
            ? call("Writing a big file.", "write_file", { path: "src/big.txt", content: big })
            : call("Reading it back.", "read_file", { path: "src/big.txt" });
        },
      };
      const { report } = await fx.attempt(job, script);
      assert.equal(report.outcome, "done", report.reason);
      assert.equal(report.handoffs, 1);
      assert.deepEqual(report.filesChanged, ["src/after.js", "src/big.txt"]);
      assert.match(seededWith ?? "", /Read the big file; next: write src\/after\.js\./);
      assert.match(seededWith ?? "", /^# Issue #1: Add subtraction/, "and the task itself");
    } finally {
      await fx.close();
    }
  });
});

/** The usage the offline Anthropic billed over every record so far. */
function billedUsage(fx: AttemptFixture) {
  let usage = ZERO_USAGE;
  for (const record of fx.anthropic.records())
    if (record.usage !== null) usage = addUsage(usage, fromApiUsage(record.usage));
  return usage;
}

describe("retries", () => {
  test("a storm of 529 overloads is survived and no usage is counted twice", async () => {
    const fx = await startAttemptFixture({ anthropicRetries: 8 });
    try {
      for (let i = 0; i < 5; i++) fx.anthropic.injectFault({ kind: "overloaded", retryAfterSeconds: 0 });
      const { report } = await fx.attempt(fx.job(), implementsCorrectly({ edits: SUB_EDITS }));
      assert.equal(report.outcome, "done", report.reason);
      const failed = fx.anthropic.records().filter((r) => r.status === 529);
      assert.equal(failed.length, 5);
      assert.deepEqual(report.usage, billedUsage(fx));
    } finally {
      await fx.close();
    }
  });

  test("GitHub server errors and a secondary rate limit while publishing are waited out", async () => {
    const fx = await startAttemptFixture();
    try {
      fx.github.injectFault(
        { kind: "server-error", status: 502 },
        { operationId: "git/create-commit", times: 2 },
      );
      fx.github.injectFault(
        { kind: "secondary-rate-limit", status: 429, retryAfterSeconds: 3 },
        { operationId: "pulls/create" },
      );
      const { report } = await fx.attempt(fx.job(), implementsCorrectly({ edits: SUB_EDITS }));
      assert.equal(report.outcome, "done", report.reason);
      assert.ok(report.pullRequest !== null);
      assert.deepEqual(fx.githubWaits, [1000, 2000, 3000]);
      fx.github.assertNoViolations();
    } finally {
      await fx.close();
    }
  });

  test("GitHub failing past the retries ends the attempt as error, its usage reported and the branch untouched", async () => {
    const fx = await startAttemptFixture();
    try {
      const job = fx.job();
      fx.github.injectFault(
        { kind: "server-error", status: 500 },
        { operationId: "git/create-ref", times: 5 },
      );
      const { report } = await fx.attempt(job, implementsCorrectly({ edits: SUB_EDITS }));
      assert.equal(report.outcome, "error");
      assert.match(report.reason, /^publishing the work failed: .*still failing after 4 retries/);
      assert.deepEqual(report.usage, billedUsage(fx));
      assert.ok(report.costUsd > 0);
      assert.equal(report.headSha, null);
      assert.equal(report.pullRequest, null);
      assert.equal(await fx.bareGit("branch", "--list", job.branch), "", "no branch was created");
      const check = [...fx.repo.checkRuns.values()].find(
        (c) => c.name === "swarm/agent" && c.status === "completed",
      );
      assert.equal(check?.conclusion, "failure");
      const fromCheck = readReport(check?.output.text ?? "");
      assert.ok(fromCheck.ok);
      assert.equal(fromCheck.report.outcome, "error");
      assert.deepEqual(fromCheck.report.usage, report.usage);
    } finally {
      await fx.close();
    }
  });

  test("a check run that cannot be opened stops the attempt after its first turn, and the report still lands", async () => {
    const fx = await startAttemptFixture();
    try {
      fx.github.injectFault({ kind: "server-error" }, { operationId: "checks/create", times: 5 });
      const { report } = await fx.attempt(fx.job(), implementsCorrectly({ edits: SUB_EDITS }));
      assert.equal(report.outcome, "error");
      assert.match(report.reason, /^reporting progress failed: could not open the swarm\/agent check run/);
      assert.equal(report.turns, 1);
      assert.equal(fx.anthropic.records().length, 1, "no second model request");
      const checks = [...fx.repo.checkRuns.values()].filter((c) => c.name === "swarm/agent");
      assert.equal(checks.length, 1);
      assert.equal(checks[0]?.conclusion, "failure");
    } finally {
      await fx.close();
    }
  });
});
