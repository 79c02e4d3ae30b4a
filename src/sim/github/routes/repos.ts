import { GitHubError, notFound } from "../github-error.ts";
import { MERGE_SETTING_KEYS, type MergeSettings } from "../merge-queue/merge-settings.ts";
import { fullRepoJson, userJson } from "../json-shapes.ts";
import { permissionOf, repoOf, requirePermission, type RouteHandlers } from "../route-context.ts";
import { rateHeaders } from "../rate-limiter.ts";

// The collaborator-permission API folds roles into the classic three levels.
const CLASSIC = { admin: "admin", maintain: "write", write: "write", triage: "read", read: "read" } as const;

/** Repositories, collaborators and the rate-limit status. */
export const repoRoutes: RouteHandlers = {
  "repos/get": (ctx) => ({ status: 200, body: fullRepoJson(ctx.urls, repoOf(ctx)) }),

  "repos/update": (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "admin");
    if (
      ctx.actor.kind === "installation" &&
      ctx.world.apps.get(ctx.actor.appId)?.permissions.administration !== "write"
    )
      throw new GitHubError(403, "Resource not accessible by integration");
    const change: Record<string, unknown> = { ...ctx.body };
    // The deprecated flag is the squash title setting under another name.
    if (
      typeof change.use_squash_pr_title_as_default === "boolean" &&
      change.squash_merge_commit_title === undefined
    )
      change.squash_merge_commit_title = change.use_squash_pr_title_as_default
        ? "PR_TITLE"
        : "COMMIT_OR_PR_TITLE";
    delete change.use_squash_pr_title_as_default;
    const unserved = Object.keys(change).filter((k) => !(MERGE_SETTING_KEYS as string[]).includes(k));
    if (unserved.length > 0)
      throw new GitHubError(
        501,
        `Not implemented by the offline GitHub: repository fields ${unserved.join(", ")}`,
      );
    Object.assign(repo.mergeSettings, change as Partial<MergeSettings>);
    repo.updatedAt = ctx.world.clock.now();
    return { status: 200, body: fullRepoJson(ctx.urls, repo) };
  },

  "repos/get-collaborator-permission-level": (ctx) => {
    const repo = repoOf(ctx);
    const login = String(ctx.params.username);
    const user = ctx.world.users.get(login.toLowerCase());
    if (!user) throw notFound();
    const role = permissionOf(repo, login);
    return {
      status: 200,
      body: {
        permission: role ? CLASSIC[role] : "none",
        role_name: role ?? "none",
        // GitHub's description requires the collaborator's role_name inside `user` too.
        user: { ...userJson(ctx.urls, user), permissions: permissionsOf(role), role_name: role ?? "none" },
      },
    };
  },

  "rate-limit/get": (ctx) => {
    const core = ctx.rateLimit("core");
    const graphql = ctx.rateLimit("graphql");
    const shape = (s: typeof core) => ({
      limit: s.limit,
      remaining: s.remaining,
      used: s.used,
      reset: s.reset,
    });
    return {
      status: 200,
      body: {
        // Search is not served; its bucket reports GitHub's untouched per-minute default.
        resources: {
          core: shape(core),
          graphql: shape(graphql),
          search: { limit: 30, remaining: 30, used: 0, reset: core.reset },
        },
        rate: shape(core),
      },
      headers: rateHeaders(core),
    };
  },
};

function permissionsOf(role: string | undefined) {
  const rank = ["read", "triage", "write", "maintain", "admin"].indexOf(role ?? "") + 1;
  return { pull: rank >= 1, triage: rank >= 2, push: rank >= 3, maintain: rank >= 4, admin: rank >= 5 };
}
