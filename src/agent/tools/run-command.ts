import * as z from "zod";
import { checkCommand } from "../sandbox/command-rules.ts";
import { runProcess } from "../sandbox/run-process.ts";
import { defineTool } from "./tool.ts";

const RunCommandInput = z.strictObject({
  argv: z
    .array(z.string().refine((arg) => !arg.includes("\0"), "arguments may not contain NUL bytes"))
    .min(1)
    .describe('The program and its arguments, e.g. ["npm", "test"]. No shell: no pipes, globs or variables.'),
});

/** run_command: an allowlisted program, without a shell, in the workspace, with a clean environment. */
export const runCommandTool = defineTool({
  name: "run_command",
  description:
    "Run a program the repository allows, in the workspace root, without a shell (argv is passed as is: no " +
    "pipes, redirections, globs or variables). Typically: npm (test, run, ls, ci), node (script files, " +
    "--test, never inline code), tsc, eslint, prettier, vitest, jest, npx with one of those, git (status, " +
    "diff, log, show, ls-files, grep, blame, rev-parse, shortlog), find, grep, ls, cat, head, tail, wc, " +
    "diff. A refused command says why and lists what may run. Reports the exit code and the output " +
    "(long output is cut in the middle).",
  input: RunCommandInput,
  async run(input, sandbox) {
    const executable = checkCommand(input.argv, {
      workspace: sandbox.root,
      allowed: sandbox.allowedCommands,
    });
    const [program = "", ...args] = input.argv;
    let outcome;
    try {
      outcome = await runProcess(executable, args, {
        cwd: sandbox.root,
        env: sandbox.childEnv,
        timeoutMs: sandbox.limits.commandTimeoutMs,
        maxOutputBytes: sandbox.limits.maxCommandOutputBytes,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw new Error(`"${program}" is not installed on this runner`, { cause: error });
      throw error;
    }
    const status = outcome.timedOut
      ? `timed out after ${sandbox.limits.commandTimeoutMs} ms; the process group was killed`
      : outcome.exitCode !== null
        ? `exit code ${outcome.exitCode}`
        : `killed by ${outcome.signal}`;
    const sections = [status];
    if (outcome.stdout !== "") sections.push(`--- stdout ---\n${outcome.stdout}`);
    if (outcome.stderr !== "") sections.push(`--- stderr ---\n${outcome.stderr}`);
    const content = sections.join("\n");
    // A command that ran and failed is information for the model, not a tool failure; one that could
    // not finish is.
    return outcome.timedOut ? { status: "error", content } : content;
  },
});
