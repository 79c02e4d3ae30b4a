import { iso, labelJson, repoJson, userJson, type SimUrls } from "../json-shapes.ts";
import type { RouteContext } from "../route-context.ts";
import { checkRunJson } from "../routes/checks.ts";
import { commentJson } from "../routes/issue-comments.ts";
import { issueJson } from "../routes/issues.ts";
import { pullJson } from "../routes/pulls.ts";
import { workflowJobJson, workflowRunJson } from "../routes/actions.ts";
import type { SimEventEnvelope } from "../sim-events.ts";
import { EMPTY_TREE_SHA } from "../git-repo.ts";
import { nodeId, type SimInstallation, type SimRepo, type SimWorld } from "../world.ts";
import { examplePayload } from "./example-payloads.ts";
import { overlay } from "./overlay.ts";

/** A webhook ready to sign and send: the `X-GitHub-Event` name, its action and the body. */
export interface RenderedWebhook {
  event: string;
  action: string | undefined;
  payload: Record<string, unknown>;
}

const OPTIONAL_FIELDS = new Set(["label", "changes", "organization", "enterprise"]);
const ZERO_SHA = "0000000000000000000000000000000000000000";

/**
 * Renders an event of the world as the webhook GitHub sends an app's installation: the published
 * example of the event and action, overlaid with the world's objects (rendered by the same shape
 * functions the REST routes use), plus `installation: {id, node_id}`. Undefined when an object
 * the event names no longer exists.
 */
export async function renderWebhook(
  world: SimWorld,
  urls: SimUrls,
  envelope: SimEventEnvelope,
  installation: SimInstallation,
): Promise<RenderedWebhook | undefined> {
  const event = envelope.payload;
  const repo = world.repo(event.repository);
  if (!repo) return undefined;
  const ctx = shapeContext(world, urls, envelope);
  const fields = await eventFields(ctx, repo, envelope);
  if (!fields) return undefined;
  const action = "action" in event ? event.action : undefined;
  const world_ = {
    ...fields,
    repository: webhookRepo(repoJson(urls, repo)),
    sender: userJson(urls, world.userOf(envelope.causedBy)),
  };
  const merged = overlay(examplePayload(event.name, action), world_) as Record<string, unknown>;
  // Fields only some events carry are dropped when the world did not set them, so an example's
  // label or changes never leak into an event about something else.
  const payload = Object.fromEntries(
    Object.entries(merged).filter(([key]) => !OPTIONAL_FIELDS.has(key) || key in world_),
  );
  payload.installation = { id: installation.id, node_id: nodeId("Installation", installation.id) };
  return { event: event.name, action, payload };
}

// The shape functions read the world and URLs from a route context; a webhook has no request.
function shapeContext(world: SimWorld, urls: SimUrls, envelope: SimEventEnvelope): RouteContext {
  return {
    world,
    urls,
    actor: envelope.causedBy,
    operationId: "",
    params: {},
    query: new URLSearchParams(),
    body: {},
    accept: "",
    rateLimit: () => {
      throw new Error("webhook rendering spends no rate limit");
    },
  };
}

async function eventFields(
  ctx: RouteContext,
  repo: SimRepo,
  envelope: SimEventEnvelope,
): Promise<Record<string, unknown> | undefined> {
  const event = envelope.payload;
  const { world, urls } = ctx;
  const changes = "changes" in event && event.changes !== undefined ? { changes: event.changes } : {};
  const labelOf = (name: string | undefined) => {
    if (name === undefined) return {};
    const label = repo.labels.get(name.toLowerCase());
    return label ? { label: labelJson(urls, repo, label) } : {};
  };
  switch (event.name) {
    case "issues": {
      const issue = repo.issues.get(event.number);
      if (!issue) return undefined;
      return {
        issue: webhookIssue(issueJson(world, urls, repo, issue)),
        ...labelOf(event.label),
        ...changes,
      };
    }
    case "issue_comment": {
      const issue = repo.issues.get(event.number);
      const comment = repo.comments.get(event.commentId);
      if (!issue || !comment) return undefined;
      const { performed_via_github_app: via, ...rest } = commentJson(world, urls, repo, comment);
      return {
        issue: webhookIssue(issueJson(world, urls, repo, issue)),
        comment: { ...rest, performed_via_github_app: via ? webhookApp(via) : null },
        ...changes,
      };
    }
    case "pull_request": {
      const pull = repo.pulls.get(event.number);
      if (!pull) return undefined;
      return {
        number: pull.number,
        pull_request: webhookPull(await pullJson(ctx, repo, pull, true)),
        ...labelOf(event.label),
        ...(event.before === undefined ? {} : { before: event.before }),
        ...(event.after === undefined ? {} : { after: event.after }),
        ...changes,
        ...(event.reason === undefined ? {} : { reason: event.reason }),
      };
    }
    case "merge_group":
      return mergeGroupFields(repo, event);
    case "push":
      return pushFields(ctx, repo, event);
    case "create":
    case "delete":
      return {
        ref: event.ref,
        ref_type: event.refType,
        master_branch: repo.defaultBranch,
        description: null,
        pusher_type: "user",
      };
    case "check_run": {
      const run = repo.checkRuns.get(event.checkRunId);
      if (!run) return undefined;
      const json = checkRunJson(ctx, repo, run);
      return {
        check_run: {
          ...json,
          // Webhooks carry strings where the REST shape allows null.
          external_id: json.external_id ?? "",
          details_url: json.details_url ?? json.html_url,
          started_at: json.started_at ?? iso(world.clock.now()),
          app: json.app ? webhookApp(json.app) : null,
        },
      };
    }
    case "workflow_dispatch":
      return {
        inputs: Object.keys(event.inputs).length > 0 ? event.inputs : null,
        ref: event.ref,
        workflow: event.workflowPath,
      };
    case "workflow_run": {
      const run = repo.workflowRuns.get(event.runId);
      if (!run) return undefined;
      const json = await workflowRunJson(ctx, repo, run);
      const state = event.state;
      return {
        workflow_run: state
          ? { ...json, status: state.status, conclusion: state.conclusion, updated_at: iso(state.updatedAt) }
          : json,
        workflow: {
          id: run.workflowId,
          node_id: nodeId("Workflow", run.workflowId),
          name: run.displayTitle,
          path: run.workflowPath,
          state: "active",
          created_at: iso(repo.createdAt),
          updated_at: iso(repo.pushedAt),
          url: `${urls.api}/repos/${repo.fullName}/actions/workflows/${run.workflowId}`,
          html_url: `${urls.html}/${repo.fullName}/blob/${repo.defaultBranch}/${run.workflowPath}`,
          badge_url: `${urls.html}/${repo.fullName}/workflows/${run.workflowId}/badge.svg`,
        },
      };
    }
    case "workflow_job": {
      const run = repo.workflowRuns.get(event.runId);
      if (!run) return undefined;
      return { workflow_job: workflowJobJson(ctx, repo, run, event.job) };
    }
    case "label": {
      const fields = labelOf(event.label);
      return "label" in fields ? fields : undefined;
    }
  }
}

async function mergeGroupFields(
  repo: SimRepo,
  event: Extract<SimEventEnvelope["payload"], { name: "merge_group" }>,
): Promise<Record<string, unknown> | undefined> {
  const commit = await repo.git.readCommit(event.group.headSha);
  if (!commit) return undefined;
  const person = (p: { name: string; email: string }) => ({ name: p.name, email: p.email });
  return {
    merge_group: {
      head_sha: event.group.headSha,
      head_ref: event.group.headRef,
      base_sha: event.group.baseSha,
      base_ref: event.group.baseRef,
      head_commit: {
        id: commit.sha,
        tree_id: commit.tree,
        message: commit.message.replace(/\n$/, ""),
        timestamp: iso(commit.committer.date),
        author: person(commit.author),
        committer: person(commit.committer),
      },
    },
    ...(event.reason === undefined ? {} : { reason: event.reason }),
  };
}

async function pushFields(
  ctx: RouteContext,
  repo: SimRepo,
  event: Extract<SimEventEnvelope["payload"], { name: "push" }>,
): Promise<Record<string, unknown>> {
  const { urls } = ctx;
  const commitJson = async (sha: string) => {
    const c = await repo.git.readCommit(sha);
    if (!c) return undefined;
    const person = (p: { name: string; email: string }) => ({
      name: p.name,
      email: p.email,
      username: p.name,
    });
    return {
      id: c.sha,
      tree_id: c.tree,
      distinct: true,
      message: c.message.replace(/\n$/, ""),
      timestamp: iso(c.committer.date),
      url: `${urls.html}/${repo.fullName}/commit/${c.sha}`,
      author: person(c.author),
      committer: person(c.committer),
      ...(await repo.git.changedPaths(c.parents[0] ?? EMPTY_TREE_SHA, c.sha)),
    };
  };
  const deleted = event.after === ZERO_SHA;
  const created = event.before === ZERO_SHA;
  const shas = deleted
    ? []
    : created
      ? [event.after]
      : await repo.git.commitsBetween(event.before, event.after);
  // GitHub lists at most 20 commits in a push payload.
  const commits = (await Promise.all(shas.slice(-20).map(commitJson))).filter((c) => c !== undefined);
  const sender = ctx.world.userOf(ctx.actor);
  return {
    ref: event.ref,
    before: event.before,
    after: event.after,
    created,
    deleted,
    forced: !created && !deleted && !(await repo.git.isAncestor(event.before, event.after)),
    base_ref: null,
    compare: `${urls.html}/${repo.fullName}/compare/${event.before.slice(0, 12)}...${event.after.slice(0, 12)}`,
    commits,
    head_commit: deleted ? null : ((await commitJson(event.after)) ?? null),
    pusher: { name: sender.login, email: `${sender.id}+${sender.login}@users.noreply.github.com` },
  };
}

// Where the webhook schemas describe an object differently from the REST description.

function webhookRepo<T extends object>(repo: T): T & { custom_properties: Record<string, never> } {
  return { ...repo, custom_properties: {} };
}

function webhookIssue<T extends { closed_by?: unknown }>(issue: T): Omit<T, "closed_by"> {
  const { closed_by: _closedBy, ...rest } = issue;
  return rest;
}

function webhookApp<T extends { client_id?: unknown }>(app: T): Omit<T, "client_id"> {
  const { client_id: _clientId, ...rest } = app;
  return rest;
}

function webhookPull(pull: Record<string, unknown>): Record<string, unknown> {
  const side = (s: unknown) => {
    const v = s as { repo: object };
    return { ...v, repo: webhookRepo(v.repo) };
  };
  return { ...pull, head: side(pull.head), base: side(pull.base) };
}
