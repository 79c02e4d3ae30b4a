import { moveRef } from "../branch-updates.ts";
import type { GitCommit } from "../git-repo.ts";
import { GitHubError, notFound, validationFailed } from "../github-error.ts";
import { iso, labelJson, repoApiUrl, repoJson, userJson } from "../json-shapes.ts";
import {
  authorAssociation,
  intParam,
  paginate,
  repoOf,
  requirePermission,
  type RouteContext,
  type RouteHandlers,
} from "../route-context.ts";
import type { EditChanges } from "../sim-events.ts";
import { nodeId, type SimIssue, type SimLabel, type SimPull, type SimRepo } from "../world.ts";
import { gitCommitJson, identityJson, writeApiCommit } from "./git-data.ts";

/** The pull request's current head sha: the branch while it exists, else the last one seen. */
export async function headShaOf(repo: SimRepo, pull: SimPull): Promise<string> {
  const issue = repo.issues.get(pull.number);
  if (issue?.state === "open") {
    const live = await repo.git.resolve(`refs/heads/${pull.head}`);
    if (live) pull.headSha = live;
  }
  return pull.headSha;
}

/** The pull-request shape; `detail` adds the counts and mergeability GET answers carry. */
export async function pullJson(ctx: RouteContext, repo: SimRepo, pull: SimPull, detail: boolean) {
  const issue = repo.issues.get(pull.number) as SimIssue;
  const api = repoApiUrl(ctx.urls, repo);
  const html = `${ctx.urls.html}/${repo.fullName}/pull/${pull.number}`;
  const headSha = await headShaOf(repo, pull);
  const baseSha = (await repo.git.resolve(`refs/heads/${pull.base}`)) ?? pull.baseSha;
  const side = (ref: string, sha: string) => ({
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: userJson(ctx.urls, repo.owner),
    repo: repoJson(ctx.urls, repo),
  });
  const link = (href: string) => ({ href });
  const body: Record<string, unknown> = {
    url: `${api}/pulls/${pull.number}`,
    id: pull.id,
    node_id: pull.nodeId,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${api}/pulls/${pull.number}/commits`,
    review_comments_url: `${api}/pulls/${pull.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${headSha}`,
    number: pull.number,
    state: issue.state,
    locked: issue.locked,
    title: issue.title,
    user: userJson(ctx.urls, issue.user),
    body: issue.body,
    labels: issue.labels.map((n) => labelJson(ctx.urls, repo, repo.labels.get(n.toLowerCase()) as SimLabel)),
    milestone: null,
    active_lock_reason: null,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: issue.closedAt ? iso(issue.closedAt) : null,
    merged_at: pull.mergedAt ? iso(pull.mergedAt) : null,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: (pull.requestedReviewers ?? []).map((login) =>
      userJson(ctx.urls, ctx.world.ensureUser(login)),
    ),
    requested_teams: [],
    head: side(pull.head, headSha),
    base: side(pull.base, baseSha),
    _links: {
      self: link(`${api}/pulls/${pull.number}`),
      html: link(html),
      issue: link(`${api}/issues/${pull.number}`),
      comments: link(`${api}/issues/${pull.number}/comments`),
      review_comments: link(`${api}/pulls/${pull.number}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${api}/pulls/${pull.number}/commits`),
      statuses: link(`${api}/statuses/${headSha}`),
    },
    author_association: authorAssociation(repo, issue.user.login),
    auto_merge: autoMergeJson(ctx, repo, pull),
    draft: pull.draft,
  };
  if (!detail) return body;
  const mergeBase = (await repo.git.mergeBase(baseSha, headSha)) ?? baseSha;
  const files = await repo.git.diff(mergeBase, headSha);
  const commits = await repo.git.commitsBetween(baseSha, headSha);
  const open = issue.state === "open";
  const clean = open ? (await repo.git.mergeTrees(baseSha, headSha)) !== undefined : undefined;
  return {
    ...body,
    merged: pull.merged,
    mergeable: open ? clean : null,
    rebaseable: open ? clean : null,
    mergeable_state: !open ? "unknown" : clean ? (pull.draft ? "draft" : "clean") : "dirty",
    merged_by: pull.mergedBy ? userJson(ctx.urls, pull.mergedBy) : null,
    comments: [...repo.comments.values()].filter((c) => c.issueNumber === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: pull.maintainerCanModify,
    commits: commits.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changed_files: files.length,
  };
}

function autoMergeJson(ctx: RouteContext, repo: SimRepo, pull: SimPull) {
  const auto = ctx.world.mergeQueues.autoMergeOf(repo, pull);
  if (!auto) return null;
  return {
    enabled_by: userJson(ctx.urls, ctx.world.userOf(auto.enabledBy)),
    merge_method: auto.method.toLowerCase(),
    commit_title: auto.commitHeadline ?? "",
    commit_message: auto.commitBody ?? "",
  };
}

function pullOf(ctx: RouteContext, repo: SimRepo): SimPull {
  const pull = repo.pulls.get(intParam(ctx, "pull_number"));
  if (!pull) throw notFound();
  return pull;
}

// "owner:branch" names a branch of this repository when the owner is this repository's.
function branchName(repo: SimRepo, spec: string): string {
  const colon = spec.indexOf(":");
  if (colon < 0) return spec;
  if (spec.slice(0, colon).toLowerCase() !== repo.owner.login.toLowerCase()) return "";
  return spec.slice(colon + 1);
}

/** Pull requests: create, get, list, update, files, commits, update-branch. */
export const pullRoutes: RouteHandlers = {
  "pulls/create": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "read");
    const head = branchName(repo, String(ctx.body.head));
    const base = String(ctx.body.base);
    const title = ctx.body.title;
    if (typeof title !== "string" || title.trim() === "")
      throw validationFailed("PullRequest", "title", "missing_field");
    const headSha = head ? await repo.git.resolve(`refs/heads/${head}`) : undefined;
    if (!headSha) throw validationFailed("PullRequest", "head", "invalid");
    const baseSha = await repo.git.resolve(`refs/heads/${base}`);
    if (!baseSha) throw validationFailed("PullRequest", "base", "invalid");
    for (const other of repo.pulls.values())
      if (other.head === head && other.base === base && repo.issues.get(other.number)?.state === "open")
        throw validationFailed(
          "PullRequest",
          "head",
          "custom",
          `A pull request already exists for ${repo.owner.login}:${head}.`,
        );
    if ((await repo.git.commitsBetween(baseSha, headSha)).length === 0)
      throw validationFailed("PullRequest", "head", "custom", `No commits between ${base} and ${head}`);
    const author = ctx.world.userOf(ctx.actor);
    const issue = ctx.world.createIssue(repo.fullName, {
      title,
      body: (ctx.body.body as string | undefined) ?? null,
      author: author.login,
    });
    const id = ctx.world.nextId();
    const pull: SimPull = {
      id,
      nodeId: nodeId("PullRequest", id),
      number: issue.number,
      head,
      base,
      headSha,
      baseSha,
      draft: ctx.body.draft === true,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      maintainerCanModify: ctx.body.maintainer_can_modify !== false,
      requestedReviewers: [],
    };
    repo.pulls.set(pull.number, pull);
    ctx.world.emit(
      { name: "pull_request", action: "opened", repository: repo.fullName, number: pull.number },
      ctx.actor,
    );
    return { status: 201, body: await pullJson(ctx, repo, pull, true) };
  },

  "pulls/get": async (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: await pullJson(ctx, repo, pullOf(ctx, repo), true) };
  },

  "pulls/list": async (ctx) => {
    const repo = repoOf(ctx);
    const state = ctx.query.get("state") ?? "open";
    const head = ctx.query.get("head");
    const base = ctx.query.get("base");
    const direction = ctx.query.get("direction") ?? "desc";
    const list = [...repo.pulls.values()]
      .filter((p) => state === "all" || repo.issues.get(p.number)?.state === state)
      .filter((p) => !head || branchName(repo, head) === p.head)
      .filter((p) => !base || p.base === base)
      .sort((a, b) => (direction === "asc" ? a.number - b.number : b.number - a.number));
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/pulls`, list);
    return { status: 200, body: await Promise.all(page.map((p) => pullJson(ctx, repo, p, false))), headers };
  },

  "pulls/update": async (ctx) => {
    const repo = repoOf(ctx);
    const pull = pullOf(ctx, repo);
    const issue = repo.issues.get(pull.number) as SimIssue;
    if (ctx.world.userOf(ctx.actor).id !== issue.user.id) requirePermission(ctx, repo, "write");
    const now = ctx.world.clock.now();
    const changes: EditChanges = {};
    let edited = false;
    if (typeof ctx.body.title === "string" && ctx.body.title !== issue.title) {
      changes.title = { from: issue.title };
      issue.title = ctx.body.title;
      edited = true;
    }
    if (ctx.body.body !== undefined && ctx.body.body !== issue.body) {
      changes.body = { from: issue.body ?? "" };
      issue.body = ctx.body.body as string | null;
      edited = true;
    }
    if (typeof ctx.body.base === "string" && ctx.body.base !== pull.base) {
      if (!(await repo.git.resolve(`refs/heads/${ctx.body.base}`)))
        throw validationFailed("PullRequest", "base", "invalid");
      changes.base = { ref: { from: pull.base }, sha: { from: pull.baseSha } };
      pull.base = ctx.body.base;
      edited = true;
    }
    if (typeof ctx.body.maintainer_can_modify === "boolean")
      pull.maintainerCanModify = ctx.body.maintainer_can_modify;
    if (edited) {
      issue.updatedAt = now;
      ctx.world.emit(
        { name: "pull_request", action: "edited", repository: repo.fullName, number: pull.number, changes },
        ctx.actor,
      );
    }
    if (ctx.body.state === "closed" && issue.state === "open") {
      await headShaOf(repo, pull);
      issue.state = "closed";
      issue.closedAt = now;
      issue.closedBy = ctx.world.userOf(ctx.actor);
      issue.updatedAt = now;
      ctx.world.emit(
        { name: "pull_request", action: "closed", repository: repo.fullName, number: pull.number },
        ctx.actor,
      );
    } else if (ctx.body.state === "open" && issue.state === "closed") {
      if (pull.merged) throw new GitHubError(422, "Cannot reopen a merged pull request");
      if (!(await repo.git.resolve(`refs/heads/${pull.head}`)))
        throw validationFailed(
          "PullRequest",
          "state",
          "custom",
          "cannot be changed. The head branch was deleted.",
        );
      issue.state = "open";
      issue.closedAt = null;
      issue.closedBy = null;
      issue.updatedAt = now;
      ctx.world.emit(
        { name: "pull_request", action: "reopened", repository: repo.fullName, number: pull.number },
        ctx.actor,
      );
    }
    return { status: 200, body: await pullJson(ctx, repo, pull, true) };
  },

  "pulls/list-files": async (ctx) => {
    const repo = repoOf(ctx);
    const pull = pullOf(ctx, repo);
    const headSha = await headShaOf(repo, pull);
    const baseSha = (await repo.git.resolve(`refs/heads/${pull.base}`)) ?? pull.baseSha;
    const mergeBase = (await repo.git.mergeBase(baseSha, headSha)) ?? baseSha;
    const api = repoApiUrl(ctx.urls, repo);
    const files = (await repo.git.diff(mergeBase, headSha)).map((file) => ({
      sha: file.sha,
      filename: file.filename,
      status: file.status,
      additions: file.additions,
      deletions: file.deletions,
      changes: file.additions + file.deletions,
      blob_url: `${ctx.urls.html}/${repo.fullName}/blob/${headSha}/${file.filename}`,
      raw_url: `${ctx.urls.html}/${repo.fullName}/raw/${headSha}/${file.filename}`,
      contents_url: `${api}/contents/${file.filename}?ref=${headSha}`,
      patch: file.patch,
      ...(file.previousFilename ? { previous_filename: file.previousFilename } : {}),
    }));
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/pulls/${pull.number}/files`, files);
    return { status: 200, body: page, headers };
  },

  "pulls/list-commits": async (ctx) => {
    const repo = repoOf(ctx);
    const pull = pullOf(ctx, repo);
    const headSha = await headShaOf(repo, pull);
    const baseSha = (await repo.git.resolve(`refs/heads/${pull.base}`)) ?? pull.baseSha;
    const shas = await repo.git.commitsBetween(baseSha, headSha);
    const api = repoApiUrl(ctx.urls, repo);
    const commits = [];
    for (const sha of shas) {
      const commit = (await repo.git.readCommit(sha)) as GitCommit;
      const git = gitCommitJson(ctx.urls, repo, commit);
      commits.push({
        sha,
        node_id: git.node_id,
        url: `${api}/commits/${sha}`,
        html_url: git.html_url,
        comments_url: `${api}/commits/${sha}/comments`,
        commit: {
          url: git.url,
          author: identityJson(commit.author),
          committer: identityJson(commit.committer),
          message: git.message,
          comment_count: 0,
          tree: git.tree,
          verification: git.verification,
        },
        author: null,
        committer: null,
        parents: git.parents,
      });
    }
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/pulls/${pull.number}/commits`, commits);
    return { status: 200, body: page, headers };
  },

  "pulls/request-reviewers": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const pull = pullOf(ctx, repo);
    const teams = (ctx.body.team_reviewers as string[] | undefined) ?? [];
    if (teams.length > 0)
      throw new GitHubError(
        422,
        "Reviews may only be requested from collaborators. One or more of the teams you tried to add is not a collaborator.",
      );
    const logins = (ctx.body.reviewers as string[] | undefined) ?? [];
    for (const login of logins)
      if (!repo.collaborators.has(login.toLowerCase()))
        throw new GitHubError(
          422,
          "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the " +
            `${repo.fullName} repository.`,
        );
    for (const login of logins)
      if (!pull.requestedReviewers.some((r) => r.toLowerCase() === login.toLowerCase()))
        pull.requestedReviewers.push(login);
    return { status: 201, body: await pullJson(ctx, repo, pull, false) };
  },

  "pulls/list-requested-reviewers": (ctx) => {
    const repo = repoOf(ctx);
    const pull = pullOf(ctx, repo);
    return {
      status: 200,
      body: {
        users: pull.requestedReviewers.map((login) => userJson(ctx.urls, ctx.world.ensureUser(login))),
        teams: [],
      },
    };
  },

  "pulls/update-branch": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const pull = pullOf(ctx, repo);
    if (repo.issues.get(pull.number)?.state !== "open")
      throw new GitHubError(422, "Pull request is not open");
    const headSha = await headShaOf(repo, pull);
    const expected = ctx.body.expected_head_sha as string | undefined;
    if (expected && expected !== headSha)
      throw new GitHubError(422, "expected head sha didn't match current head ref.");
    const baseSha = await repo.git.resolve(`refs/heads/${pull.base}`);
    if (!baseSha) throw new GitHubError(422, `Base branch ${pull.base} does not exist`);
    if (await repo.git.isAncestor(baseSha, headSha))
      throw new GitHubError(422, "There are no new commits on the base branch.");
    const tree = await repo.git.mergeTrees(headSha, baseSha);
    if (!tree) throw new GitHubError(422, "merge conflict between base and head");
    const sha = await writeApiCommit(ctx.world, repo, ctx.actor, {
      tree,
      parents: [headSha, baseSha],
      message: `Merge branch '${pull.base}' into ${pull.head}`,
    });
    await moveRef(ctx.world, repo, `refs/heads/${pull.head}`, sha, ctx.actor, headSha);
    return {
      status: 202,
      body: {
        message: "Updating pull request branch.",
        url: `${ctx.urls.html}/${repo.fullName}/pull/${pull.number}`,
      },
    };
  },
};
