import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { executeTool } from "../../../src/agent/tools/agent-tools.ts";
import { AGENT_TOOL_DEFINITIONS } from "../../../src/agent/tools/tool-definitions.ts";
import type { RefusalRule } from "../../../src/agent/sandbox/refusal.ts";
import { createFixture, type Fixture } from "../fixture-workspace.ts";

// A secret planted in this test's own environment: the parent of every command the sandbox runs.
const PLANTED_NAME = "SWARM_TEST_PLANTED_SECRET";
const PLANTED_VALUE = `planted-${process.pid}-value-that-must-not-leak`;

let fixture: Fixture;

before(async () => {
  process.env[PLANTED_NAME] = PLANTED_VALUE;
  // The sandbox is told nothing about this secret: the clean environment alone must keep it out.
  fixture = await createFixture({ parentEnv: process.env });
});

after(async () => {
  Reflect.deleteProperty(process.env, PLANTED_NAME);
  await fixture.cleanup();
});

async function expectRefused(tool: string, input: unknown, rule: RefusalRule): Promise<string> {
  const before = fixture.refusals.length;
  const result = await executeTool(tool, input, fixture.sandbox);
  assert.equal(
    result.status,
    "error",
    `${tool} ${JSON.stringify(input)} should be refused, got: ${result.content}`,
  );
  assert.match(result.content, new RegExp(`refused \\(${rule.replace(".", "\\.")}\\)`));
  assert.equal(fixture.refusals.length, before + 1, "exactly one refusal event is logged");
  const event = fixture.refusals.at(-1);
  assert.equal(event?.tool, tool);
  assert.equal(event?.rule, rule);
  assert.deepEqual(event?.input, input);
  return result.content;
}

describe("file tools stay inside the workspace", () => {
  test("a ../ path is refused for reading and writing", async () => {
    await expectRefused("read_file", { path: "../outside/secret.txt" }, "path.parent-segment");
    await expectRefused(
      "write_file",
      { path: "src/../../outside/x.txt", content: "x" },
      "path.parent-segment",
    );
    await expectRefused("list_files", { path: ".." }, "path.parent-segment");
    await assert.rejects(stat(path.join(fixture.outside, "x.txt")), { code: "ENOENT" });
  });

  test("an absolute path out of the workspace is refused, /proc/self/environ included", async () => {
    await expectRefused(
      "read_file",
      { path: path.join(fixture.outside, "secret.txt") },
      "path.absolute-outside",
    );
    await expectRefused("read_file", { path: "/proc/self/environ" }, "path.absolute-outside");
    await expectRefused("search_text", { pattern: "secret", path: "/etc" }, "path.absolute-outside");
  });

  test("an absolute path inside the workspace is accepted", async () => {
    const result = await executeTool(
      "read_file",
      { path: path.join(fixture.workspace, "src/app.ts") },
      fixture.sandbox,
    );
    assert.equal(result.status, "ok");
    assert.match(result.content, /greeting/);
  });

  test("a symlink leading out is refused for reading, listing, searching and writing", async () => {
    const message = await expectRefused(
      "read_file",
      { path: "src/link-out/secret.txt" },
      "path.symlink-outside",
    );
    assert.doesNotMatch(message, /outside secret/);
    await expectRefused("list_files", { path: "src/link-out" }, "path.symlink-outside");
    await expectRefused("search_text", { pattern: "secret", path: "src/link-out" }, "path.symlink-outside");
    await expectRefused("write_file", { path: "src/link-out/new.txt", content: "x" }, "path.symlink-outside");
    await expectRefused("write_file", { path: "src/dangling-out.txt", content: "x" }, "path.symlink-outside");
    await assert.rejects(stat(path.join(fixture.outside, "new.txt")), { code: "ENOENT" });
    await assert.rejects(stat(path.join(fixture.outside, "missing.txt")), { code: "ENOENT" });
  });

  test("searching the whole workspace never follows a symlink out", async () => {
    const result = await executeTool("search_text", { pattern: "outside secret" }, fixture.sandbox);
    assert.equal(result.status, "ok");
    assert.match(result.content, /no matches/);
  });

  test("the repository's .git metadata is neither read nor written", async () => {
    await expectRefused("read_file", { path: ".git/config" }, "path.git-internal");
    await expectRefused(
      "write_file",
      { path: ".git/hooks/pre-commit", content: "#!/bin/sh\n" },
      "path.git-internal",
    );
    await expectRefused("write_file", { path: "src/.GIT/hooks/x", content: "x" }, "path.git-internal");
  });

  test("a protected path is refused even when the scope would allow it", async () => {
    const message = await expectRefused(
      "write_file",
      { path: ".github/workflows/ci.yml", content: "on: push\njobs: {}\n" },
      "path.protected",
    );
    assert.match(message, /protected/);
    assert.equal(
      await readFile(path.join(fixture.workspace, ".github/workflows/ci.yml"), "utf8"),
      "on: push\n",
    );
  });

  test("a write out of the job's scope is refused and says which scope", async () => {
    const message = await expectRefused(
      "write_file",
      { path: "docs/guide.md", content: "changed" },
      "path.out-of-scope",
    );
    assert.match(message, /src\/\*\*, test\/\*\*/);
    await expectRefused(
      "edit_file",
      { path: "docs/guide.md", old_string: "hello", new_string: "bye" },
      "path.out-of-scope",
    );
    assert.equal(
      await readFile(path.join(fixture.workspace, "docs/guide.md"), "utf8"),
      "# Guide\n\nhello world\n",
    );
  });
});

describe("run_command runs only allowlisted programs with safe arguments", () => {
  const refusedCommands: [string, string[], RefusalRule][] = [
    ["a program off the allowlist", ["curl", "https://example.com"], "command.not-allowlisted"],
    ["xargs", ["xargs", "rm"], "command.not-allowlisted"],
    ["env", ["env"], "command.not-allowlisted"],
    ["printenv", ["printenv", PLANTED_NAME], "command.not-allowlisted"],
    ["sh -c smuggling", ["sh", "-c", "cat /etc/passwd"], "command.shell"],
    ["bash -lc smuggling", ["bash", "-lc", "env"], "command.shell"],
    ["a shell as an absolute path", ["/bin/sh", "-c", "env"], "command.program-path"],
    ["a shell as a relative path", ["./sh", "-c", "env"], "command.program-path"],
    ["an allowlisted name given as a path", ["/usr/bin/git", "status"], "command.program-path"],
    ["node -e", ["node", "-e", "console.log(process.env)"], "command.argument"],
    ["node --eval=", ["node", "--eval=1"], "command.argument"],
    ["node -p", ["node", "-p", "1"], "command.argument"],
    ["node --print", ["node", "--print", "1"], "command.argument"],
    ["node -r", ["node", "-r", "./x.js", "src/app.ts"], "command.argument"],
    ["node --require", ["node", "--require=./x.js", "src/app.ts"], "command.argument"],
    ["node --import", ["node", "--import", "data:text/javascript,1", "src/app.ts"], "command.argument"],
    ["node with a short-option cluster", ["node", "-pe", "1"], "command.argument"],
    ["node --run", ["node", "--run", "test"], "command.argument"],
    ["npx -c", ["npx", "-c", "env"], "command.argument"],
    ["npx fetching a package", ["npx", "cowsay", "hi"], "command.argument"],
    ["npm exec -c", ["npm", "exec", "-c", "env"], "command.argument"],
    ["npm --script-shell", ["npm", "test", "--script-shell=/bin/sh"], "command.argument"],
    ["npm config", ["npm", "config", "set", "script-shell", "sh"], "command.argument"],
    ["git -c", ["git", "-c", "core.pager=sh", "log"], "command.argument"],
    ["git config", ["git", "config", "alias.x", "!sh"], "command.argument"],
    ["git --exec-path", ["git", "--exec-path=.", "status"], "command.argument"],
    ["git --upload-pack", ["git", "log", "--upload-pack=touch x"], "command.argument"],
    ["a git alias or unknown subcommand", ["git", "x"], "command.argument"],
    ["git grep -O", ["git", "grep", "-Osh", "x"], "command.argument"],
    ["git diff --output", ["git", "diff", "--output=src/x"], "command.argument"],
    ["find -exec", ["find", ".", "-exec", "sh", "-c", "env", ";"], "command.argument"],
    ["find -execdir", ["find", ".", "-execdir", "env", ";"], "command.argument"],
    ["find -ok", ["find", ".", "-ok", "env", ";"], "command.argument"],
    ["find -delete", ["find", "docs", "-delete"], "command.argument"],
    ["sort -o", ["sort", "-o", "docs/guide.md", "src/app.ts"], "command.argument"],
    ["cat of /proc/self/environ", ["cat", "/proc/self/environ"], "command.path-outside"],
    ["cat of the parent's environ", ["cat", `/proc/${process.pid}/environ`], "command.path-outside"],
    ["an argument climbing out", ["cat", "../outside/secret.txt"], "command.path-outside"],
    ["an option value pointing out", ["grep", "--file=/etc/passwd", "src"], "command.path-outside"],
    ["a home path", ["ls", "~/.ssh"], "command.path-outside"],
    ["a read of .git internals", ["cat", ".git/config"], "command.path-outside"],
  ];
  for (const [what, argv, rule] of refusedCommands) {
    test(`refuses ${what}`, async () => {
      await expectRefused("run_command", { argv }, rule);
    });
  }

  test("an allowlisted command runs in the workspace and reports its exit code and output", async () => {
    const result = await executeTool(
      "run_command",
      { argv: ["git", "status", "--porcelain"] },
      fixture.sandbox,
    );
    assert.equal(result.status, "ok");
    assert.match(result.content, /^exit code 0/);
    const pwd = await executeTool("run_command", { argv: ["pwd"] }, fixture.sandbox);
    assert.match(pwd.content, new RegExp(`--- stdout ---\\n${fixture.workspace}\\n`));
  });

  test("a command's environment holds none of the parent's secrets", async () => {
    assert.equal(process.env[PLANTED_NAME], PLANTED_VALUE, "the secret is in the parent's environment");
    const result = await executeTool("run_command", { argv: ["cat", "/proc/self/environ"] }, fixture.sandbox);
    assert.equal(result.status, "error", "absolute paths are refused first");
    // Past the argument rule, the child's own environment is clean: a workspace script dumps it.
    const scripted = await createFixture({ parentEnv: process.env, scope: ["src/**"] });
    try {
      const write = await executeTool(
        "write_file",
        {
          path: "src/dump-env.mjs",
          content:
            'import { readFileSync } from "node:fs";\nprocess.stdout.write(readFileSync("/proc/self/environ"));\n',
        },
        scripted.sandbox,
      );
      assert.equal(write.status, "ok");
      const dump = await executeTool("run_command", { argv: ["node", "src/dump-env.mjs"] }, scripted.sandbox);
      assert.equal(dump.status, "ok");
      assert.match(dump.content, /^exit code 0/);
      assert.match(dump.content, /HOME=/, "the dump really shows the child's environment");
      assert.doesNotMatch(dump.content, new RegExp(PLANTED_VALUE));
      assert.doesNotMatch(dump.content, new RegExp(PLANTED_NAME));
    } finally {
      await scripted.cleanup();
    }
  });
});

test("every tool's definition carries a JSON Schema generated from its input schema", () => {
  const names = AGENT_TOOL_DEFINITIONS.map((tool) => tool.name);
  assert.deepEqual(names, [
    "list_files",
    "read_file",
    "search_text",
    "write_file",
    "edit_file",
    "run_command",
    "finish",
  ]);
  for (const tool of AGENT_TOOL_DEFINITIONS) {
    assert.equal(tool.input_schema.type, "object");
    assert.equal(tool.input_schema["additionalProperties"], false, `${tool.name} rejects unknown properties`);
    assert.equal(tool.input_schema["$schema"], undefined);
    assert.ok((tool.description ?? "").length > 20);
  }
  const edit = AGENT_TOOL_DEFINITIONS.find((tool) => tool.name === "edit_file");
  assert.deepEqual(edit?.input_schema.required, ["path", "old_string", "new_string"]);
});

test("an unknown tool and invalid input are error results, not throws", async () => {
  const unknown = await executeTool("delete_everything", {}, fixture.sandbox);
  assert.equal(unknown.status, "error");
  assert.match(unknown.content, /unknown tool "delete_everything"/);
  const invalid = await executeTool("read_file", { path: 3 }, fixture.sandbox);
  assert.equal(invalid.status, "error");
  assert.match(invalid.content, /invalid input for read_file/);
  assert.match(invalid.content, /path/);
  const extra = await executeTool("finish", { summary: "done", sneaky: true }, fixture.sandbox);
  assert.equal(extra.status, "error");
});

test("a known secret is redacted from command output and from the refusal log", async () => {
  const secret = `secret-${process.pid}-0123456789abcdef`;
  const job = await createFixture({ secrets: [secret], scope: ["src/**"] });
  try {
    const planted = await executeTool(
      "write_file",
      { path: "src/config.txt", content: `token=${secret}\n` },
      job.sandbox,
    );
    assert.equal(planted.status, "ok");
    const printed = await executeTool("run_command", { argv: ["cat", "src/config.txt"] }, job.sandbox);
    assert.match(printed.content, /token=\[REDACTED\]/);
    assert.doesNotMatch(printed.content, new RegExp(secret));
    const refused = await executeTool("write_file", { path: "docs/leak.md", content: secret }, job.sandbox);
    assert.equal(refused.status, "error");
    assert.deepEqual(job.refusals.at(-1)?.input, { path: "docs/leak.md", content: "[REDACTED]" });
  } finally {
    await job.cleanup();
  }
});
