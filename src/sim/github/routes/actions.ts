import { parse as parseYaml } from "yaml";
import { GitHubError, notFound } from "../github-error.ts";
import { iso, minimalRepoJson, repoApiUrl, userJson } from "../json-shapes.ts";
import {
  paginate,
  repoOf,
  requirePermission,
  type RouteContext,
  type RouteHandlers,
} from "../route-context.ts";
import { nodeId, type SimRepo, type SimWorkflowJob, type SimWorkflowRun } from "../world.ts";

/** A workflow file on the default branch, as far as dispatching needs it. */
export interface WorkflowFile {
  id: number;
  path: string;
  name: string;
  dispatchable: boolean;
  inputs: Record<string, { required?: boolean; default?: unknown }>;
}

const MAX_INPUT_CHARS = 65535;

// What a workflow file says, by its blob sha and path (a nameless workflow goes by its path): a
// blob never changes, and every dispatch asks.
const documents = new Map<string, Omit<WorkflowFile, "id" | "path">>();

/** A workflow file's name, whether it can be dispatched, and its dispatch inputs. */
async function workflowDocument(
  repo: SimRepo,
  blob: string,
  path: string,
): Promise<Omit<WorkflowFile, "id" | "path">> {
  const key = `${blob}:${path}`;
  const known = documents.get(key);
  if (known !== undefined) return structuredClone(known);
  let doc: Record<string, unknown> = {};
  try {
    doc = (parseYaml(((await repo.git.readBlob(blob)) ?? Buffer.alloc(0)).toString()) ?? {}) as Record<
      string,
      unknown
    >;
  } catch {
    // GitHub lists a workflow with invalid YAML too; it just cannot be dispatched.
  }
  const on = doc.on;
  const trigger =
    on === "workflow_dispatch" || (Array.isArray(on) && on.includes("workflow_dispatch"))
      ? {}
      : on && typeof on === "object" && "workflow_dispatch" in on
        ? ((on as Record<string, unknown>).workflow_dispatch ?? {})
        : undefined;
  const found = {
    name: typeof doc.name === "string" ? doc.name : path,
    dispatchable: trigger !== undefined,
    inputs: ((trigger as { inputs?: WorkflowFile["inputs"] } | undefined)?.inputs ??
      {}) as WorkflowFile["inputs"],
  };
  if (documents.size >= 1000) documents.clear();
  documents.set(key, found);
  return structuredClone(found);
}

/** The workflows in `.github/workflows` on the default branch (GitHub only dispatches those). */
export async function workflowsOf(world: RouteContext["world"], repo: SimRepo): Promise<WorkflowFile[]> {
  const head = await repo.git.resolve(`refs/heads/${repo.defaultBranch}`);
  if (!head || !(await repo.git.entryAt(head, ".github/workflows"))) return [];
  const entries = await repo.git.listTree(`${head}:.github/workflows`, false);
  const files: WorkflowFile[] = [];
  for (const entry of entries) {
    if (entry.type !== "blob" || !/\.ya?ml$/.test(entry.path)) continue;
    const path = `.github/workflows/${entry.path}`;
    let id = repo.workflowIds.get(path);
    if (id === undefined) {
      id = world.nextId();
      repo.workflowIds.set(path, id);
    }
    files.push({ id, path, ...(await workflowDocument(repo, entry.sha, path)) });
  }
  return files;
}

function workflowJson(ctx: RouteContext, repo: SimRepo, wf: WorkflowFile) {
  const api = repoApiUrl(ctx.urls, repo);
  return {
    id: wf.id,
    node_id: nodeId("Workflow", wf.id),
    name: wf.name,
    path: wf.path,
    state: "active",
    created_at: iso(repo.createdAt),
    updated_at: iso(repo.pushedAt),
    url: `${api}/actions/workflows/${wf.id}`,
    html_url: `${ctx.urls.html}/${repo.fullName}/blob/${repo.defaultBranch}/${wf.path}`,
    badge_url: `${ctx.urls.html}/${repo.fullName}/workflows/${encodeURIComponent(wf.name)}/badge.svg`,
  };
}

/** The workflow-run shape. */
export async function workflowRunJson(ctx: RouteContext, repo: SimRepo, run: SimWorkflowRun) {
  const api = repoApiUrl(ctx.urls, repo);
  const runUrl = `${api}/actions/runs/${run.id}`;
  const commit = await repo.git.readCommit(run.headSha);
  return {
    id: run.id,
    name: run.displayTitle,
    node_id: run.nodeId,
    check_suite_id: run.id,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.workflowPath,
    display_title: run.displayTitle,
    run_number: run.runNumber,
    run_attempt: run.runAttempt,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    url: runUrl,
    html_url: `${ctx.urls.html}/${repo.fullName}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: iso(run.createdAt),
    updated_at: iso(run.updatedAt),
    run_started_at: iso(run.runStartedAt),
    actor: userJson(ctx.urls, run.actor),
    triggering_actor: userJson(ctx.urls, run.actor),
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${api}/check-suites/${run.id}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    workflow_url: `${api}/actions/workflows/${run.workflowId}`,
    head_commit: commit
      ? {
          id: commit.sha,
          tree_id: commit.tree,
          message: commit.message.replace(/\n$/, ""),
          timestamp: iso(commit.committer.date),
          author: { name: commit.author.name, email: commit.author.email },
          committer: { name: commit.committer.name, email: commit.committer.email },
        }
      : null,
    repository: minimalRepoJson(ctx.urls, repo),
    head_repository: minimalRepoJson(ctx.urls, repo),
  };
}

/** The job shape (REST and the `workflow_job` webhook share it). */
export function workflowJobJson(ctx: RouteContext, repo: SimRepo, run: SimWorkflowRun, job: SimWorkflowJob) {
  const api = repoApiUrl(ctx.urls, repo);
  return {
    id: job.id,
    run_id: run.id,
    run_url: `${api}/actions/runs/${run.id}`,
    run_attempt: run.runAttempt,
    node_id: job.nodeId,
    head_sha: run.headSha,
    url: `${api}/actions/jobs/${job.id}`,
    html_url: `${ctx.urls.html}/${repo.fullName}/actions/runs/${run.id}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: iso(job.createdAt),
    started_at: iso(job.startedAt),
    completed_at: job.completedAt ? iso(job.completedAt) : null,
    name: job.name,
    steps: job.steps.map((step) => ({
      name: step.name,
      status: step.status,
      conclusion: step.conclusion,
      number: step.number,
      started_at: step.startedAt ? iso(step.startedAt) : null,
      completed_at: step.completedAt ? iso(step.completedAt) : null,
    })),
    check_run_url: `${api}/check-runs/${job.id}`,
    labels: job.labels,
    runner_id: job.runnerName === null ? null : 1,
    runner_name: job.runnerName,
    runner_group_id: job.runnerName === null ? null : 1,
    runner_group_name: job.runnerName === null ? null : "GitHub Actions",
    workflow_name: run.displayTitle,
    head_branch: run.headBranch,
  };
}

function runOf(ctx: RouteContext, repo: SimRepo): SimWorkflowRun {
  const run = repo.workflowRuns.get(Number(ctx.params.run_id));
  if (!run) throw notFound();
  return run;
}

/** GitHub Actions: workflows, workflow dispatch (with run details), workflow runs. */
export const actionRoutes: RouteHandlers = {
  "actions/list-repo-workflows": async (ctx) => {
    const repo = repoOf(ctx);
    const workflows = await workflowsOf(ctx.world, repo);
    return {
      status: 200,
      body: { total_count: workflows.length, workflows: workflows.map((w) => workflowJson(ctx, repo, w)) },
    };
  },

  "actions/get-workflow": async (ctx) => {
    const repo = repoOf(ctx);
    const key = String(ctx.params.workflow_id);
    const wf = (await workflowsOf(ctx.world, repo)).find(
      (w) => String(w.id) === key || w.path.endsWith(`/${key}`),
    );
    if (!wf) throw notFound();
    return { status: 200, body: workflowJson(ctx, repo, wf) };
  },

  "actions/create-workflow-dispatch": async (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const key = String(ctx.params.workflow_id);
    const wf = (await workflowsOf(ctx.world, repo)).find(
      (w) => String(w.id) === key || w.path.endsWith(`/${key}`),
    );
    if (!wf) throw notFound();
    if (!wf.dispatchable) throw new GitHubError(422, "Workflow does not have 'workflow_dispatch' trigger");
    const ref = String(ctx.body.ref);
    const branch = ref.replace(/^refs\/heads\//, "");
    const headSha = await repo.git.resolve(`refs/heads/${branch}`);
    if (!headSha) throw new GitHubError(422, `No ref found for: ${ref}`);
    const given = (ctx.body.inputs as Record<string, unknown> | undefined) ?? {};
    const unexpected = Object.keys(given).filter((k) => !(k in wf.inputs));
    if (unexpected.length > 0)
      throw new GitHubError(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    for (const [name, spec] of Object.entries(wf.inputs))
      if (spec?.required && spec.default === undefined && given[name] === undefined)
        throw new GitHubError(422, `Required input '${name}' not provided`);
    if (JSON.stringify(given).length > MAX_INPUT_CHARS)
      throw new GitHubError(422, `inputs are too large: at most ${MAX_INPUT_CHARS} characters are allowed`);
    const inputs: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(wf.inputs)) {
      const value = given[name] ?? spec?.default;
      if (value !== undefined) inputs[name] = value;
    }
    const id = ctx.world.nextId();
    const now = ctx.world.clock.now();
    const run: SimWorkflowRun = {
      id,
      nodeId: nodeId("WorkflowRun", id),
      runNumber: repo.nextRunNumber++,
      runAttempt: 1,
      workflowPath: wf.path,
      workflowId: wf.id,
      event: "workflow_dispatch",
      headBranch: branch,
      headSha,
      displayTitle: wf.name,
      status: "queued",
      conclusion: null,
      inputs,
      actor: ctx.world.userOf(ctx.actor),
      createdAt: now,
      updatedAt: now,
      runStartedAt: now,
      cancelRequested: false,
      causedBy: ctx.actor,
      jobs: [],
    };
    repo.workflowRuns.set(id, run);
    ctx.world.emit(
      {
        name: "workflow_dispatch",
        repository: repo.fullName,
        workflowPath: wf.path,
        ref: `refs/heads/${branch}`,
        inputs,
        runId: id,
      },
      ctx.actor,
    );
    ctx.world.emit(
      {
        name: "workflow_run",
        action: "requested",
        repository: repo.fullName,
        runId: id,
        state: { status: run.status, conclusion: null, updatedAt: now },
      },
      ctx.actor,
    );
    if (ctx.body.return_run_details !== true) return { status: 204 };
    const api = repoApiUrl(ctx.urls, repo);
    return {
      status: 200,
      body: {
        workflow_run_id: id,
        run_url: `${api}/actions/runs/${id}`,
        html_url: `${ctx.urls.html}/${repo.fullName}/actions/runs/${id}`,
      },
    };
  },

  "actions/get-workflow-run": async (ctx) => {
    const repo = repoOf(ctx);
    return { status: 200, body: await workflowRunJson(ctx, repo, runOf(ctx, repo)) };
  },

  "actions/list-workflow-runs-for-repo": async (ctx) => {
    const repo = repoOf(ctx);
    const status = ctx.query.get("status");
    const event = ctx.query.get("event");
    const branch = ctx.query.get("branch");
    const runs = [...repo.workflowRuns.values()]
      .filter((r) => !status || r.status === status || r.conclusion === status)
      .filter((r) => !event || r.event === event)
      .filter((r) => !branch || r.headBranch === branch)
      .sort((a, b) => b.id - a.id);
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/actions/runs`, runs);
    return {
      status: 200,
      body: {
        total_count: runs.length,
        workflow_runs: await Promise.all(page.map((r) => workflowRunJson(ctx, repo, r))),
      },
      headers,
    };
  },

  "actions/list-jobs-for-workflow-run": (ctx) => {
    const repo = repoOf(ctx);
    const run = runOf(ctx, repo);
    const { page, headers } = paginate(ctx, `/repos/${repo.fullName}/actions/runs/${run.id}/jobs`, run.jobs);
    return {
      status: 200,
      body: { total_count: run.jobs.length, jobs: page.map((job) => workflowJobJson(ctx, repo, run, job)) },
      headers,
    };
  },

  "actions/cancel-workflow-run": (ctx) => {
    const repo = repoOf(ctx);
    requirePermission(ctx, repo, "write");
    const run = runOf(ctx, repo);
    if (run.status === "completed")
      throw new GitHubError(409, "Cannot cancel a workflow run that is completed.");
    // The Actions runner, when one runs, stops the run (a queued one at once, a running one once its
    // processes are gone); without one a queued run is simply never started.
    run.cancelRequested = true;
    ctx.world.runControl.emit("cancel", repo.fullName, run.id);
    if (run.status === "queued")
      ctx.world.updateWorkflowRun(repo.fullName, run.id, { status: "completed", conclusion: "cancelled" });
    return { status: 202, body: {} };
  },
};
