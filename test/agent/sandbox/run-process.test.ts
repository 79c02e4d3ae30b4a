import { test } from "node:test";
import assert from "node:assert/strict";
import { runProcess } from "../../../src/agent/sandbox/run-process.ts";

const options = {
  cwd: process.cwd(),
  env: { PATH: process.env["PATH"] ?? "" },
  timeoutMs: 60_000,
  maxOutputBytes: 1_000,
};
const node = (code: string, overrides: Partial<typeof options> = {}) =>
  runProcess(process.execPath, ["-e", code], { ...options, ...overrides });

test("reports the exit code and both output streams", async () => {
  const outcome = await node('process.stdout.write("out"); process.stderr.write("err"); process.exit(3)');
  assert.equal(outcome.exitCode, 3);
  assert.equal(outcome.stdout, "out");
  assert.equal(outcome.stderr, "err");
  assert.equal(outcome.timedOut, false);
});

test("runs without a shell: shell syntax reaches the program as plain text", async () => {
  const outcome = await runProcess(
    process.execPath,
    ["-e", "console.log(process.argv[1])", "$HOME; echo pwned | cat"],
    options,
  );
  assert.equal(outcome.stdout, "$HOME; echo pwned | cat\n");
});

test("keeps the head and the tail of long output and says how much was cut", async () => {
  const outcome = await node('process.stdout.write("A".repeat(600) + "B".repeat(5000) + "C".repeat(600))');
  assert.ok(outcome.stdout.startsWith("A".repeat(500)));
  assert.ok(outcome.stdout.endsWith("C".repeat(500)));
  assert.match(outcome.stdout, /\[… 5200 bytes of output omitted …\]/);
});

test(
  "a command past its time limit is killed with its whole process group",
  { timeout: 20_000 },
  async () => {
    // The grandchild shares the pipes: "close" comes only once it is dead too.
    const code =
      'require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "inherit" });' +
      "setInterval(() => {}, 1000);";
    const outcome = await node(code, { timeoutMs: 300 });
    assert.equal(outcome.timedOut, true);
    assert.equal(outcome.signal, "SIGKILL");
    assert.equal(outcome.exitCode, null);
  },
);

test("a background process left behind by a command that exited is killed", { timeout: 20_000 }, async () => {
  const code =
    'require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "inherit" }).unref();' +
    'process.stdout.write("started");';
  const outcome = await node(code);
  assert.equal(outcome.exitCode, 0);
  assert.equal(outcome.timedOut, false);
  assert.equal(outcome.stdout, "started");
});

test("a program that does not exist rejects with ENOENT", async () => {
  await assert.rejects(runProcess("no-such-program-here", [], options), { code: "ENOENT" });
});
