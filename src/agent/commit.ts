import type { GitHubClient } from "./github-client.ts";
import { readChange, treeOf } from "./git-workspace.ts";

// Commits through the Git Data API: one tree on top of the parent's, one commit, then the ref.
// No author or committer is given, so GitHub signs the commit as the app (Verified). The ref
// moves last, after the commit object exists, so a failure leaves nothing half-written on the
// branch.

/** Where and what to commit. */
export interface CommitRequest {
  owner: string;
  repo: string;
  workspace: string;
  branch: string;
  /** The commit the work started from; the new commit's parent. */
  parentSha: string;
  /** Where the branch is on GitHub now, or null if it does not exist yet. */
  remoteBranchSha: string | null;
  message: string;
  /** Workspace-relative paths to commit (already judged by the second wall). */
  paths: readonly string[];
}

/** Commits `paths` onto the branch and returns the new commit's sha. */
export async function commitChanges(octokit: GitHubClient, request: CommitRequest): Promise<string> {
  const { owner, repo } = request;
  const tree = [];
  for (const relative of request.paths) {
    const change = await readChange(request.workspace, relative);
    if (change === null) {
      tree.push({ path: relative, mode: "100644" as const, type: "blob" as const, sha: null });
    } else if (isText(change.content)) {
      tree.push({
        path: relative,
        mode: change.mode,
        type: "blob" as const,
        content: change.content.toString("utf8"),
      });
    } else {
      const { data: blob } = await octokit.rest.git.createBlob({
        owner,
        repo,
        content: change.content.toString("base64"),
        encoding: "base64",
      });
      tree.push({ path: relative, mode: change.mode, type: "blob" as const, sha: blob.sha });
    }
  }
  const { data: newTree } = await octokit.rest.git.createTree({
    owner,
    repo,
    base_tree: await treeOf(request.workspace, request.parentSha),
    tree,
  });
  const { data: commit } = await octokit.rest.git.createCommit({
    owner,
    repo,
    message: request.message,
    tree: newTree.sha,
    parents: [request.parentSha],
  });
  if (request.remoteBranchSha === null) {
    await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${request.branch}`, sha: commit.sha });
  } else {
    // A fresh attempt starts again from the base, so its branch history is replaced on purpose.
    await octokit.rest.git.updateRef({
      owner,
      repo,
      ref: `heads/${request.branch}`,
      sha: commit.sha,
      force: request.remoteBranchSha !== request.parentSha,
    });
  }
  return commit.sha;
}

/** Text GitHub can take inline in a tree: valid UTF-8 without NUL bytes. */
function isText(content: Buffer): boolean {
  if (content.includes(0)) return false;
  return Buffer.from(content.toString("utf8"), "utf8").equals(content);
}
