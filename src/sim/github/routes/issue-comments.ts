import { notFound } from "../github-error.ts";
import { appJson, iso, repoApiUrl, userJson, type SimUrls } from "../json-shapes.ts";
import {
  authorAssociation,
  paginate,
  repoOf,
  requirePermission,
  type RouteContext,
  type RouteHandlers,
} from "../route-context.ts";
import type { SimComment, SimReaction, SimRepo, SimWorld } from "../world.ts";
import { nodeId } from "../world.ts";
import { issueOf, reactionRollup } from "./issues.ts";

/** The issue-comment shape. */
export function commentJson(world: SimWorld, urls: SimUrls, repo: SimRepo, comment: SimComment) {
  const api = `${repoApiUrl(urls, repo)}/issues/comments/${comment.id}`;
  const via = comment.causedBy.kind === "installation" ? world.apps.get(comment.causedBy.appId) : undefined;
  return {
    id: comment.id,
    node_id: comment.nodeId,
    url: api,
    html_url: `${urls.html}/${repo.fullName}/issues/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${repoApiUrl(urls, repo)}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: userJson(urls, comment.user),
    created_at: iso(comment.createdAt),
    updated_at: iso(comment.updatedAt),
    author_association: authorAssociation(repo, comment.user.login),
    performed_via_github_app: via ? appJson(urls, via) : null,
    reactions: reactionRollup(`${api}/reactions`, comment.reactions),
  };
}

/** The reaction shape. */
export function reactionJson(urls: SimUrls, reaction: SimReaction) {
  return {
    id: reaction.id,
    node_id: reaction.nodeId,
    user: userJson(urls, reaction.user),
    content: reaction.content,
    created_at: iso(reaction.createdAt),
  };
}

function commentOf(ctx: RouteContext, repo: SimRepo): SimComment {
  const comment = repo.comments.get(Number(ctx.params.comment_id));
  if (!comment) throw notFound();
  return comment;
}

// GitHub answers 200 with the existing reaction when the same user reacts the same way twice.
function react(ctx: RouteContext, reactions: SimReaction[]) {
  const user = ctx.world.userOf(ctx.actor);
  const content = String(ctx.body.content);
  const existing = reactions.find((r) => r.user.id === user.id && r.content === content);
  if (existing) return { status: 200, body: reactionJson(ctx.urls, existing) };
  const id = ctx.world.nextId();
  const reaction = { id, nodeId: nodeId("Reaction", id), content, user, createdAt: ctx.world.clock.now() };
  reactions.push(reaction);
  return { status: 201, body: reactionJson(ctx.urls, reaction) };
}

/** Issue comments and reactions on issues and comments. */
export const issueCommentRoutes: RouteHandlers = {
  "issues/list-comments": (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    const since = ctx.query.get("since");
    const list = [...repo.comments.values()]
      .filter((c) => c.issueNumber === issue.number)
      .filter((c) => !since || c.updatedAt.getTime() >= Date.parse(since));
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/issues/${issue.number}/comments`, list);
    return { status: 200, body: page.map((c) => commentJson(ctx.world, ctx.urls, repo, c)), headers };
  },

  "issues/create-comment": (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    const id = ctx.world.nextId();
    const now = ctx.world.clock.now();
    const comment: SimComment = {
      id,
      nodeId: nodeId("IssueComment", id),
      issueNumber: issue.number,
      body: String(ctx.body.body),
      user: ctx.world.userOf(ctx.actor),
      createdAt: now,
      updatedAt: now,
      reactions: [],
      causedBy: ctx.actor,
    };
    repo.comments.set(id, comment);
    issue.updatedAt = now;
    ctx.world.emit(
      {
        name: "issue_comment",
        action: "created",
        repository: repo.fullName,
        number: issue.number,
        commentId: id,
      },
      ctx.actor,
    );
    return { status: 201, body: commentJson(ctx.world, ctx.urls, repo, comment) };
  },

  "issues/get-comment": (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: commentJson(ctx.world, ctx.urls, repo, commentOf(ctx, repo)) };
  },

  "issues/update-comment": (ctx) => {
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    if (ctx.world.userOf(ctx.actor).id !== comment.user.id) requirePermission(ctx, repo, "triage");
    const from = comment.body;
    comment.body = String(ctx.body.body);
    comment.updatedAt = ctx.world.clock.now();
    ctx.world.emit(
      {
        name: "issue_comment",
        action: "edited",
        repository: repo.fullName,
        number: comment.issueNumber,
        commentId: comment.id,
        changes: { body: { from } },
      },
      ctx.actor,
    );
    return { status: 200, body: commentJson(ctx.world, ctx.urls, repo, comment) };
  },

  "issues/delete-comment": (ctx) => {
    const repo = repoOf(ctx);
    const comment = commentOf(ctx, repo);
    if (ctx.world.userOf(ctx.actor).id !== comment.user.id) requirePermission(ctx, repo, "triage");
    repo.comments.delete(comment.id);
    return { status: 204 };
  },

  "reactions/create-for-issue-comment": (ctx) => react(ctx, commentOf(ctx, repoOf(ctx)).reactions),

  "reactions/list-for-issue-comment": (ctx) => {
    const comment = commentOf(ctx, repoOf(ctx));
    const content = ctx.query.get("content");
    const list = comment.reactions.filter((r) => !content || r.content === content);
    return { status: 200, body: list.map((r) => reactionJson(ctx.urls, r)) };
  },

  "reactions/create-for-issue": (ctx) => {
    const repo = repoOf(ctx);
    return react(ctx, issueOf(ctx, repo).reactions);
  },

  "reactions/list-for-issue": (ctx) => {
    const repo = repoOf(ctx);
    const content = ctx.query.get("content");
    const list = issueOf(ctx, repo).reactions.filter((r) => !content || r.content === content);
    return { status: 200, body: list.map((r) => reactionJson(ctx.urls, r)) };
  },
};
