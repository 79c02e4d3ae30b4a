import path from "node:path";
import { isInside } from "./workspace-path.ts";

// The only variables a command inherits. An allowlist, not a denylist: a secret under a name nobody
// thought of (MY_DEPLOY_THING) never reaches the model's commands.
const INHERITED = ["PATH", "LANG", "LC_ALL", "LC_CTYPE", "TERM", "TZ", "CI"] as const;

/** Where a command's fresh home and temporary directory live. */
export type ChildEnvOptions = {
  /** The real workspace root; PATH entries inside it are dropped so the model cannot plant a program. */
  readonly workspace: string;
  /** A fresh HOME (empty: no dotfiles, no git or npm credentials). */
  readonly home: string;
  /** A fresh TMPDIR. */
  readonly tmp: string;
};

/** Build a command's environment from an allowlist of safe variables plus a fresh HOME and TMPDIR. */
export function buildChildEnv(
  parent: Readonly<Record<string, string | undefined>>,
  options: ChildEnvOptions,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = parent[name];
    if (value !== undefined) env[name] = value;
  }
  env["PATH"] = safePath(parent["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", options.workspace);
  env["HOME"] = options.home;
  env["TMPDIR"] = options.tmp;
  env["TMP"] = options.tmp;
  env["TEMP"] = options.tmp;
  // git must not read the machine's config (credential helpers, includes) nor ask for a password.
  env["GIT_CONFIG_NOSYSTEM"] = "1";
  env["GIT_TERMINAL_PROMPT"] = "0";
  env["GIT_PAGER"] = "cat";
  env["PAGER"] = "cat";
  env["NO_COLOR"] = "1";
  return env;
}

// Only absolute PATH entries outside the workspace: "", "." and relative entries resolve against the
// command's working directory, which is the workspace.
function safePath(value: string, workspace: string): string {
  return value
    .split(path.delimiter)
    .filter((entry) => path.isAbsolute(entry) && !isInside(workspace, entry))
    .join(path.delimiter);
}
