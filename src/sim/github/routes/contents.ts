import { moveRef } from "../branch-updates.ts";
import type { GitCommit, GitTreeEntry } from "../git-repo.ts";
import { GitHubError, notFound } from "../github-error.ts";
import { repoApiUrl } from "../json-shapes.ts";
import { repoOf, requirePermission, type RouteContext, type RouteHandlers } from "../route-context.ts";
import type { SimRepo } from "../world.ts";
import { gitCommitJson, writeApiCommit } from "./git-data.ts";

function entryJson(ctx: RouteContext, repo: SimRepo, ref: string, entry: GitTreeEntry) {
  const api = repoApiUrl(ctx.urls, repo);
  const self = `${api}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
  const type =
    entry.type === "tree"
      ? "dir"
      : entry.type === "commit"
        ? "submodule"
        : entry.mode === "120000"
          ? "symlink"
          : "file";
  const git = `${api}/git/${entry.type === "tree" ? "trees" : "blobs"}/${entry.sha}`;
  const html = `${ctx.urls.html}/${repo.fullName}/${type === "dir" ? "tree" : "blob"}/${ref}/${entry.path}`;
  return {
    type,
    size: entry.size ?? 0,
    name: entry.path.split("/").pop() as string,
    path: entry.path,
    sha: entry.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url: type === "file" ? `${ctx.urls.html}/${repo.fullName}/raw/${ref}/${entry.path}` : null,
    _links: { self, git, html },
  };
}

async function branchHead(repo: SimRepo, branch: string): Promise<string> {
  const sha = await repo.git.resolve(`refs/heads/${branch}`);
  if (!sha) throw new GitHubError(404, `Branch ${branch} not found`);
  return sha;
}

/** The contents API: read files and folders, create, update and delete files as commits. */
export const contentRoutes: RouteHandlers = {
  "repos/get-content": async (ctx) => {
    const repo = repoOf(ctx);
    const ref = ctx.query.get("ref") ?? repo.defaultBranch;
    const commit = await repo.git.resolve(`${ref}^{commit}`);
    if (!commit) throw new GitHubError(404, `No commit found for the ref ${ref}`);
    const path = String(ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
    const entry = await repo.git.entryAt(commit, path);
    if (!entry) throw notFound();
    if (entry.type === "tree") {
      const children = await repo.git.listTree(path === "" ? commit : `${commit}:${path}`, false);
      const list = children.map((c) =>
        entryJson(ctx, repo, ref, { ...c, path: path === "" ? c.path : `${path}/${c.path}` }),
      );
      return { status: 200, body: list };
    }
    const bytes = (await repo.git.readBlob(entry.sha)) ?? Buffer.alloc(0);
    if (/application\/vnd\.github(\.v3)?\.raw/.test(ctx.accept)) return { status: 200, raw: bytes };
    // GitHub wraps base64 content at 60 characters.
    const content = (bytes.toString("base64").match(/.{1,60}/g) ?? []).join("\n");
    return {
      status: 200,
      body: {
        ...entryJson(ctx, repo, ref, entry),
        content: content === "" ? "" : `${content}\n`,
        encoding: "base64",
      },
    };
  },

  "repos/create-or-update-file-contents": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const path = String(ctx.params.path).replace(/^\/+/, "");
    const branch = (ctx.body.branch as string | undefined) ?? repo.defaultBranch;
    const head = await branchHead(repo, branch);
    const existing = await repo.git.entryAt(head, path);
    if (existing?.type === "tree") throw new GitHubError(422, `${path} is a directory`);
    const given = ctx.body.sha as string | undefined;
    if (existing && !given) throw new GitHubError(422, `Invalid request.\n\n"sha" wasn't supplied.`);
    if (existing && given !== existing.sha) throw new GitHubError(409, `${path} does not match ${given}`);
    const base64 = String(ctx.body.content);
    if (!/^[A-Za-z0-9+/=\s]*$/.test(base64)) throw new GitHubError(422, "content is not valid Base64");
    const blob = await repo.git.writeBlob(Buffer.from(base64, "base64"));
    const headCommit = (await repo.git.readCommit(head)) as GitCommit;
    const tree = await repo.git.writeTree(headCommit.tree, [
      { path, mode: existing?.mode ?? "100644", type: "blob", sha: blob },
    ]);
    const sha = await writeApiCommit(ctx.world, repo, ctx.actor, {
      tree,
      parents: [head],
      message: String(ctx.body.message),
      author: ctx.body.author,
      committer: ctx.body.committer,
    });
    await moveRef(ctx.world, repo, `refs/heads/${branch}`, sha, ctx.actor, head);
    const entry = (await repo.git.entryAt(sha, path)) as GitTreeEntry;
    return {
      status: existing ? 200 : 201,
      body: {
        content: entryJson(ctx, repo, branch, entry),
        commit: gitCommitJson(ctx.urls, repo, (await repo.git.readCommit(sha)) as GitCommit),
      },
    };
  },

  "repos/delete-file": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const path = String(ctx.params.path).replace(/^\/+/, "");
    const branch = (ctx.body.branch as string | undefined) ?? repo.defaultBranch;
    const head = await branchHead(repo, branch);
    const existing = await repo.git.entryAt(head, path);
    if (!existing || existing.type !== "blob") throw notFound();
    if (ctx.body.sha !== existing.sha)
      throw new GitHubError(409, `${path} does not match ${String(ctx.body.sha)}`);
    const headCommit = (await repo.git.readCommit(head)) as GitCommit;
    const tree = await repo.git.writeTree(headCommit.tree, [
      { path, mode: existing.mode, type: "blob", sha: null },
    ]);
    const sha = await writeApiCommit(ctx.world, repo, ctx.actor, {
      tree,
      parents: [head],
      message: String(ctx.body.message),
      author: ctx.body.author,
      committer: ctx.body.committer,
    });
    await moveRef(ctx.world, repo, `refs/heads/${branch}`, sha, ctx.actor, head);
    return {
      status: 200,
      body: {
        content: null,
        commit: gitCommitJson(ctx.urls, repo, (await repo.git.readCommit(sha)) as GitCommit),
      },
    };
  },
};
