import { existsSync } from "node:fs";
import path from "node:path";
import { SandboxRefusal } from "./refusal.ts";

/**
 * What `run_command` may run, in one table. A program absent from it is refused; so is every shell,
 * and every option that turns an allowed program into a way to run inline code, rewrite its own
 * configuration, write outside the workspace or run another program. Code the model wants to run
 * must therefore live in a workspace file it wrote through the file tools: inside the job's scope,
 * so it shows in the reviewed commit.
 */
export type ProgramRule = {
  /** Why the program is useful to an agent and what its rules stop. */
  readonly why: string;
  /** The first argument must be one of these subcommands; no option may come before it. */
  readonly subcommands?: readonly string[];
  /**
   * Options refused anywhere in argv: a long option also as `--opt=value`; a single-letter one also
   * attached (`-eCODE`) or inside a cluster (`-pe`); a single-dash word (`-exec`) exactly.
   */
  readonly deniedOptions?: readonly string[];
  /** A further check on the arguments; returns the reason to refuse, if any. */
  readonly check?: (args: readonly string[], workspace: string) => string | undefined;
  /**
   * A tool installed by the project: run from the workspace's `node_modules/.bin` (never from the
   * PATH, which keeps no workspace folder) and refused when not installed.
   */
  readonly localBin?: true;
};

// Local tools `npx` may start; each must already be installed in the workspace, so npx never
// downloads and runs a package from the registry.
const NPX_TOOLS = ["tsc", "eslint", "prettier", "vitest", "jest", "mocha"];

/** Where a project-installed tool lives in the workspace. */
export function localBinPath(workspace: string, name: string): string {
  return path.join(workspace, "node_modules", ".bin", name);
}

/** The allowlist: every program `run_command` may start, with its argument rules. */
export const COMMAND_RULES: Readonly<Record<string, ProgramRule>> = {
  git: {
    why: "inspect history and changes; read-only subcommands only (commits are made by the job, not the model)",
    // Builtin names only: a git alias can never shadow a builtin, so no alias can run.
    subcommands: ["status", "diff", "log", "show", "ls-files", "grep", "blame", "rev-parse", "shortlog"],
    deniedOptions: [
      "-c", // config override (core.pager, diff.external, …)
      "--config-env",
      "--exec-path",
      "--upload-pack",
      "--receive-pack",
      "--exec",
      "-O", // git grep: open matches in a pager program
      "--open-files-in-pager",
      "--output", // write the diff to a file
      "--ext-diff",
      "--textconv",
      "--no-index", // diff two arbitrary files outside the repository
      "--git-dir",
      "--work-tree",
    ],
  },
  node: {
    why: "run the project's scripts and tests from workspace files; never inline code",
    deniedOptions: [
      "-e",
      "--eval",
      "-p",
      "--print",
      "-r",
      "--require",
      "--import",
      "--loader",
      "--experimental-loader",
      "-i",
      "--interactive",
      "--run", // runs a package.json script through a shell
      "--env-file",
      "--env-file-if-exists",
      "--inspect",
      "--inspect-brk",
      "--inspect-wait",
      "--input-type",
    ],
    check: (args) => (args.includes("-") ? 'reading a script from stdin ("-") is refused' : undefined),
  },
  npm: {
    why: "run the project's test and build scripts",
    subcommands: ["test", "t", "run", "run-script", "ls", "list", "ci"],
    deniedOptions: [
      "--script-shell",
      "-c",
      "--call",
      "--prefix",
      "-C",
      "--userconfig",
      "--globalconfig",
      "--node-options",
      "--registry",
    ],
  },
  npx: {
    why: `run a locally installed tool (${NPX_TOOLS.join(", ")}); never a package fetched from the registry`,
    check: (args, workspace) => {
      const [tool] = args;
      if (tool === undefined || !NPX_TOOLS.includes(tool)) {
        return `npx may only start one of ${NPX_TOOLS.join(", ")} as its first argument (no npx options such as -c, -p or --yes)`;
      }
      if (!existsSync(localBinPath(workspace, tool))) {
        return `"${tool}" is not installed in the workspace (node_modules/.bin/${tool}); npx will not download it`;
      }
      return undefined;
    },
  },
  find: {
    why: "list files by name or type",
    deniedOptions: [
      "-exec",
      "-execdir",
      "-ok",
      "-okdir",
      "-delete",
      "-fprint",
      "-fprint0",
      "-fprintf",
      "-fls",
    ],
  },
  sort: {
    why: "sort text",
    deniedOptions: ["-o", "--output", "--compress-program", "-T", "--temporary-directory", "--files0-from"],
  },
  tsc: { why: "type-check the project", localBin: true },
  eslint: { why: "lint the project", localBin: true },
  prettier: { why: "check or apply formatting", localBin: true },
  vitest: { why: "run the project's tests", localBin: true },
  jest: { why: "run the project's tests", localBin: true },
  mocha: { why: "run the project's tests", localBin: true },
  grep: { why: "search text (search_text is the faster first choice)" },
  ls: { why: "list directories" },
  cat: { why: "print files" },
  head: { why: "print the start of files" },
  tail: { why: "print the end of files" },
  wc: { why: "count lines and words" },
  diff: { why: "compare two workspace files" },
  echo: { why: "print text" },
  pwd: { why: "print the working directory" },
};

// Never allowlisted, named so their refusal can say why: each runs arbitrary command text.
const SHELLS = new Set([
  "sh",
  "bash",
  "dash",
  "zsh",
  "ksh",
  "mksh",
  "csh",
  "tcsh",
  "fish",
  "ash",
  "busybox",
  "pwsh",
]);

/** Who may run what: the repository's configured programs, within this table, in this workspace. */
export type CommandContext = {
  /** The real workspace root. */
  readonly workspace: string;
  /** Programs the repository allows (its config); only those this table has rules for can run. */
  readonly allowed: readonly string[];
};

/**
 * Refuse `argv` unless it is allowed: argv[0] a bare name (never a path, never a shell) that the
 * repository allows and this table has rules for, the program's rules met, and no argument pointing
 * outside the workspace or into `.git`. Returns the executable to spawn.
 */
export function checkCommand(argv: readonly string[], context: CommandContext): string {
  const [program, ...args] = argv;
  const runnable = () => runnablePrograms(context.allowed).join(", ");
  if (program === undefined || program === "")
    throw new SandboxRefusal("command.not-allowlisted", "argv is empty");
  if (program.includes("/") || program.includes("\\")) {
    throw new SandboxRefusal(
      "command.program-path",
      `program "${program}" is given as a path; name an allowed program (${runnable()}) and it is found on the PATH`,
    );
  }
  if (SHELLS.has(program)) {
    throw new SandboxRefusal(
      "command.shell",
      `"${program}" is a shell and shells are never allowed; run the program directly with its argv (${runnable()})`,
    );
  }
  const rule = Object.hasOwn(COMMAND_RULES, program) ? COMMAND_RULES[program] : undefined;
  if (rule === undefined || !context.allowed.includes(program)) {
    const why =
      rule === undefined && context.allowed.includes(program)
        ? `"${program}" is in the repository's allowedCommands, but the sandbox has no argument rules for it, so it cannot run`
        : `"${program}" is not an allowed program`;
    throw new SandboxRefusal("command.not-allowlisted", `${why} (allowed: ${runnable()})`);
  }
  if (rule.subcommands !== undefined) {
    const [sub] = args;
    if (sub === undefined || !rule.subcommands.includes(sub)) {
      throw new SandboxRefusal(
        "command.argument",
        `${program} needs one of its allowed subcommands first (${rule.subcommands.join(", ")}); got ${sub === undefined ? "none" : `"${sub}"`}`,
      );
    }
  }
  for (const arg of args) {
    const denied = rule.deniedOptions?.find((option) => matchesOption(arg, option));
    if (denied !== undefined) {
      throw new SandboxRefusal(
        "command.argument",
        `${program} option "${denied}" is refused (in "${arg}"): ${rule.why}`,
      );
    }
    const outside = pathProblem(arg);
    if (outside !== undefined)
      throw new SandboxRefusal("command.path-outside", `argument "${arg}" ${outside}`);
  }
  const reason = rule.check?.(args, context.workspace);
  if (reason !== undefined) throw new SandboxRefusal("command.argument", `${program}: ${reason}`);
  if (rule.localBin === undefined) return program;
  const local = localBinPath(context.workspace, program);
  if (!existsSync(local)) {
    throw new SandboxRefusal(
      "command.not-allowlisted",
      `"${program}" is not installed in the workspace (node_modules/.bin/${program}); install the project's dependencies first (npm ci)`,
    );
  }
  return local;
}

/** The programs that can actually run: allowed by the repository and known to the table. */
export function runnablePrograms(allowed: readonly string[]): string[] {
  return allowed.filter((program) => Object.hasOwn(COMMAND_RULES, program) && !SHELLS.has(program));
}

function matchesOption(arg: string, option: string): boolean {
  if (arg === option || arg.startsWith(`${option}=`)) return true;
  // -x: attached value (-xVALUE) or inside a cluster of short options (-ax).
  if (/^-[A-Za-z]$/.test(option) && /^-[A-Za-z]/.test(arg)) return arg.slice(1).includes(option.slice(1));
  return false;
}

// An argument, an option's `=value` or a short option's attached value that names a path outside the
// workspace (absolute, home-relative or with a `..` segment) or inside `.git`.
function pathProblem(arg: string): string | undefined {
  const candidates = [arg];
  const eq = arg.indexOf("=");
  if (eq >= 0) candidates.push(arg.slice(eq + 1));
  if (/^-[A-Za-z]./.test(arg)) candidates.push(arg.slice(2));
  for (const candidate of candidates) {
    if (candidate.startsWith("/") || candidate.startsWith("~")) {
      return "is an absolute or home path; commands only see the workspace (give a relative path)";
    }
    const segments = candidate.split(/[\\/]/);
    if (segments.includes("..")) return 'has a ".." segment; commands only see the workspace';
    if (segments.some((segment) => segment.toLowerCase() === ".git")) {
      return "points into the repository's .git metadata, which commands may not read";
    }
  }
  return undefined;
}
