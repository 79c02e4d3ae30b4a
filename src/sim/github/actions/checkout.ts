import { mkdir } from "node:fs/promises";
import { runGit } from "../git-repo.ts";
import type { SimRepo } from "../world.ts";

// What `actions/checkout` does on a runner, against the offline GitHub's own repository: a new
// repository in the workspace whose origin is the bare repository, a fetch of just the commit
// (shallow unless asked otherwise) and a branch on it. No credentials are written anywhere.

/** Where and what to check out. */
export interface CheckoutRequest {
  workspace: string;
  sha: string;
  /** The local branch to create on the commit (the dispatched ref's name). */
  branch: string;
  /** Commits of history to fetch; 0 fetches all of it (actions/checkout's `fetch-depth`). */
  depth: number;
}

/** Checks `request.sha` out of `repo` into `request.workspace`. */
export async function checkout(repo: SimRepo, request: CheckoutRequest): Promise<void> {
  const { workspace, sha, branch, depth } = request;
  await mkdir(workspace, { recursive: true });
  const git = (...args: string[]) => runGit(["-C", workspace, ...args]);
  await git("init", "--quiet", `--initial-branch=${branch}`);
  await git("remote", "add", "origin", `file://${repo.git.gitDir}`);
  if (depth > 0) {
    const tracking = `refs/remotes/origin/${branch}`;
    await git("fetch", "--quiet", "--no-tags", `--depth=${depth}`, "origin", `+${sha}:${tracking}`);
    await git("checkout", "--quiet", "--force", "-B", branch, tracking);
  } else {
    await git("fetch", "--quiet", "--no-tags", "origin", "+refs/heads/*:refs/remotes/origin/*");
    await git("checkout", "--quiet", "--force", "-B", branch, sha);
  }
}
