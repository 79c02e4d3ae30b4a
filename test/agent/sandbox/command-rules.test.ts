import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { checkCommand, COMMAND_RULES, runnablePrograms } from "../../../src/agent/sandbox/command-rules.ts";
import { SandboxRefusal } from "../../../src/agent/sandbox/refusal.ts";
import { DEFAULT_ALLOWED_COMMANDS } from "../../../src/core/config/defaults.ts";

const context = { workspace: "/nonexistent/workspace", allowed: DEFAULT_ALLOWED_COMMANDS };

function refusal(argv: string[], ctx = context): SandboxRefusal {
  try {
    checkCommand(argv, ctx);
  } catch (error) {
    if (error instanceof SandboxRefusal) return error;
    throw error;
  }
  assert.fail(`${JSON.stringify(argv)} was allowed`);
}

test("the everyday commands of an agent are allowed as given", () => {
  for (const argv of [
    ["npm", "test"],
    ["npm", "run", "lint", "--", "--fix"],
    ["npm", "ci"],
    ["node", "--test", "test/agent/tools.test.ts"],
    ["node", "scripts/build.ts"],
    ["git", "status", "--porcelain"],
    ["git", "diff", "--cached", "--stat"],
    ["git", "log", "--oneline", "-n", "5", "main..HEAD"],
    ["git", "show", "HEAD~1:src/app.ts"],
    ["grep", "-rn", "TODO", "src"],
    ["find", "src", "-name", "*.ts", "-type", "f"],
    ["ls", "-la", "src"],
    ["head", "-n", "20", "README.md"],
    ["wc", "-l", "src/app.ts"],
    ["diff", "-u", "a.txt", "b.txt"],
  ]) {
    assert.equal(checkCommand(argv, context), argv[0], JSON.stringify(argv));
  }
});

test("no shell is in the rules table, and a configured shell still never runs", () => {
  for (const shell of ["sh", "bash", "zsh", "dash", "fish", "busybox"]) {
    assert.equal(Object.hasOwn(COMMAND_RULES, shell), false);
    assert.equal(refusal([shell, "-c", "true"], { ...context, allowed: [shell] }).rule, "command.shell");
  }
  assert.deepEqual(runnablePrograms(["bash", "git", "python"]), ["git"]);
});

test("a program the table knows but the repository does not allow is refused", () => {
  const error = refusal(["git", "status"], { ...context, allowed: ["npm"] });
  assert.equal(error.rule, "command.not-allowlisted");
  assert.match(error.message, /"git" is not an allowed program \(allowed: npm\)/);
});

test("a program the repository allows but the table has no rules for is refused, saying so", () => {
  const error = refusal(["python", "-c", "print(1)"], { ...context, allowed: ["python"] });
  assert.equal(error.rule, "command.not-allowlisted");
  assert.match(error.message, /no argument rules/);
});

test("options are caught attached, clustered and as --opt=value, and nowhere else", () => {
  assert.equal(refusal(["node", "-eprocess.exit()"]).rule, "command.argument");
  assert.equal(refusal(["node", "-pe", "1"]).rule, "command.argument");
  assert.equal(refusal(["node", "--import=./x.mjs", "a.js"]).rule, "command.argument");
  assert.equal(refusal(["find", ".", "-execdir", "x", ";"]).rule, "command.argument");
  // "-exec" as a word does not make "-e" a find option, nor does --test make node's -t anything.
  assert.equal(checkCommand(["find", ".", "-empty"], context), "find");
  assert.equal(checkCommand(["node", "--test-reporter=spec", "--test"], context), "node");
});

test("git needs an allowed subcommand first, so no global option or alias can run", () => {
  for (const argv of [
    ["git"],
    ["git", "-C", "..", "status"],
    ["git", "--paginate", "log"],
    ["git", "push"],
    ["git", "commit", "-m", "x"],
  ]) {
    assert.equal(refusal(argv).rule, "command.argument", JSON.stringify(argv));
  }
});

test("project tools run from the workspace's node_modules/.bin and are refused when not installed", async () => {
  const workspace = await mkdtemp(path.join(os.tmpdir(), "rules-"));
  try {
    const ctx = { workspace, allowed: DEFAULT_ALLOWED_COMMANDS };
    assert.match(refusal(["tsc", "--noEmit"], ctx).message, /not installed in the workspace/);
    assert.equal(refusal(["npx", "tsc"], ctx).rule, "command.argument");
    await mkdir(path.join(workspace, "node_modules", ".bin"), { recursive: true });
    await writeFile(path.join(workspace, "node_modules", ".bin", "tsc"), "");
    assert.equal(checkCommand(["tsc", "--noEmit"], ctx), path.join(workspace, "node_modules", ".bin", "tsc"));
    assert.equal(checkCommand(["npx", "tsc", "--noEmit"], ctx), "npx");
    assert.equal(refusal(["npx", "--yes", "tsc"], ctx).rule, "command.argument");
  } finally {
    await rm(workspace, { recursive: true, force: true });
  }
});

test("every rule in the table says why it exists", () => {
  for (const [program, rule] of Object.entries(COMMAND_RULES)) {
    assert.ok(rule.why.length > 5, program);
  }
});
