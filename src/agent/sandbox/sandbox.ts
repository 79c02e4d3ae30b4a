import { mkdir, mkdtemp, realpath } from "node:fs/promises";
import path from "node:path";
import { buildChildEnv } from "./child-env.ts";
import { createRedactor, type Redactor } from "./redactor.ts";
import type { RefusalEvent } from "./refusal.ts";
import { isInside } from "./workspace-path.ts";
import { createWritePolicy, type WritePolicy } from "./write-policy.ts";

/** Limits on what one tool call may take or return. */
export type SandboxLimits = {
  /** Characters of a tool result kept; the rest is cut with a note. */
  readonly maxResultChars: number;
  /** Bytes kept of each of a command's output streams. */
  readonly maxCommandOutputBytes: number;
  /** Wall-clock limit of one command. */
  readonly commandTimeoutMs: number;
  /** Largest file read_file, edit_file and search_text will open. */
  readonly maxFileBytes: number;
  /** Matches search_text reports. */
  readonly maxSearchMatches: number;
  /** Entries list_files reports. */
  readonly maxListEntries: number;
};

/** Defaults sized for a model's context: a result stays well under 10k tokens. */
export const DEFAULT_LIMITS: SandboxLimits = {
  maxResultChars: 30_000,
  maxCommandOutputBytes: 20_000,
  commandTimeoutMs: 5 * 60_000,
  maxFileBytes: 2_000_000,
  maxSearchMatches: 200,
  maxListEntries: 500,
};

/** What a job's sandbox is built from. */
export type SandboxOptions = {
  /** The checked-out repository the agent works in. */
  readonly workspace: string;
  /** Globs of paths the job may change. */
  readonly scope: readonly string[];
  /** Globs of paths no job may change. */
  readonly protectedPaths: readonly string[];
  /** Programs the repository lets agents run (its config's allowedCommands). */
  readonly allowedCommands: readonly string[];
  /** A directory for the commands' fresh HOME and TMPDIR (the runner's temp directory). */
  readonly tempRoot: string;
  /** The secret values the job holds, to redact from what commands print. */
  readonly secrets: Iterable<string>;
  /** The environment commands' safe variables are taken from. */
  readonly parentEnv: Readonly<Record<string, string | undefined>>;
  /** Called once per refused tool call. */
  readonly onRefusal: (event: RefusalEvent) => void;
  readonly limits?: Partial<SandboxLimits>;
};

/** Everything a tool needs to act inside the workspace and nowhere else. */
export type Sandbox = {
  /** Real path of the workspace root. */
  readonly root: string;
  readonly writePolicy: WritePolicy;
  readonly allowedCommands: readonly string[];
  readonly redact: Redactor;
  /** The environment every command runs with: allowlisted variables, a fresh HOME and TMPDIR. */
  readonly childEnv: Readonly<Record<string, string>>;
  readonly limits: SandboxLimits;
  readonly onRefusal: (event: RefusalEvent) => void;
};

/** Create a job's sandbox: resolve the real workspace root and make a fresh HOME and TMPDIR for commands. */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const root = await realpath(options.workspace);
  const tempRoot = await realpath(options.tempRoot);
  if (isInside(root, tempRoot)) {
    throw new Error(
      `tempRoot "${options.tempRoot}" is inside the workspace; commands' HOME must live outside it`,
    );
  }
  const base = await mkdtemp(path.join(tempRoot, "agent-"));
  const home = path.join(base, "home");
  const tmp = path.join(base, "tmp");
  await mkdir(home);
  await mkdir(tmp);
  return {
    root,
    writePolicy: createWritePolicy({ scope: options.scope, protectedPaths: options.protectedPaths }),
    allowedCommands: options.allowedCommands,
    redact: createRedactor(options.secrets),
    childEnv: buildChildEnv(options.parentEnv, { workspace: root, home, tmp }),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    onRefusal: options.onRefusal,
  };
}
