// Per-call overhead of the agent's tools on a workspace of a realistic size (1,000 source files in
// 50 folders): the file tools spawn nothing, so each call should stay within 5 ms. Also the cost of
// the checks run_command makes before it spawns, of sanitising a maximum-size issue body, and of
// redacting a command's bounded output.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { checkCommand } from "../src/agent/sandbox/command-rules.ts";
import { createSandbox } from "../src/agent/sandbox/sandbox.ts";
import { sanitizeIssueText } from "../src/agent/sanitize-issue-text.ts";
import { executeTool } from "../src/agent/tools/agent-tools.ts";
import { DEFAULT_ALLOWED_COMMANDS, DEFAULT_PROTECTED_PATHS } from "../src/core/config/defaults.ts";
import type { BenchRow } from "./run.ts";

const FOLDERS = 50;
const FILES_PER_FOLDER = 20;
const ROUNDS = 200;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeEach(rounds: number, call: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await call(i);
    times.push(performance.now() - started);
  }
  return median(times);
}

export default async function bench(): Promise<BenchRow[]> {
  const base = mkdtempSync(join(tmpdir(), "agent-tools-bench-"));
  try {
    const workspace = join(base, "repo");
    const temp = join(base, "temp");
    mkdirSync(temp);
    const source = Array.from({ length: 200 }, (_, i) => `export const value${i} = ${i}; // line ${i}`).join(
      "\n",
    );
    for (let f = 0; f < FOLDERS; f++) {
      mkdirSync(join(workspace, "src", `module-${f}`), { recursive: true });
      for (let i = 0; i < FILES_PER_FOLDER; i++)
        writeFileSync(join(workspace, "src", `module-${f}`, `file-${i}.ts`), source);
    }
    const sandbox = await createSandbox({
      workspace,
      scope: ["src/**"],
      protectedPaths: DEFAULT_PROTECTED_PATHS,
      allowedCommands: DEFAULT_ALLOWED_COMMANDS,
      tempRoot: temp,
      secrets: ["sk-ant-bench-secret-value-0123456789", "ghs_benchsecretvalue0123456789abcdefghij"],
      parentEnv: process.env,
      onRefusal: () => undefined,
    });
    const perCall = { atMost: 5 };
    const read = await timeEach(ROUNDS, (i) =>
      executeTool(
        "read_file",
        { path: `src/module-${i % FOLDERS}/file-${i % FILES_PER_FOLDER}.ts` },
        sandbox,
      ),
    );
    const write = await timeEach(ROUNDS, (i) =>
      executeTool("write_file", { path: `src/module-${i % FOLDERS}/new-${i}.ts`, content: source }, sandbox),
    );
    const edit = await timeEach(ROUNDS, (i) =>
      executeTool(
        "edit_file",
        {
          path: `src/module-${i % FOLDERS}/file-${i % FILES_PER_FOLDER}.ts`,
          old_string: `value${i % 200} = `,
          new_string: `value${i % 200}  = `,
        },
        sandbox,
      ),
    );
    const refused = await timeEach(ROUNDS, () =>
      executeTool("write_file", { path: "../outside.txt", content: "x" }, sandbox),
    );
    const searchFolder = await timeEach(ROUNDS, (i) =>
      executeTool("search_text", { pattern: "value1\\d = ", path: `src/module-${i % FOLDERS}` }, sandbox),
    );
    const listFolder = await timeEach(ROUNDS, (i) =>
      executeTool("list_files", { path: `src/module-${i % FOLDERS}` }, sandbox),
    );
    const searchAll = await timeEach(10, () => executeTool("search_text", { pattern: "line 199$" }, sandbox));
    const check = await timeEach(ROUNDS, () =>
      checkCommand(["git", "log", "--oneline", "-n", "5"], {
        workspace: sandbox.root,
        allowed: DEFAULT_ALLOWED_COMMANDS,
      }),
    );
    const issue =
      `Fix the bug.\n<!-- hidden -->\n<div hidden>x</div>\n${"Some visible text with `code` and a [link](https://x.test). ".repeat(1_000)}`.slice(
        0,
        65_536,
      );
    const sanitize = await timeEach(50, () => sanitizeIssueText(issue));
    const output = `${"npm test output line with nothing secret in it\n".repeat(400)}`.slice(0, 20_000);
    const redact = await timeEach(ROUNDS, () => sandbox.redact(output));
    return [
      { measure: "read_file (200-line file)", value: read, unit: "ms/call", target: perCall },
      { measure: "write_file (new file)", value: write, unit: "ms/call", target: perCall },
      { measure: "edit_file (unique match)", value: edit, unit: "ms/call", target: perCall },
      { measure: "refused write (../)", value: refused, unit: "ms/call", target: perCall },
      {
        measure: "search_text (one folder, 20 files)",
        value: searchFolder,
        unit: "ms/call",
        target: perCall,
      },
      { measure: "list_files (one folder)", value: listFolder, unit: "ms/call", target: perCall },
      { measure: "search_text (whole workspace, 1,000 files)", value: searchAll, unit: "ms/call" },
      { measure: "run_command checks before spawning", value: check, unit: "ms/call", target: perCall },
      { measure: "sanitizeIssueText (65,536-char body)", value: sanitize, unit: "ms" },
      { measure: "redact 20 kB of command output", value: redact, unit: "ms" },
    ];
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
