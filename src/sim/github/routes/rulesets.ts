import { GitHubError, notFound } from "../github-error.ts";
import { iso, repoApiUrl } from "../json-shapes.ts";
import { branchRules, makeRuleset, type RulesetInput, type SimRuleset } from "../merge-queue/rulesets.ts";
import {
  paginate,
  repoOf,
  requirePermission,
  type RouteContext,
  type RouteHandlers,
} from "../route-context.ts";
import { nodeId, type SimRepo } from "../world.ts";

/** The repository-ruleset shape; the list leaves out conditions and rules, as GitHub's does. */
export function rulesetJson(ctx: RouteContext, repo: SimRepo, ruleset: SimRuleset, full: boolean) {
  const self = `${repoApiUrl(ctx.urls, repo)}/rulesets/${ruleset.id}`;
  return {
    id: ruleset.id,
    name: ruleset.name,
    target: ruleset.target,
    source_type: "Repository" as const,
    source: repo.fullName,
    enforcement: ruleset.enforcement,
    node_id: ruleset.nodeId,
    _links: { self: { href: self }, html: { href: `${ctx.urls.html}/${repo.fullName}/rules/${ruleset.id}` } },
    created_at: iso(ruleset.createdAt),
    updated_at: iso(ruleset.updatedAt),
    ...(full
      ? {
          bypass_actors: ruleset.bypassActors,
          current_user_can_bypass: "never" as const,
          conditions: ruleset.conditions,
          rules: ruleset.rules,
        }
      : {}),
  };
}

function rulesetOf(ctx: RouteContext, repo: SimRepo): SimRuleset {
  const ruleset = repo.rulesets.get(Number(ctx.params.ruleset_id));
  if (!ruleset) throw notFound();
  return ruleset;
}

// Rulesets are an administrator's business on GitHub; apps need the administration permission.
function requireAdmin(ctx: RouteContext, repo: SimRepo): void {
  requirePermission(ctx, repo, "admin");
  if (ctx.actor.kind === "installation") {
    const app = ctx.world.apps.get(ctx.actor.appId);
    if (app?.permissions.administration !== "write")
      throw new GitHubError(403, "Resource not accessible by integration");
  }
  if (ctx.actor.kind === "github_token") throw new GitHubError(403, "Resource not accessible by integration");
}

/** Repository rulesets (create, get, list, update, delete) and the rules in force on a branch. */
export const rulesetRoutes: RouteHandlers = {
  "repos/create-repo-ruleset": (ctx) => {
    const repo = repoOf(ctx);
    requireAdmin(ctx, repo);
    const id = ctx.world.nextId();
    const ruleset = makeRuleset(
      id,
      nodeId("RepositoryRuleset", id),
      ctx.body as unknown as RulesetInput,
      ctx.world.clock.now(),
    );
    repo.rulesets.set(id, ruleset);
    return { status: 201, body: rulesetJson(ctx, repo, ruleset, true) };
  },

  "repos/get-repo-ruleset": (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: rulesetJson(ctx, repo, rulesetOf(ctx, repo), true) };
  },

  "repos/get-repo-rulesets": (ctx) => {
    const repo = repoOf(ctx);
    const targets = ctx.query.get("targets")?.split(",");
    const list = [...repo.rulesets.values()].filter((r) => !targets || targets.includes(r.target));
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/rulesets`, list);
    return { status: 200, body: page.map((r) => rulesetJson(ctx, repo, r, false)), headers };
  },

  "repos/update-repo-ruleset": (ctx) => {
    const repo = repoOf(ctx);
    requireAdmin(ctx, repo);
    const current = rulesetOf(ctx, repo);
    const body = ctx.body as Partial<RulesetInput>;
    const input: RulesetInput = {
      ...body,
      name: body.name ?? current.name,
      enforcement: body.enforcement ?? current.enforcement,
    };
    const updated = makeRuleset(current.id, current.nodeId, input, ctx.world.clock.now(), current);
    repo.rulesets.set(current.id, updated);
    return { status: 200, body: rulesetJson(ctx, repo, updated, true) };
  },

  "repos/delete-repo-ruleset": (ctx) => {
    const repo = repoOf(ctx);
    requireAdmin(ctx, repo);
    rulesetOf(ctx, repo);
    repo.rulesets.delete(Number(ctx.params.ruleset_id));
    return { status: 204 };
  },

  "repos/get-branch-rules": (ctx) => {
    const repo = repoOf(ctx);
    const branch = String(ctx.params.branch);
    const rules = branchRules(repo, branch).map(({ rule, ruleset }) => ({
      ...rule,
      ruleset_source_type: "Repository",
      ruleset_source: repo.fullName,
      ruleset_id: ruleset.id,
    }));
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/rules/branches/${branch}`, rules);
    return { status: 200, body: page, headers };
  },
};
