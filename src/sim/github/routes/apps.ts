import { GitHubError, notFound } from "../github-error.ts";
import { appJson, installationJson, iso, minimalRepoJson, repoJson } from "../json-shapes.ts";
import type { RouteContext, RouteHandlers } from "../route-context.ts";
import type { SimApp, SimInstallation } from "../world.ts";

function appOf(ctx: RouteContext): SimApp {
  if (ctx.actor.kind !== "app") throw new GitHubError(401, "A JSON web token could not be decoded");
  return ctx.world.apps.get(ctx.actor.appId) as SimApp;
}

function ownInstallation(ctx: RouteContext): SimInstallation {
  const app = appOf(ctx);
  const installation = ctx.world.installations.get(Number(ctx.params.installation_id));
  if (!installation || installation.appId !== app.id) throw notFound();
  return installation;
}

/** GitHub App endpoints: the app itself, its installations, installation access tokens. */
export const appRoutes: RouteHandlers = {
  "apps/get-authenticated": (ctx) => ({ status: 200, body: appJson(ctx.urls, appOf(ctx)) }),

  "apps/list-installations": (ctx) => {
    const app = appOf(ctx);
    const list = [...ctx.world.installations.values()].filter((i) => i.appId === app.id);
    return { status: 200, body: list.map((i) => installationJson(ctx.urls, app, i)) };
  },

  "apps/get-installation": (ctx) => ({
    status: 200,
    body: installationJson(ctx.urls, appOf(ctx), ownInstallation(ctx)),
  }),

  "apps/get-repo-installation": (ctx) => {
    const app = appOf(ctx);
    const repo = ctx.world.repo(`${ctx.params.owner}/${ctx.params.repo}`);
    const installation = repo && ctx.world.installationFor(app.id, repo);
    if (!installation) throw notFound();
    return { status: 200, body: installationJson(ctx.urls, app, installation) };
  },

  "apps/create-installation-access-token": (ctx) => {
    const app = appOf(ctx);
    const installation = ownInstallation(ctx);
    const repositories = ctx.body.repositories as string[] | undefined;
    const repos = [...ctx.world.repos.values()].filter((r) => r.owner.id === installation.account.id);
    // Narrowing to named repositories is accepted but the token still covers the account:
    // refuse names the installation cannot reach rather than ignore them.
    for (const name of repositories ?? [])
      if (!repos.some((r) => r.name.toLowerCase() === name.toLowerCase()))
        throw new GitHubError(
          422,
          `There is at least one repository that does not exist or is not accessible to the parent installation.`,
        );
    const { token, expiresAt } = ctx.world.mintInstallationToken(installation.id);
    const body: Record<string, unknown> = {
      token,
      expires_at: iso(expiresAt),
      permissions: app.permissions,
      repository_selection: "all",
    };
    if (repositories)
      body.repositories = repos
        .filter((r) => repositories.includes(r.name))
        .map((r) => minimalRepoJson(ctx.urls, r));
    return { status: 201, body };
  },

  "apps/list-repos-accessible-to-installation": (ctx) => {
    if (ctx.actor.kind !== "installation")
      throw new GitHubError(403, "Resource not accessible by integration");
    const installation = ctx.world.installations.get(ctx.actor.installationId) as SimInstallation;
    const repos = [...ctx.world.repos.values()].filter((r) => r.owner.id === installation.account.id);
    return {
      status: 200,
      body: {
        total_count: repos.length,
        repository_selection: "all",
        repositories: repos.map((r) => repoJson(ctx.urls, r)),
      },
    };
  },
};
