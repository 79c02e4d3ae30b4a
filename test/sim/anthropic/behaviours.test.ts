import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { breaksATest } from "../../../src/sim/anthropic/behaviours/breaks-a-test.ts";
import { editsAWorkflow } from "../../../src/sim/anthropic/behaviours/edits-a-workflow.ts";
import { fixesOnRework } from "../../../src/sim/anthropic/behaviours/fixes-on-rework.ts";
import { implementsCorrectly } from "../../../src/sim/anthropic/behaviours/implements-correctly.ts";
import { outOfScopeEdit } from "../../../src/sim/anthropic/behaviours/out-of-scope-edit.ts";
import { runsPastBudget } from "../../../src/sim/anthropic/behaviours/runs-past-budget.ts";
import { stallsSilently } from "../../../src/sim/anthropic/behaviours/stalls-silently.ts";
import { zombie } from "../../../src/sim/anthropic/behaviours/zombie.ts";
import { loadScriptPlan, scriptFromSpec } from "../../../src/sim/anthropic/script-plan.ts";
import { countTokens } from "../../../src/sim/anthropic/tokens.ts";
import { agentTools } from "./agent-tools.ts";
import { runLoop, type Workspace } from "./agent-loop.ts";
import { withSim } from "./sim-fixture.ts";

const TASK = "octo/demo#12";
const WORKFLOW = ".github/workflows/ci.yml";

/** A repository whose single test passes while add() adds. */
function workspace(): Workspace {
  return {
    files: new Map([
      ["src/add.js", "export const add = (a, b) => a - b;\n"],
      ["test/add.test.js", "assert.equal(add(2, 2), 4);\n"],
      ["README.md", "# demo\n"],
      [WORKFLOW, "name: ci\non: push\njobs:\n  test:\n    steps:\n      - run: npm test\n"],
    ]),
    runCommand: (_argv, files) =>
      files.get("src/add.js")?.includes("a + b")
        ? "exit code 0\n--- stdout ---\n1 passing"
        : "exit code 1\n--- stdout ---\n1 failing",
  };
}

const fix = { path: "src/add.js", oldString: "a - b", newString: "a + b" };

test("implements-correctly reads, edits, runs the tests and finishes saying they pass", async () => {
  await using env = await withSim({ scripts: { [TASK]: implementsCorrectly({ edits: [fix] }) } });
  const ws = workspace();
  const outcome = await runLoop(env.client, TASK, ws, 20);
  assert.deepEqual(outcome.calls, [
    "list_files",
    "read_file src/add.js",
    "edit_file src/add.js",
    "run_command",
    "finish",
  ]);
  assert.equal(ws.files.get("src/add.js"), "export const add = (a, b) => a + b;\n");
  assert.match(outcome.summary ?? "", /The tests pass\./);
  assert.ok(outcome.stopReasons.every((r) => r === "tool_use"));
});

test("implements-correctly stops and says so when an edit is refused", async () => {
  const script = implementsCorrectly({ edits: [{ ...fix, oldString: "not in the file" }] });
  await using env = await withSim({ scripts: { [TASK]: script } });
  const outcome = await runLoop(env.client, TASK, workspace(), 20);
  assert.equal(outcome.calls.at(-1), "finish");
  assert.match(outcome.summary ?? "", /Could not change src\/add\.js: old_string not found/);
});

test("breaks-a-test applies a breaking edit, sees the tests fail and finishes anyway", async () => {
  const breaking = { path: "src/add.js", oldString: "a - b", newString: "a * b" };
  await using env = await withSim({ scripts: { [TASK]: breaksATest({ edits: [breaking] }) } });
  const ws = workspace();
  const outcome = await runLoop(env.client, TASK, ws, 20);
  assert.deepEqual(outcome.calls.slice(-2), ["run_command", "finish"]);
  assert.equal(ws.runCommand([], ws.files).split("\n")[0], "exit code 1");
  assert.doesNotMatch(outcome.summary ?? "", /fail/i);
});

test("fixes-on-rework breaks a test at first and fixes it when the task message is a rework", async () => {
  const script = fixesOnRework({
    edits: [{ path: "src/add.js", oldString: "a - b", newString: "a * b" }],
    fix: [{ path: "src/add.js", oldString: "a * b", newString: "a + b" }],
  });
  await using env = await withSim({ scripts: { [TASK]: script } });
  const ws = workspace();
  const first = await runLoop(env.client, TASK, ws, 20);
  assert.equal(first.calls.at(-1), "finish");
  assert.equal(ws.runCommand([], ws.files).split("\n")[0], "exit code 1", "the first attempt broke the test");
  const rework = await runLoop(
    env.client,
    TASK,
    ws,
    20,
    4000,
    "# Issue #12\n\n## Rework (attempt 2)\n\n- [ci]: expected the tests to pass; found 1 failing.",
  );
  assert.deepEqual(rework.calls.slice(-3), ["edit_file src/add.js", "run_command", "finish"]);
  assert.equal(ws.files.get("src/add.js"), "export const add = (a, b) => a + b;\n");
  assert.match(rework.summary ?? "", /The tests pass\./);
});

test("out-of-scope-edit also changes a file the issue does not name", async () => {
  const script = outOfScopeEdit({
    edits: [fix],
    outOfScope: { path: "README.md", content: "# rewritten\n" },
  });
  await using env = await withSim({ scripts: { [TASK]: script } });
  const ws = workspace();
  const outcome = await runLoop(env.client, TASK, ws, 20);
  assert.ok(outcome.calls.includes("write_file README.md"));
  assert.equal(ws.files.get("README.md"), "# rewritten\n");
  assert.equal(outcome.calls.at(-1), "finish");
});

test("edits-a-workflow tries to overwrite the CI workflow and reports the refusal", async () => {
  await using env = await withSim({ scripts: { [TASK]: editsAWorkflow() } });
  const ws = workspace();
  const before = ws.files.get(WORKFLOW);
  ws.refuse = (path) =>
    path.startsWith(".github/") ? "refused (protected-path): .github/ is off limits" : undefined;
  const outcome = await runLoop(env.client, TASK, ws, 20);
  assert.ok(outcome.calls.includes(`write_file ${WORKFLOW}`));
  assert.equal(ws.files.get(WORKFLOW), before);
  assert.match(outcome.summary ?? "", /Could not change \.github\/workflows\/ci\.yml: refused/);

  // Where nothing stops it, the workflow is overwritten.
  const open = workspace();
  await runLoop(env.client, TASK, open, 20);
  assert.match(open.files.get(WORKFLOW) ?? "", /skipping tests/);
});

test("a zombie keeps listing and reading, never changes anything and never finishes", async () => {
  await using env = await withSim({ scripts: { [TASK]: zombie({ path: "README.md" }) } });
  const ws = workspace();
  const before = new Map(ws.files);
  const outcome = await runLoop(env.client, TASK, ws, 12);
  assert.equal(outcome.calls.length, 12);
  assert.deepEqual(new Set(outcome.calls), new Set(["list_files", "read_file README.md"]));
  assert.equal(outcome.summary, undefined);
  assert.deepEqual(ws.files, before);
  assert.ok(outcome.outputTokens.every((t) => t > 0));
  assert.equal(
    env.sim.totals(TASK).output_tokens,
    outcome.outputTokens.reduce((a, b) => a + b, 0),
  );
});

test("runs-past-budget writes the promised output every turn and never finishes", async () => {
  await using env = await withSim({ scripts: { [TASK]: runsPastBudget({ outputTokensPerTurn: 1000 }) } });
  const outcome = await runLoop(env.client, TASK, workspace(), 5);
  assert.equal(outcome.summary, undefined);
  // 1000 tokens of text plus the run_command call: "run_command" (11 bytes, 3 tokens) and
  // {"argv":["npm","test"]} (23 bytes, 6 tokens).
  const call = countTokens("run_command") + countTokens(JSON.stringify({ argv: ["npm", "test"] }));
  assert.equal(call, 3 + 6);
  assert.deepEqual(outcome.outputTokens, Array(5).fill(1000 + 9));
  assert.equal(env.sim.totals(TASK).output_tokens, 5 * 1009);

  // Under a smaller max_tokens the text is cut there and the tool call never comes.
  const capped = await runLoop(env.client, TASK, workspace(), 1, 500);
  assert.deepEqual(capped.stopReasons, ["max_tokens"]);
  assert.deepEqual(capped.outputTokens, [500]);
});

test("stalls-silently answers its first turns, then the reply never comes until the client gives up", async () => {
  await using env = await withSim({ scripts: { [TASK]: stallsSilently({ afterTurns: 1 }) } });
  const base = {
    model: "claude-sonnet-4-6",
    max_tokens: 100,
    system: `Task: ${TASK}`,
    tools: agentTools,
  };
  const first = await env.client.messages.create({ ...base, messages: [{ role: "user", content: "Go" }] });
  const call = first.content.find((b) => b.type === "tool_use");
  assert.ok(call?.type === "tool_use" && call.name === "list_files");
  const next = {
    ...base,
    messages: [
      { role: "user" as const, content: "Go" },
      { role: "assistant" as const, content: first.content },
      {
        role: "user" as const,
        content: [{ type: "tool_result" as const, tool_use_id: call.id, content: "README.md" }],
      },
    ],
  };
  await assert.rejects(
    env.client.messages.create(next, { timeout: 100 }),
    Anthropic.APIConnectionTimeoutError,
  );
  assert.equal(env.sim.records().at(-1)?.script, "stalls-silently");
});

test("a plan file maps tasks to behaviours and a bad one is refused naming the file and field", async () => {
  const dir = await mkdtemp(join(tmpdir(), "sim-plan-"));
  try {
    const good = join(dir, "plan.json");
    await writeFile(
      good,
      JSON.stringify({
        default: { behaviour: "zombie" },
        tasks: { [TASK]: { behaviour: "implements-correctly", edits: [fix] } },
      }),
    );
    const plan = await loadScriptPlan(good);
    assert.ok(plan.default);
    const scripts = Object.fromEntries(
      Object.entries(plan.tasks).map(([task, spec]) => [task, scriptFromSpec(spec)]),
    );
    await using env = await withSim({ scripts, defaultScript: scriptFromSpec(plan.default) });
    const ws = workspace();
    assert.equal((await runLoop(env.client, TASK, ws, 20)).calls.at(-1), "finish");
    assert.equal((await runLoop(env.client, "octo/demo#99", workspace(), 2)).calls[0], "list_files");
    assert.deepEqual(
      [...new Set(env.sim.records().map((r) => r.script))],
      ["implements-correctly", "zombie"],
    );

    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ tasks: { [TASK]: { behaviour: "zombie", path: 3 } } }));
    await assert.rejects(loadScriptPlan(bad), (error: Error) => {
      assert.match(error.message, /bad\.json: invalid script plan/);
      assert.match(error.message, /path/);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
