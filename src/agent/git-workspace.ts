import { execFile } from "node:child_process";
import { lstatSync } from "node:fs";
import { readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

// The runner's own git operations on the checkout: put it on the agent's branch at the right
// commit before the loop, and read what the loop changed after it. These run with the runner's
// credentials, never from the model's tools, and always from argv arrays.

const run = promisify(execFile);

/** Credentials for fetching over HTTPS, passed to git through its environment, never argv. */
export interface FetchAuth {
  token: string;
}

async function git(workspace: string, args: string[], auth?: FetchAuth): Promise<string> {
  const env: Record<string, string | undefined> = { ...process.env, GIT_TERMINAL_PROMPT: "0" };
  if (auth) {
    const basic = Buffer.from(`x-access-token:${auth.token}`).toString("base64");
    Object.assign(env, {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "http.extraheader",
      GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}`,
    });
  }
  const { stdout } = await run("git", args, { cwd: workspace, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/**
 * Removes the files and folders the checkout does not track (ignored ones stay, as git leaves
 * them). A checkout that follows adds none, so this may run before the commit to check out is
 * known.
 */
export async function removeUntracked(workspace: string): Promise<void> {
  await git(workspace, ["clean", "-q", "-fd"]);
}

/** Puts the checkout on `branch` at `sha`, fetching the commit from origin when it is not local. */
export async function checkoutAt(
  workspace: string,
  branch: string,
  sha: string,
  auth?: FetchAuth,
): Promise<void> {
  const checkout = () => git(workspace, ["checkout", "-q", "-B", branch, sha]);
  // Usually the commit is already there (the base of a first attempt): try first, fetch on failure.
  await checkout().catch(async () => {
    await git(workspace, ["fetch", "--no-tags", "--depth=50", "origin", sha], auth);
    await checkout();
  });
}

/** The checkout's changes against HEAD as `git status --porcelain -z --untracked-files=all` prints them. */
export async function statusPorcelainZ(workspace: string): Promise<string> {
  return git(workspace, ["status", "--porcelain", "-z", "--untracked-files=all", "--no-renames"]);
}

/** The tree object id of a commit in the checkout. */
export async function treeOf(workspace: string, sha: string): Promise<string> {
  return (await git(workspace, ["rev-parse", `${sha}^{tree}`])).trim();
}

/** Undoes changes to `paths`: tracked files go back to HEAD, new files are removed. */
export async function revertPaths(
  workspace: string,
  paths: readonly { path: string; status: string }[],
): Promise<void> {
  for (const change of paths) {
    if (change.status === "??") await rm(path.join(workspace, change.path), { force: true });
    else await git(workspace, ["checkout", "-q", "HEAD", "--", change.path]);
  }
}

/** Whether a workspace path is a symbolic link (the commit carries none). */
export function isSymlink(workspace: string, relative: string): boolean {
  try {
    return lstatSync(path.join(workspace, relative)).isSymbolicLink();
  } catch {
    return false;
  }
}

/** A changed file's content and mode for the commit, or null when it was deleted. */
export async function readChange(
  workspace: string,
  relative: string,
): Promise<{ content: Buffer; mode: "100644" | "100755" } | null> {
  const file = path.join(workspace, relative);
  try {
    const info = await stat(file);
    return { content: await readFile(file), mode: info.mode & 0o111 ? "100755" : "100644" };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
