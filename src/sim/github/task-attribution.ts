import { taskOfBranch } from "./request-accounting.ts";
import type { RouteContext } from "./route-context.ts";
import type { SimRepo } from "./world.ts";

/**
 * The task (issue number) a request works on, where the request says: an issue or pull request
 * number (a pull request on `swarm/<issue>-…` counts for its issue), a `swarm/<issue>-…` branch
 * in a path or body, a commit or check run on such a pull request, or the run of a workflow
 * token whose dispatch named the task.
 */
export function taskOfRequest(ctx: RouteContext): number | undefined {
  const repo = ctx.world.repo(`${ctx.params.owner}/${ctx.params.repo}`);
  const { params, body } = ctx;
  if (ctx.actor.kind === "github_token" && repo) {
    const run = repo.workflowRuns.get(ctx.actor.runId);
    const fromRun = run ? taskOfInputs(run.inputs) : undefined;
    if (fromRun !== undefined) return fromRun;
  }
  for (const name of ["ref", "branch", "basehead", "head"]) {
    const task = taskOfBranch(params[name] ?? (typeof body[name] === "string" ? body[name] : undefined));
    if (task !== undefined) return task;
  }
  const number = params.issue_number ?? params.pull_number;
  if (number !== undefined && repo) return taskOfNumber(repo, Number(number));
  if (repo && params.run_id) {
    const run = repo.workflowRuns.get(Number(params.run_id));
    if (run) return taskOfInputs(run.inputs) ?? taskOfBranch(run.headBranch);
  }
  if (repo && body.inputs && typeof body.inputs === "object")
    return taskOfInputs(body.inputs as Record<string, unknown>);
  const sha =
    params.commit_sha ?? params.sha ?? (typeof body.head_sha === "string" ? body.head_sha : undefined);
  const checkRun = params.check_run_id && repo ? repo.checkRuns.get(Number(params.check_run_id)) : undefined;
  const headSha = checkRun?.headSha ?? sha;
  if (headSha && repo) {
    for (const pull of repo.pulls.values())
      if (pull.headSha === headSha) return taskOfBranch(pull.head) ?? pull.number;
  }
  return undefined;
}

function taskOfNumber(repo: SimRepo, number: number): number | undefined {
  const pull = repo.pulls.get(number);
  if (pull) return taskOfBranch(pull.head) ?? number;
  return repo.issues.has(number) ? number : undefined;
}

// Dispatch inputs name the task directly (`issue`, `task`) or inside a JSON job document.
function taskOfInputs(inputs: Record<string, unknown>): number | undefined {
  for (const value of Object.values(inputs)) {
    if (typeof value !== "string" || !value.trimStart().startsWith("{")) continue;
    try {
      const found = taskOfInputs(JSON.parse(value) as Record<string, unknown>);
      if (found !== undefined) return found;
    } catch {
      // Not JSON after all: nothing to read.
    }
  }
  for (const key of ["issue", "task", "issue_number", "issueNumber"]) {
    const value = inputs[key];
    if (typeof value === "number" && Number.isInteger(value)) return value;
    if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  }
  return undefined;
}
