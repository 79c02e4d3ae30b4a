import { GitHubError, notFound } from "../github-error.ts";
import { appJson, iso, repoApiUrl } from "../json-shapes.ts";
import { paginate, repoOf, type RouteContext, type RouteHandlers } from "../route-context.ts";
import { nodeId, type SimApp, type SimCheckRun, type SimRepo, type SimWorld } from "../world.ts";

const MAX_OUTPUT = 65535;

/** The check-run shape. */
export function checkRunJson(ctx: RouteContext, repo: SimRepo, run: SimCheckRun) {
  const api = repoApiUrl(ctx.urls, repo);
  const pulls = [...repo.pulls.values()].filter(
    (p) => p.headSha === run.headSha && repo.issues.get(p.number)?.state === "open",
  );
  return {
    id: run.id,
    node_id: run.nodeId,
    head_sha: run.headSha,
    external_id: run.externalId,
    url: `${api}/check-runs/${run.id}`,
    html_url: `${ctx.urls.html}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt ? iso(run.startedAt) : null,
    completed_at: run.completedAt ? iso(run.completedAt) : null,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${api}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.checkSuiteId },
    app: run.app ? appJson(ctx.urls, run.app) : null,
    pull_requests: pulls.map((p) => ({
      id: p.id,
      number: p.number,
      url: `${api}/pulls/${p.number}`,
      head: { ref: p.head, sha: p.headSha, repo: { id: repo.id, url: api, name: repo.name } },
      base: { ref: p.base, sha: p.baseSha, repo: { id: repo.id, url: api, name: repo.name } },
    })),
  };
}

/** A new queued check run of `app` on a commit (not yet stored in a repository). */
export function newCheckRun(
  world: SimWorld,
  name: string,
  headSha: string,
  app: SimApp | undefined,
): SimCheckRun {
  const id = world.nextId();
  return {
    id,
    nodeId: nodeId("CheckRun", id),
    name,
    headSha,
    status: "queued",
    conclusion: null,
    startedAt: null,
    completedAt: null,
    externalId: null,
    detailsUrl: null,
    output: { title: null, summary: null, text: null, annotations: [] },
    app,
    checkSuiteId: world.nextId(),
  };
}

// Only GitHub Apps (an installation or a workflow's GITHUB_TOKEN) may write check runs.
function appOfCaller(ctx: RouteContext): SimApp | undefined {
  if (ctx.actor.kind === "installation") return ctx.world.apps.get(ctx.actor.appId);
  if (ctx.actor.kind === "github_token") return undefined;
  throw new GitHubError(403, "You must authenticate via a GitHub App.");
}

// Prose rules of the checks API that the schema does not carry.
function applyFields(ctx: RouteContext, run: SimCheckRun, b: Record<string, unknown>): void {
  const now = ctx.world.clock.now();
  const output = b.output as
    { title?: string; summary?: string; text?: string; annotations?: unknown[] } | undefined;
  if (output) {
    if ((output.summary ?? "").length > MAX_OUTPUT || (output.text ?? "").length > MAX_OUTPUT)
      throw new GitHubError(
        422,
        `Invalid request.\n\nOnly ${MAX_OUTPUT} characters are allowed in output.summary and output.text.`,
      );
    if ((output.annotations ?? []).length > 50)
      throw new GitHubError(422, "Invalid request.\n\nOnly 50 annotations are allowed per request.");
    if (output.title !== undefined) run.output.title = output.title;
    if (output.summary !== undefined) run.output.summary = output.summary;
    if (output.text !== undefined) run.output.text = output.text;
    // Annotations accumulate across updates, as on GitHub.
    run.output.annotations.push(...(output.annotations ?? []));
  }
  if (Array.isArray(b.actions) && b.actions.length > 3)
    throw new GitHubError(422, "Invalid request.\n\nOnly 3 actions are allowed per request.");
  if (typeof b.name === "string") run.name = b.name;
  if (b.details_url !== undefined) run.detailsUrl = b.details_url as string;
  if (b.external_id !== undefined) run.externalId = b.external_id as string;
  if (typeof b.started_at === "string") run.startedAt = new Date(b.started_at);
  const conclusion = b.conclusion as string | undefined;
  const status = (b.status as SimCheckRun["status"] | undefined) ?? (conclusion ? "completed" : undefined);
  if (status === "completed" && !conclusion && !run.conclusion)
    throw new GitHubError(422, 'Invalid request.\n\n"conclusion" wasn\'t supplied.', {
      errors: ["conclusion is required when status is completed"],
    });
  if (conclusion && status !== undefined && status !== "completed")
    throw new GitHubError(422, "Invalid request.\n\nA conclusion requires status completed.");
  if (status) run.status = status;
  if (conclusion) run.conclusion = conclusion;
  if (run.status === "in_progress" && !run.startedAt) run.startedAt = now;
  if (run.status === "completed") {
    run.startedAt ??= now;
    run.completedAt =
      typeof b.completed_at === "string" ? new Date(b.completed_at) : (run.completedAt ?? now);
  }
}

/** Check runs: create, update, get, list for a ref. */
export const checkRoutes: RouteHandlers = {
  "checks/create": async (ctx) => {
    const repo = repoOf(ctx);
    const app = appOfCaller(ctx);
    const headSha = String(ctx.body.head_sha);
    if ((await repo.git.objectType(headSha)) !== "commit" || !/^[0-9a-f]{40}$/.test(headSha))
      throw new GitHubError(422, `No commit found for SHA: ${headSha}`);
    const run = newCheckRun(ctx.world, String(ctx.body.name), headSha, app);
    const id = run.id;
    applyFields(ctx, run, ctx.body);
    repo.checkRuns.set(id, run);
    ctx.world.emit(
      { name: "check_run", action: "created", repository: repo.fullName, checkRunId: id },
      ctx.actor,
    );
    if (run.status === "completed")
      ctx.world.emit(
        { name: "check_run", action: "completed", repository: repo.fullName, checkRunId: id },
        ctx.actor,
      );
    return { status: 201, body: checkRunJson(ctx, repo, run) };
  },

  "checks/update": (ctx) => {
    const repo = repoOf(ctx);
    const app = appOfCaller(ctx);
    const run = repo.checkRuns.get(Number(ctx.params.check_run_id));
    if (!run) throw notFound();
    if (run.app?.id !== app?.id)
      throw new GitHubError(
        403,
        "Invalid app_id `" +
          String(app?.id ?? "") +
          "` - check run can only be modified by the GitHub App that created it.",
      );
    const wasCompleted = run.status === "completed";
    applyFields(ctx, run, ctx.body);
    if (run.status === "completed" && !wasCompleted)
      ctx.world.emit(
        { name: "check_run", action: "completed", repository: repo.fullName, checkRunId: run.id },
        ctx.actor,
      );
    return { status: 200, body: checkRunJson(ctx, repo, run) };
  },

  "checks/get": (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.checkRuns.get(Number(ctx.params.check_run_id));
    if (!run) throw notFound();
    return { status: 200, body: checkRunJson(ctx, repo, run) };
  },

  "checks/list-annotations": (ctx) => {
    const repo = repoOf(ctx);
    const run = repo.checkRuns.get(Number(ctx.params.check_run_id));
    if (!run) throw notFound();
    const annotations = run.output.annotations.map((raw) => {
      const a = raw as Record<string, unknown>;
      const path = String(a.path);
      return {
        path,
        start_line: Number(a.start_line),
        end_line: Number(a.end_line),
        start_column: typeof a.start_column === "number" ? a.start_column : null,
        end_column: typeof a.end_column === "number" ? a.end_column : null,
        annotation_level: typeof a.annotation_level === "string" ? a.annotation_level : null,
        title: typeof a.title === "string" ? a.title : null,
        message: typeof a.message === "string" ? a.message : null,
        raw_details: typeof a.raw_details === "string" ? a.raw_details : null,
        blob_href: `${ctx.urls.html}/${repo.fullName}/blob/${run.headSha}/${path}`,
      };
    });
    const { page, headers } = paginate(
      ctx,
      `/repos/${repo.fullName}/check-runs/${run.id}/annotations`,
      annotations,
    );
    return { status: 200, body: page, headers };
  },

  "checks/list-for-ref": async (ctx) => {
    const repo = repoOf(ctx);
    const ref = String(ctx.params.ref);
    const sha = await repo.git.resolve(`${ref}^{commit}`);
    if (!sha) throw new GitHubError(422, `No commit found for SHA: ${ref}`);
    const name = ctx.query.get("check_name");
    const status = ctx.query.get("status");
    let runs = [...repo.checkRuns.values()]
      .filter((r) => r.headSha === sha)
      .filter((r) => !name || r.name === name)
      .filter((r) => !status || r.status === status)
      .sort((a, b) => b.id - a.id);
    // filter=latest (the default) keeps the newest run per name.
    if ((ctx.query.get("filter") ?? "latest") === "latest")
      runs = runs.filter((r, i) => runs.findIndex((o) => o.name === r.name) === i);
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/commits/${ref}/check-runs`, runs);
    return {
      status: 200,
      body: { total_count: runs.length, check_runs: page.map((r) => checkRunJson(ctx, repo, r)) },
      headers,
    };
  },
};
