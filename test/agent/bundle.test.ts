import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";
import { buildAction, ensureActionBuilt, toolDefinitionsModule } from "../../scripts/build-action.ts";
import { AGENT_TOOL_DEFINITIONS } from "../../src/agent/tools/tool-definitions.ts";
import { AGENT_CHECK_NAME, readReport } from "../../src/core/report.ts";
import { totalTokens } from "../../src/core/usage.ts";
import { implementsCorrectly } from "../../src/sim/anthropic/behaviours/implements-correctly.ts";
import { API_KEY, startAttemptFixture } from "./attempt-fixture.ts";

test("action.yml runs the bundle on node24 and declares the inputs the runner reads", async () => {
  const action = parse(await readFile("action.yml", "utf8")) as {
    runs: { using: string; main: string };
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };
  assert.equal(action.runs.using, "node24");
  assert.equal(action.runs.main, "dist/agent/index.js");
  const runner = await readFile("src/agent/runner.ts", "utf8");
  const read = [...runner.matchAll(/^\s+\w+: "([a-z-]+)",$/gm)].map((m) => m[1]);
  assert.deepEqual(read.sort(), Object.keys(action.inputs).sort());
  const set = [...runner.matchAll(/setOutput\("([a-z-]+)"/g)].map((m) => m[1]);
  assert.deepEqual(set.sort(), Object.keys(action.outputs).sort());
});

test("the bundle built from the source runs an attempt as a runner would run the action", async () => {
  const fx = await startAttemptFixture();
  const dir = await mkdtemp(join(tmpdir(), "bundle-"));
  try {
    const bundle = await buildAction(join(dir, "index.js"));
    const outputFile = join(dir, "output");
    await writeFile(outputFile, "");
    fx.anthropic.setScript(
      "acme/widgets#1",
      implementsCorrectly({
        edits: [{ path: "src/sub.js", content: "export const sub = (a, b) => a - b;\n" }],
        test: ["node", "--version"],
      }),
    );
    const job = fx.job();
    const requestsBefore = fx.github.requests().total;
    const child = spawn(process.execPath, [bundle], {
      cwd: fx.workspace,
      env: { ...fx.actionEnv(job), GITHUB_OUTPUT: outputFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (log += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0, log);
    const outputs = await readFile(outputFile, "utf8");
    const output = (name: string) => new RegExp(`^${name}<<(.*)\\n([^]*?)\\n\\1$`, "m").exec(outputs)?.[2];
    assert.equal(output("outcome"), "done");
    const pull = Number(output("pull-request"));
    assert.equal(fx.repo.pulls.get(pull)?.head, job.branch, "the output names the agent's pull request");
    // What the app reads, the report on the swarm/agent check run of the pull request's head, says
    // what the outputs say.
    const head = fx.repo.pulls.get(pull)?.headSha;
    const check = [...fx.repo.checkRuns.values()].find(
      (c) => c.name === AGENT_CHECK_NAME && c.headSha === head,
    );
    const read = readReport(check?.output.text ?? "");
    assert.ok(read.ok, read.ok ? "" : read.problem);
    assert.equal(read.report.outcome, output("outcome"));
    assert.equal(read.report.pullRequest, pull);
    assert.equal(String(totalTokens(read.report.usage)), output("tokens"));
    assert.equal(read.report.costUsd.toFixed(6), output("cost"));
    assert.ok(read.report.costUsd > 0);
    assert.equal(Number(output("github-requests")), fx.github.requests().total - requestsBefore);
    // `::add-mask::` is how the action asks the runner to mask a secret; nothing else may carry it.
    const printed = log.split("\n").filter((line) => !line.startsWith("::add-mask::"));
    assert.ok(log.includes(`::add-mask::${API_KEY}`), "the key is masked");
    assert.ok(!printed.some((line) => line.includes(API_KEY)), "the key never reaches the log");
    fx.github.assertNoViolations();
  } finally {
    await rm(dir, { recursive: true, force: true });
    await fx.close();
  }
});

test("ensureActionBuilt builds the bundle action.yml names when it is stale, and leaves a current one alone", async () => {
  const root = await ensureActionBuilt();
  const action = parse(await readFile(join(root, "action.yml"), "utf8")) as { runs: { main: string } };
  const bundle = join(root, action.runs.main);
  // Older than any source: stale, so it is built again.
  await utimes(bundle, new Date(0), new Date(0));
  await ensureActionBuilt();
  const rebuilt = (await stat(bundle)).mtimeMs;
  assert.ok(rebuilt > 0, "the stale bundle was rebuilt");
  assert.ok((await reachable(bundle, true)).size > 1, "with every chunk it imports beside it");
  await ensureActionBuilt();
  assert.equal((await stat(bundle)).mtimeMs, rebuilt, "a current bundle is not built again");
});

/**
 * The bundle's files reachable from `entry` through relative imports, transitively: the static
 * ones only (what Node loads before the entry's code runs), or the dynamic ones too. Reading a
 * file that is not there throws.
 */
async function reachable(entry: string, dynamic: boolean, seen = new Set<string>()): Promise<Set<string>> {
  seen.add(entry);
  const code = await readFile(entry, "utf8");
  const imports = dynamic ? /(?:\bfrom|\bimport)\s*\(?\s*"(\.[^"]+)"/g : /(?:\bfrom|\bimport)\s*"(\.[^"]+)"/g;
  for (const [, spec] of code.matchAll(imports)) {
    const file = resolve(dirname(entry), spec ?? "");
    if (!seen.has(file)) await reachable(file, dynamic, seen);
  }
  return seen;
}

test("the bundle loads the attempt and the Anthropic client on demand, and leaves out undici, the SDK's other resources and the zod it does not use", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bundle-"));
  try {
    const entry = await buildAction(join(dir, "index.js"));
    const all = [entry, ...(await readdir(join(dir, "chunks"))).map((name) => join(dir, "chunks", name))];
    const texts = new Map(await Promise.all(all.map(async (f) => [f, await readFile(f, "utf8")] as const)));
    const atStart = await reachable(entry, false);
    assert.deepEqual([...(await reachable(entry, true))].sort(), [...all].sort(), "every chunk is used");
    const withSdk = all.filter((f) => texts.get(f)?.includes("anthropic-version"));
    assert.equal(withSdk.length, 1, "one chunk holds the SDK's client");
    assert.ok(!atStart.has(withSdk[0] ?? ""), "the SDK is not loaded before the first GitHub request");
    const withAttempt = all.filter((f) => texts.get(f)?.includes("preparing the workspace failed"));
    assert.equal(withAttempt.length, 1, "one chunk holds the attempt");
    assert.ok(
      !atStart.has(withAttempt[0] ?? ""),
      "the attempt is not loaded before the first GitHub request",
    );
    for (const [file, text] of texts) {
      assert.doesNotMatch(text, /undici/, `${file} carries undici`);
      // The action's client has the Messages API alone, not the SDK's other resources.
      assert.doesNotMatch(text, /\/v1\/(files|models|skills)/, `${file} carries the SDK's other resources`);
      assert.doesNotMatch(text, /Ongeldige invoer/, `${file} carries zod's Dutch messages`);
      assert.doesNotMatch(
        text,
        /External \$ref is not supported/,
        `${file} carries zod's JSON Schema importer`,
      );
    }
    assert.ok(
      [...texts.values()].some((text) => text.includes("Invalid input")),
      "English stays",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the bundle carries the tool definitions the source generates from the tools' schemas, as data", async () => {
  const module = await toolDefinitionsModule();
  const bundled = (await import(`data:text/javascript,${encodeURIComponent(module)}`)) as {
    AGENT_TOOL_DEFINITIONS: unknown;
  };
  assert.deepEqual(bundled.AGENT_TOOL_DEFINITIONS, AGENT_TOOL_DEFINITIONS);
  const dir = await mkdtemp(join(tmpdir(), "bundle-"));
  try {
    await buildAction(join(dir, "index.js"));
    const chunks = await readdir(join(dir, "chunks"));
    const texts = await Promise.all(chunks.map((name) => readFile(join(dir, "chunks", name), "utf8")));
    assert.ok(
      texts.some((text) => text.includes('required:["path","old_string","new_string"]')),
      "edit_file's JSON Schema is in the bundle as a literal",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
