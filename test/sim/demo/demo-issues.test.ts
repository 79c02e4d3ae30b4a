import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseConfig } from "../../../src/core/config/parse.ts";
import { lintSpec } from "../../../src/core/spec-lint.ts";
import { demoIssues } from "../../../src/sim/demo/demo-issues.ts";
import { sampleProjectFiles } from "../../../src/sim/demo/sample-project.ts";
import type { Edit } from "../../../src/sim/anthropic/behaviours/steps.ts";

const files = sampleProjectFiles();

test("the sample repository's .github/swarm.yml passes the config check", () => {
  const parsed = parseConfig(files[".github/swarm.yml"] ?? "");
  assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
});

test("every demo issue passes the spec lint with the sample repository's config", () => {
  const parsed = parseConfig(files[".github/swarm.yml"] ?? "");
  assert.ok(parsed.ok);
  const issues = demoIssues();
  const running = issues.map((issue, i) => ({ issue: i + 1, title: issue.title, scope: [] }));
  for (const [i, issue] of issues.entries()) {
    const result = lintSpec({
      issue: { number: i + 1, title: issue.title, body: issue.body, labels: ["swarm:ready"] },
      ownership: parsed.config.ownership,
      dependencyStates: new Map(),
      running,
    });
    assert.ok(result.ok, `${issue.title}: ${result.comment}`);
  }
});

/** The paths an issue's `## Files` list names. */
function issueFiles(body: string): string[] {
  return [...body.matchAll(/^- `([^`]+)`$/gm)].map((m) => m[1] ?? "");
}

test("no two demo issues share a file, so their pull requests cannot conflict", () => {
  const seen = new Map<string, string>();
  for (const issue of demoIssues())
    for (const file of issueFiles(issue.body)) {
      assert.equal(seen.get(file), undefined, `${file} is in "${issue.title}" and "${seen.get(file)}"`);
      seen.set(file, issue.title);
    }
});

async function testsPassAfter(edits: readonly Edit[]): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), "demo-sample-"));
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    for (const edit of edits) {
      const target = join(dir, edit.path);
      if ("content" in edit) {
        await writeFile(target, edit.content);
        continue;
      }
      const text = await readFile(target, "utf8");
      assert.equal(text.split(edit.oldString).length, 2, `${edit.path}: "${edit.oldString}" is not unique`);
      await writeFile(
        target,
        text.replace(edit.oldString, () => edit.newString),
      );
    }
    // Without NODE_TEST_CONTEXT the child runs as a test run of its own, not as a subtest of this one.
    const env = { ...process.env };
    delete env["NODE_TEST_CONTEXT"];
    return spawnSync(process.execPath, ["--test"], { cwd: dir, env, encoding: "utf8" }).status === 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("the sample project's tests pass as committed", async () => {
  assert.equal(await testsPassAfter([]), true);
});

test("each plan's edits apply to the sample project and leave its tests as the behaviour says", async () => {
  for (const { title, body, plan } of demoIssues()) {
    switch (plan.behaviour) {
      case "implements correctly":
        assert.equal(await testsPassAfter(plan.edits), true, title);
        break;
      case "keeps breaking a test":
        assert.equal(await testsPassAfter(plan.edits), false, title);
        break;
      case "fixes a broken test on rework":
        assert.equal(await testsPassAfter(plan.edits), false, `${title}: the first attempt`);
        assert.equal(await testsPassAfter([...plan.edits, ...plan.fix]), true, `${title}: the rework`);
        break;
      case "edits out of scope": {
        const scope = issueFiles(body);
        assert.ok(!scope.includes(plan.outOfScope.path), `${title}: ${plan.outOfScope.path} is in its scope`);
        assert.equal(await testsPassAfter([...plan.edits, plan.outOfScope]), true, title);
      }
    }
  }
});
