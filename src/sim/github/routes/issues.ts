import { GitHubError, notFound } from "../github-error.ts";
import { iso, labelJson, repoApiUrl, userJson, type SimUrls } from "../json-shapes.ts";
import {
  authorAssociation,
  intParam,
  paginate,
  repoOf,
  requirePermission,
  type RouteContext,
  type RouteHandlers,
} from "../route-context.ts";
import type { Actor, EditChanges } from "../sim-events.ts";
import type { SimIssue, SimLabel, SimReaction, SimRepo, SimWorld } from "../world.ts";

const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "eyes", "rocket"] as const;

/** The reaction-rollup shape for a list of reactions. */
export function reactionRollup(url: string, reactions: SimReaction[]) {
  const rollup: Record<string, unknown> = { url, total_count: reactions.length };
  for (const content of REACTIONS) rollup[content] = reactions.filter((r) => r.content === content).length;
  return rollup;
}

/** The issue shape (a pull request's issue carries a `pull_request` link block). */
export function issueJson(world: SimWorld, urls: SimUrls, repo: SimRepo, issue: SimIssue) {
  const api = `${repoApiUrl(urls, repo)}/issues/${issue.number}`;
  const html = `${urls.html}/${repo.fullName}/issues/${issue.number}`;
  const pull = repo.pulls.get(issue.number);
  const comments = [...repo.comments.values()].filter((c) => c.issueNumber === issue.number).length;
  const assignees = issue.assignees.map((login) => userJson(urls, world.ensureUser(login)));
  return {
    id: issue.id,
    node_id: issue.nodeId,
    url: api,
    repository_url: repoApiUrl(urls, repo),
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: pull ? `${urls.html}/${repo.fullName}/pull/${issue.number}` : html,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: userJson(urls, issue.user),
    labels: issue.labels.map((name) =>
      labelJson(urls, repo, repo.labels.get(name.toLowerCase()) as SimLabel),
    ),
    assignee: assignees[0] ?? null,
    assignees,
    milestone: null,
    locked: issue.locked,
    active_lock_reason: null,
    comments,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: issue.closedAt ? iso(issue.closedAt) : null,
    closed_by: issue.closedBy ? userJson(urls, issue.closedBy) : null,
    author_association: authorAssociation(repo, issue.user.login),
    reactions: reactionRollup(`${api}/reactions`, issue.reactions),
    ...(pull
      ? {
          pull_request: {
            url: `${repoApiUrl(urls, repo)}/pulls/${issue.number}`,
            html_url: `${urls.html}/${repo.fullName}/pull/${issue.number}`,
            diff_url: `${urls.html}/${repo.fullName}/pull/${issue.number}.diff`,
            patch_url: `${urls.html}/${repo.fullName}/pull/${issue.number}.patch`,
            merged_at: pull.mergedAt ? iso(pull.mergedAt) : null,
          },
        }
      : {}),
  };
}

/** The issue with this number (pull requests included), or 404. */
export function issueOf(ctx: RouteContext, repo: SimRepo): SimIssue {
  const issue = repo.issues.get(intParam(ctx, "issue_number"));
  if (!issue) throw notFound();
  return issue;
}

/**
 * Changes an issue's labels and announces each added or removed label, as `issues` or
 * `pull_request` events depending on what the number names.
 */
export function setIssueLabels(
  world: SimWorld,
  repo: SimRepo,
  issue: SimIssue,
  names: string[],
  actor: Actor,
): void {
  const wanted: string[] = [];
  for (const name of names) {
    let label = repo.labels.get(name.toLowerCase());
    label ??= world.createLabel(repo.fullName, name);
    if (!wanted.includes(label.name)) wanted.push(label.name);
  }
  const added = wanted.filter((n) => !issue.labels.includes(n));
  const removed = issue.labels.filter((n) => !wanted.includes(n));
  if (added.length === 0 && removed.length === 0) return;
  issue.labels = wanted;
  issue.updatedAt = world.clock.now();
  const name = repo.pulls.has(issue.number) ? "pull_request" : "issues";
  for (const label of added)
    world.emit({ name, action: "labeled", repository: repo.fullName, number: issue.number, label }, actor);
  for (const label of removed)
    world.emit({ name, action: "unlabeled", repository: repo.fullName, number: issue.number, label }, actor);
}

function issueResult(ctx: RouteContext, repo: SimRepo, issue: SimIssue, status = 200) {
  return { status, body: issueJson(ctx.world, ctx.urls, repo, issue) };
}

/** Issues: get, list, create, update. */
export const issueRoutes: RouteHandlers = {
  "issues/get": (ctx) => {
    const repo = repoOf(ctx);
    return issueResult(ctx, repo, issueOf(ctx, repo));
  },

  "issues/list-for-repo": (ctx) => {
    const repo = repoOf(ctx);
    const state = ctx.query.get("state") ?? "open";
    const labels = (ctx.query.get("labels") ?? "")
      .split(",")
      .filter(Boolean)
      .map((l) => l.toLowerCase());
    const since = ctx.query.get("since");
    const sort = ctx.query.get("sort") ?? "created";
    const direction = ctx.query.get("direction") ?? "desc";
    let list = [...repo.issues.values()].filter((i) => state === "all" || i.state === state);
    if (labels.length > 0)
      list = list.filter((i) => labels.every((l) => i.labels.some((n) => n.toLowerCase() === l)));
    if (since) list = list.filter((i) => i.updatedAt.getTime() >= Date.parse(since));
    const creator = ctx.query.get("creator");
    if (creator) list = list.filter((i) => i.user.login.toLowerCase() === creator.toLowerCase());
    const key = (i: SimIssue) =>
      (sort === "updated" ? i.updatedAt.getTime() : i.createdAt.getTime()) * 1e6 + i.number;
    list.sort((a, b) => (direction === "asc" ? key(a) - key(b) : key(b) - key(a)));
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/issues`, list);
    return { status: 200, body: page.map((i) => issueJson(ctx.world, ctx.urls, repo, i)), headers };
  },

  "issues/create": (ctx) => {
    const repo = repoOf(ctx);
    const author = ctx.world.userOf(ctx.actor);
    const issue = ctx.world.createIssue(repo.fullName, {
      title: String(ctx.body.title),
      body: (ctx.body.body as string | null | undefined) ?? null,
      author: author.login,
    });
    ctx.world.emit(
      { name: "issues", action: "opened", repository: repo.fullName, number: issue.number },
      ctx.actor,
    );
    const labels = (ctx.body.labels as (string | { name?: string })[] | undefined) ?? [];
    const names = labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))).filter(Boolean);
    if (names.length > 0) setIssueLabels(ctx.world, repo, issue, names, ctx.actor);
    if (Array.isArray(ctx.body.assignees)) issue.assignees = ctx.body.assignees as string[];
    return issueResult(ctx, repo, issue, 201);
  },

  "issues/update": (ctx) => {
    const repo = repoOf(ctx);
    const issue = issueOf(ctx, repo);
    const actorUser = ctx.world.userOf(ctx.actor);
    if (ctx.actor.kind === "user" && issue.user.id !== actorUser.id) requirePermission(ctx, repo, "triage");
    const b = ctx.body;
    const now = ctx.world.clock.now();
    const eventName = repo.pulls.has(issue.number) ? "pull_request" : "issues";
    const changes: EditChanges = {};
    if (typeof b.title === "string" || typeof b.title === "number") {
      if (String(b.title) !== issue.title) changes.title = { from: issue.title };
      issue.title = String(b.title);
    }
    if (b.body !== undefined) {
      if (b.body !== issue.body) changes.body = { from: issue.body ?? "" };
      issue.body = b.body as string | null;
    }
    if (changes.title !== undefined || changes.body !== undefined) {
      issue.updatedAt = now;
      ctx.world.emit(
        { name: eventName, action: "edited", repository: repo.fullName, number: issue.number, changes },
        ctx.actor,
      );
    }
    if (Array.isArray(b.assignees)) issue.assignees = b.assignees as string[];
    if (Array.isArray(b.labels)) {
      const names = (b.labels as (string | { name?: string })[]).map((l) =>
        typeof l === "string" ? l : (l.name ?? ""),
      );
      setIssueLabels(ctx.world, repo, issue, names.filter(Boolean), ctx.actor);
    }
    if (b.state === "closed" && issue.state === "open") {
      const pull = repo.pulls.get(issue.number);
      issue.state = "closed";
      issue.stateReason = pull
        ? null
        : ((b.state_reason as SimIssue["stateReason"] | undefined) ?? "completed");
      issue.closedAt = now;
      issue.closedBy = actorUser;
      issue.updatedAt = now;
      ctx.world.emit(
        { name: eventName, action: "closed", repository: repo.fullName, number: issue.number },
        ctx.actor,
      );
    } else if (b.state === "open" && issue.state === "closed") {
      const pull = repo.pulls.get(issue.number);
      if (pull?.merged) throw new GitHubError(422, "Cannot reopen a merged pull request");
      issue.state = "open";
      issue.stateReason = pull ? null : "reopened";
      issue.closedAt = null;
      issue.closedBy = null;
      issue.updatedAt = now;
      ctx.world.emit(
        { name: eventName, action: "reopened", repository: repo.fullName, number: issue.number },
        ctx.actor,
      );
    } else if (b.state_reason !== undefined && b.state === undefined && issue.state === "closed") {
      issue.stateReason = b.state_reason as SimIssue["stateReason"];
    }
    return issueResult(ctx, repo, issue);
  },
};
