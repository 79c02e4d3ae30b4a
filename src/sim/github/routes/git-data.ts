import { deleteRef, moveRef } from "../branch-updates.ts";
import type { GitCommit, GitIdentity, TreeChange } from "../git-repo.ts";
import { GitHubError, notFound, validationFailed } from "../github-error.ts";
import { iso, repoApiUrl, type SimUrls } from "../json-shapes.ts";
import { repoOf, requirePermission, type RouteContext, type RouteHandlers } from "../route-context.ts";
import type { Actor } from "../sim-events.ts";
import { nodeId, type SimRepo, type SimWorld } from "../world.ts";

/** The git-commit shape. */
export function gitCommitJson(urls: SimUrls, repo: SimRepo, commit: GitCommit) {
  const api = repoApiUrl(urls, repo);
  const verified = repo.verifiedCommits.has(commit.sha);
  return {
    sha: commit.sha,
    node_id: nodeId("Commit", parseInt(commit.sha.slice(0, 12), 16)),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${urls.html}/${repo.fullName}/commit/${commit.sha}`,
    author: identityJson(commit.author),
    committer: identityJson(commit.committer),
    message: commit.message.replace(/\n$/, ""),
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/git/commits/${sha}`,
      html_url: `${urls.html}/${repo.fullName}/commit/${sha}`,
    })),
    verification: {
      verified,
      reason: verified ? "valid" : "unsigned",
      signature: null,
      payload: null,
      verified_at: verified ? iso(commit.committer.date) : null,
    },
  };
}

/** A git identity as GitHub renders it. */
export function identityJson(who: GitIdentity) {
  return { name: who.name, email: who.email, date: iso(who.date) };
}

/**
 * Writes a commit as GitHub does for an API caller: without a custom author or committer the
 * token's account is the author, GitHub the committer, and the commit counts as verified.
 */
export async function writeApiCommit(
  world: SimWorld,
  repo: SimRepo,
  actor: Actor,
  input: { tree: string; parents: string[]; message: string; author?: unknown; committer?: unknown },
): Promise<string> {
  const now = world.clock.now();
  const user = world.userOf(actor);
  const self: GitIdentity = {
    name: user.login,
    email: `${user.id}+${user.login}@users.noreply.github.com`,
    date: now,
  };
  const custom = (v: unknown): GitIdentity | undefined => {
    if (!v || typeof v !== "object") return undefined;
    const o = v as { name?: string; email?: string; date?: string };
    if (!o.name || !o.email) return undefined;
    return { name: o.name, email: o.email, date: o.date ? new Date(o.date) : now };
  };
  const author = custom(input.author);
  const committer = custom(input.committer);
  const signed = !author && !committer && actor.kind !== "user";
  const sha = await repo.git.writeCommit({
    tree: input.tree,
    parents: input.parents,
    message: input.message,
    author: author ?? committer ?? self,
    committer:
      committer ?? (signed ? { name: "GitHub", email: "noreply@github.com", date: now } : (author ?? self)),
  });
  if (signed) repo.verifiedCommits.add(sha);
  return sha;
}

function refJson(urls: SimUrls, repo: SimRepo, ref: { ref: string; sha: string; type: string }) {
  return {
    ref: ref.ref,
    node_id: nodeId("Ref", parseInt(ref.sha.slice(0, 12), 16)),
    url: `${repoApiUrl(urls, repo)}/git/${ref.ref}`,
    object: { type: ref.type, sha: ref.sha, url: `${repoApiUrl(urls, repo)}/git/${ref.type}s/${ref.sha}` },
  };
}

async function treeJson(ctx: RouteContext, repo: SimRepo, sha: string, recursive: boolean) {
  const api = repoApiUrl(ctx.urls, repo);
  const entries = await repo.git.listTree(sha, recursive);
  return {
    sha,
    url: `${api}/git/trees/${sha}`,
    truncated: false,
    tree: entries.map((e) => ({
      path: e.path,
      mode: e.mode,
      type: e.type,
      sha: e.sha,
      ...(e.size === undefined ? {} : { size: e.size }),
      url: `${api}/git/${e.type === "tree" ? "trees" : "blobs"}/${e.sha}`,
    })),
  };
}

const MODES: Record<string, TreeChange["type"]> = {
  "100644": "blob",
  "100755": "blob",
  "120000": "blob",
  "040000": "tree",
  "160000": "commit",
};

/** The Git Data API: blobs, trees, commits and refs, all git's own objects. */
export const gitDataRoutes: RouteHandlers = {
  "git/create-blob": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const encoding = (ctx.body.encoding as string | undefined) ?? "utf-8";
    if (encoding !== "utf-8" && encoding !== "base64") throw validationFailed("Blob", "encoding", "invalid");
    const content = Buffer.from(String(ctx.body.content), encoding === "base64" ? "base64" : "utf8");
    const sha = await repo.git.writeBlob(content);
    return { status: 201, body: { sha, url: `${repoApiUrl(ctx.urls, repo)}/git/blobs/${sha}` } };
  },

  "git/get-blob": async (ctx) => {
    const repo = repoOf(ctx);
    const sha = String(ctx.params.file_sha);
    const content = await repo.git.readBlob(sha);
    if (!content) throw notFound();
    return {
      status: 200,
      body: {
        sha,
        node_id: nodeId("Blob", parseInt(sha.slice(0, 12), 16)),
        size: content.length,
        url: `${repoApiUrl(ctx.urls, repo)}/git/blobs/${sha}`,
        content: content.toString("base64"),
        encoding: "base64",
      },
    };
  },

  "git/create-tree": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const baseTree = ctx.body.base_tree as string | undefined;
    if (baseTree && (await repo.git.objectType(baseTree)) !== "tree")
      throw new GitHubError(422, "base_tree is not a valid tree oid");
    const changes: TreeChange[] = [];
    for (const [i, raw] of (ctx.body.tree as Record<string, unknown>[]).entries()) {
      const path = String(raw.path ?? "");
      const mode = String(raw.mode ?? "");
      const type = (raw.type as TreeChange["type"] | undefined) ?? MODES[mode];
      if (
        !path ||
        path.startsWith("/") ||
        path.split("/").some((p) => p === "" || p === "." || p === ".." || p === ".git")
      )
        throw new GitHubError(422, `tree.path contains a malformed path component (tree[${i}])`);
      if (!MODES[mode] || MODES[mode] !== type)
        throw new GitHubError(422, `tree.mode and tree.type do not agree (tree[${i}])`);
      if (raw.content !== undefined && raw.sha !== undefined)
        throw new GitHubError(422, `Must supply either tree.sha or tree.content, not both (tree[${i}])`);
      let sha: string | null;
      if (typeof raw.content === "string") sha = await repo.git.writeBlob(Buffer.from(raw.content, "utf8"));
      else if (raw.sha === null) sha = null;
      else {
        sha = String(raw.sha);
        const actual = await repo.git.objectType(sha);
        if (actual !== type && type !== "commit")
          throw new GitHubError(422, `tree.sha ${sha} is not a valid ${type}`);
      }
      changes.push({ path, mode: mode === "040000" ? "040000" : mode, type, sha });
    }
    const sha = await repo.git.writeTree(baseTree, changes);
    return { status: 201, body: await treeJson(ctx, repo, sha, false) };
  },

  "git/get-tree": async (ctx) => {
    const repo = repoOf(ctx);
    const sha = await repo.git.resolve(`${String(ctx.params.tree_sha)}^{tree}`);
    if (!sha) throw notFound();
    const recursive =
      ctx.query.has("recursive") && !["0", "false"].includes(ctx.query.get("recursive") ?? "");
    return { status: 200, body: await treeJson(ctx, repo, sha, recursive) };
  },

  "git/create-commit": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const tree = String(ctx.body.tree);
    if ((await repo.git.objectType(tree)) !== "tree") throw new GitHubError(422, "Tree SHA does not exist");
    const parents = (ctx.body.parents as string[] | undefined) ?? [];
    for (const parent of parents)
      if ((await repo.git.objectType(parent)) !== "commit")
        throw new GitHubError(422, "Parent SHA does not exist or is not a commit object");
    const sha = await writeApiCommit(ctx.world, repo, ctx.actor, {
      tree,
      parents,
      message: String(ctx.body.message),
      author: ctx.body.author,
      committer: ctx.body.committer,
    });
    return {
      status: 201,
      body: gitCommitJson(ctx.urls, repo, (await repo.git.readCommit(sha)) as GitCommit),
    };
  },

  "git/get-commit": async (ctx) => {
    const repo = repoOf(ctx);
    const commit = await repo.git.readCommit(String(ctx.params.commit_sha));
    if (!commit) throw notFound();
    return { status: 200, body: gitCommitJson(ctx.urls, repo, commit) };
  },

  "git/get-ref": async (ctx) => {
    const repo = repoOf(ctx);
    const name = `refs/${String(ctx.params.ref)}`;
    const ref = (await repo.git.listRefs(name)).find((r) => r.ref === name);
    if (!ref) throw notFound();
    return { status: 200, body: refJson(ctx.urls, repo, ref) };
  },

  "git/list-matching-refs": async (ctx) => {
    const repo = repoOf(ctx);
    const refs = await repo.git.listRefs(`refs/${String(ctx.params.ref)}`);
    return { status: 200, body: refs.map((r) => refJson(ctx.urls, repo, r)) };
  },

  "git/create-ref": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const ref = String(ctx.body.ref);
    const sha = String(ctx.body.sha);
    if (!/^refs\/[^/]+\/.+/.test(ref) || ref.split("/").length < 3)
      throw new GitHubError(422, "Reference name must start with 'refs/' and have at least two slashes.");
    if ((await repo.git.objectType(sha)) === undefined) throw new GitHubError(422, "Object does not exist");
    if (await repo.git.resolve(ref)) throw new GitHubError(422, "Reference already exists");
    await moveRef(ctx.world, repo, ref, sha, ctx.actor, "0000000000000000000000000000000000000000");
    const created = (await repo.git.listRefs(ref)).find((r) => r.ref === ref) as {
      ref: string;
      sha: string;
      type: string;
    };
    return { status: 201, body: refJson(ctx.urls, repo, created) };
  },

  "git/update-ref": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const ref = `refs/${String(ctx.params.ref)}`;
    const sha = String(ctx.body.sha);
    const current = await repo.git.resolve(ref);
    if (!current) throw new GitHubError(422, "Reference does not exist");
    if ((await repo.git.objectType(sha)) !== "commit") throw new GitHubError(422, "Object does not exist");
    if (ctx.body.force !== true && !(await repo.git.isAncestor(current, sha)))
      throw new GitHubError(422, "Update is not a fast forward");
    await moveRef(ctx.world, repo, ref, sha, ctx.actor, current);
    const updated = (await repo.git.listRefs(ref)).find((r) => r.ref === ref) as {
      ref: string;
      sha: string;
      type: string;
    };
    return { status: 200, body: refJson(ctx.urls, repo, updated) };
  },

  "git/delete-ref": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const ref = `refs/${String(ctx.params.ref)}`;
    if (!(await deleteRef(ctx.world, repo, ref, ctx.actor)))
      throw new GitHubError(422, "Reference does not exist");
    return { status: 204 };
  },
};
