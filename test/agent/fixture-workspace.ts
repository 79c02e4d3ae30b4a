import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RefusalEvent } from "../../src/agent/sandbox/refusal.ts";
import { DEFAULT_ALLOWED_COMMANDS, DEFAULT_PROTECTED_PATHS } from "../../src/core/config/defaults.ts";
import { createSandbox, type Sandbox, type SandboxLimits } from "../../src/agent/sandbox/sandbox.ts";

/** A real git repository in a temporary folder, a secret file beside it, and a sandbox on it. */
export type Fixture = {
  readonly base: string;
  readonly workspace: string;
  readonly outside: string;
  readonly sandbox: Sandbox;
  readonly refusals: RefusalEvent[];
  readonly cleanup: () => Promise<void>;
};

/** Options a test may vary. */
export type FixtureOptions = {
  readonly scope?: readonly string[];
  readonly protectedPaths?: readonly string[];
  readonly allowedCommands?: readonly string[];
  readonly secrets?: readonly string[];
  readonly parentEnv?: Readonly<Record<string, string | undefined>>;
  readonly limits?: Partial<SandboxLimits>;
};

/** Build the fixture: src/, docs/, a protected workflow, links pointing out, a committed history. */
export async function createFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const base = await realpath(await mkdtemp(path.join(os.tmpdir(), "sandbox-test-")));
  const workspace = path.join(base, "repo");
  const outside = path.join(base, "outside");
  const temp = path.join(base, "runner-temp");
  await mkdir(path.join(workspace, "src"), { recursive: true });
  await mkdir(path.join(workspace, "docs"));
  await mkdir(path.join(workspace, ".github", "workflows"), { recursive: true });
  await mkdir(outside);
  await mkdir(temp);
  await writeFile(path.join(outside, "secret.txt"), "outside secret\n");
  await writeFile(
    path.join(workspace, "src", "app.ts"),
    'export const greeting = "hello";\nexport const n = 1;\n',
  );
  await writeFile(path.join(workspace, "docs", "guide.md"), "# Guide\n\nhello world\n");
  await writeFile(path.join(workspace, ".github", "workflows", "ci.yml"), "on: push\n");
  await writeFile(path.join(workspace, "package.json"), '{ "name": "fixture", "private": true }\n');
  await symlink(outside, path.join(workspace, "src", "link-out"));
  await symlink(path.join(outside, "missing.txt"), path.join(workspace, "src", "dangling-out.txt"));
  const git = (...args: string[]) => execFileSync("git", args, { cwd: workspace, stdio: "pipe" });
  git("init", "-q", "-b", "main");
  git("-c", "user.name=Fixture", "-c", "user.email=fixture@example.com", "add", "-A");
  git("-c", "user.name=Fixture", "-c", "user.email=fixture@example.com", "commit", "-q", "-m", "fixture");
  const refusals: RefusalEvent[] = [];
  const sandbox = await createSandbox({
    workspace,
    scope: options.scope ?? ["src/**", "test/**"],
    protectedPaths: options.protectedPaths ?? DEFAULT_PROTECTED_PATHS,
    allowedCommands: options.allowedCommands ?? [...DEFAULT_ALLOWED_COMMANDS, "pwd", "sort", "echo"],
    tempRoot: temp,
    secrets: options.secrets ?? [],
    parentEnv: options.parentEnv ?? process.env,
    onRefusal: (event) => refusals.push(event),
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  return {
    base,
    workspace,
    outside,
    sandbox,
    refusals,
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}
