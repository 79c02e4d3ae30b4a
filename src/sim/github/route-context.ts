import { GitHubError, notFound } from "./github-error.ts";
import type { SimUrls } from "./json-shapes.ts";
import type { RateLimitState } from "./rate-limiter.ts";
import type { Actor } from "./sim-events.ts";
import type { Permission, SimRepo, SimWorld } from "./world.ts";

/** What a route handler receives: the world, the caller, the validated request. */
export interface RouteContext {
  world: SimWorld;
  urls: SimUrls;
  actor: Actor;
  operationId: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body, already validated against the operation's schema. */
  body: Record<string, unknown>;
  /** The request's Accept header ("application/vnd.github.raw" asks for raw file bytes). */
  accept: string;
  /** The caller's rate-limit bucket for a resource ("core", "graphql"), without spending. */
  rateLimit(resource: string): RateLimitState;
}

/** A handler's answer; the server validates `body` against the operation's response schema. */
export interface RouteResult {
  status: number;
  body?: unknown;
  /** Bytes sent as they are instead of a JSON body (raw media types); not schema-checked. */
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** A handler for one operation of the description. */
export type RouteHandler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

/** Handlers keyed by operationId (e.g. "issues/get"); one module per resource family. */
export type RouteHandlers = Record<string, RouteHandler>;

const RANK: Record<Permission, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/**
 * The repository named by the `owner`/`repo` path parameters, if the caller may see it: an
 * installation sees its account's repositories, a GITHUB_TOKEN its own repository, a user the
 * repositories they collaborate on or own. Anything else is a 404, as GitHub hides private ones.
 */
export function repoOf(ctx: RouteContext): SimRepo {
  const repo = ctx.world.repo(`${ctx.params.owner}/${ctx.params.repo}`);
  if (!repo || !canSee(ctx, repo)) throw notFound();
  return repo;
}

/** Whether the caller may see the repository (the rule `repoOf` applies; GraphQL uses it too). */
export function canSee(ctx: Pick<RouteContext, "world" | "actor">, repo: SimRepo): boolean {
  const actor = ctx.actor;
  switch (actor.kind) {
    case "installation": {
      const installation = ctx.world.installations.get(actor.installationId);
      return installation !== undefined && installation.account.id === repo.owner.id;
    }
    case "github_token":
      return actor.repository.toLowerCase() === repo.fullName.toLowerCase();
    case "user":
      return !repo.private || permissionOf(repo, actor.login) !== undefined;
    case "app":
      return false;
  }
}

/** A user's role on a repository (the owner is admin); undefined when they have none. */
export function permissionOf(repo: SimRepo, login: string): Permission | undefined {
  if (repo.owner.login.toLowerCase() === login.toLowerCase()) return "admin";
  return repo.collaborators.get(login.toLowerCase());
}

/**
 * Refuses a person without at least `needed` on the repository (apps and workflow tokens carry
 * their permissions in the token and pass). GitHub answers 403 for a visible repository.
 */
export function requirePermission(ctx: RouteContext, repo: SimRepo, needed: Permission): void {
  if (ctx.actor.kind !== "user") return;
  const has = permissionOf(repo, ctx.actor.login);
  if (!has || RANK[has] < RANK[needed])
    throw new GitHubError(403, `Must have ${needed} access to repository.`);
}

/** A path parameter as a positive integer (the schema already checked it is an integer). */
export function intParam(ctx: RouteContext, name: string): number {
  return Number(ctx.params[name]);
}

/**
 * One page of `items` as GitHub pages lists (per_page ≤ 100, default 30, page from 1), with the
 * Link header Octokit's paginate follows.
 */
export function paginate<T>(
  ctx: RouteContext,
  path: string,
  items: T[],
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get("per_page") ?? 30)));
  const page = Math.max(1, Number(ctx.query.get("page") ?? 1));
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(ctx.query);
    q.set("page", String(p));
    q.set("per_page", String(perPage));
    return `<${ctx.urls.api}${path}?${q.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length > 0 ? { link: links.join(", ") } : {},
  };
}

/** How GitHub describes the author of an issue or comment relative to the repository. */
export function authorAssociation(repo: SimRepo, login: string): "OWNER" | "COLLABORATOR" | "NONE" {
  if (repo.owner.login.toLowerCase() === login.toLowerCase()) return "OWNER";
  return repo.collaborators.has(login.toLowerCase()) ? "COLLABORATOR" : "NONE";
}
