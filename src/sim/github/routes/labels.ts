import { GitHubError, notFound, validationFailed } from "../github-error.ts";
import { labelJson } from "../json-shapes.ts";
import {
  paginate,
  repoOf,
  requirePermission,
  type RouteContext,
  type RouteHandlers,
} from "../route-context.ts";
import type { SimIssue, SimLabel, SimRepo } from "../world.ts";
import { issueOf, setIssueLabels } from "./issues.ts";

function labelsOfIssue(ctx: RouteContext, repo: SimRepo, issue: SimIssue) {
  return issue.labels.map((n) => labelJson(ctx.urls, repo, repo.labels.get(n.toLowerCase()) as SimLabel));
}

// Octokit sends `{labels: [...]}`; GitHub also takes a bare array or `[{name}]`.
function namesOf(body: unknown): string[] {
  const list = Array.isArray(body) ? body : ((body as { labels?: unknown[] }).labels ?? []);
  return list
    .map((l) => (typeof l === "string" ? l : String((l as { name?: unknown }).name ?? "")))
    .filter(Boolean);
}

/** Labels: repository labels and the labels on an issue or pull request. */
export const labelRoutes: RouteHandlers = {
  "issues/create-label": (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const name = String(ctx.body.name);
    if (repo.labels.has(name.toLowerCase())) throw validationFailed("Label", "name", "already_exists");
    const color = String(ctx.body.color ?? "ededed").replace(/^#/, "");
    if (!/^[0-9a-fA-F]{6}$/.test(color)) throw validationFailed("Label", "color", "invalid");
    const label = ctx.world.createLabel(
      repo.fullName,
      name,
      color,
      (ctx.body.description as string | undefined) ?? null,
    );
    ctx.world.emit(
      { name: "label", action: "created", repository: repo.fullName, label: label.name },
      ctx.actor,
    );
    return { status: 201, body: labelJson(ctx.urls, repo, label) };
  },

  "issues/get-label": (ctx) => {
    const repo = repoOf(ctx);
    const label = repo.labels.get(String(ctx.params.name).toLowerCase());
    if (!label) throw notFound();
    return { status: 200, body: labelJson(ctx.urls, repo, label) };
  },

  "issues/list-labels-for-repo": (ctx) => {
    const repo = repoOf(ctx);
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/labels`, [...repo.labels.values()]);
    return { status: 200, body: page.map((l) => labelJson(ctx.urls, repo, l)), headers };
  },

  "issues/list-labels-on-issue": (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: labelsOfIssue(ctx, repo, issueOf(ctx, repo)) };
  },

  "issues/add-labels": (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "triage");
    const issue = issueOf(ctx, repo);
    const names = namesOf(ctx.body);
    if (names.length === 0) throw validationFailed("Label", "labels", "missing_field");
    setIssueLabels(ctx.world, repo, issue, [...issue.labels, ...names], ctx.actor);
    return { status: 200, body: labelsOfIssue(ctx, repo, issue) };
  },

  "issues/set-labels": (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "triage");
    const issue = issueOf(ctx, repo);
    setIssueLabels(ctx.world, repo, issue, namesOf(ctx.body), ctx.actor);
    return { status: 200, body: labelsOfIssue(ctx, repo, issue) };
  },

  "issues/remove-label": (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "triage");
    const issue = issueOf(ctx, repo);
    const name = String(ctx.params.name);
    if (!issue.labels.some((l) => l.toLowerCase() === name.toLowerCase()))
      throw new GitHubError(404, "Label does not exist");
    setIssueLabels(
      ctx.world,
      repo,
      issue,
      issue.labels.filter((l) => l.toLowerCase() !== name.toLowerCase()),
      ctx.actor,
    );
    return { status: 200, body: labelsOfIssue(ctx, repo, issue) };
  },
};
