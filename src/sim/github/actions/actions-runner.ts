import { repoJson, userJson } from "../json-shapes.ts";
import type { SimEventEnvelope } from "../sim-events.ts";
import {
  nodeId,
  type SimCheckRun,
  type SimRepo,
  type SimWorkflowJob,
  type SimWorkflowRun,
  type SimWorld,
} from "../world.ts";
import { CiChecks } from "./ci-checks.ts";
import { asString, expressionValue, interpolate, truthy } from "./expressions.ts";
import { DEFAULT_LOG_LIMIT } from "./job-log.ts";
import { plannedSteps, runJob, type JobConclusion, type RunnerSettings, type StopReason } from "./run-job.ts";
import { SlotQueue, type QueuedWork } from "./slot-queue.ts";
import { parseWorkflow, singleJob, type Workflow, type WorkflowJob } from "./workflow-file.ts";

/** What the runner needs to know: the offline GitHub, the actions it may run, its limits. */
export interface ActionsRunnerOptions {
  /** The offline GitHub (`startGitHubSim()`'s answer, or its url, GraphQL url and world). */
  github: { url: string; graphqlUrl: string; world: SimWorld };
  /**
   * Actions a `uses:` step may name, each mapped to a local folder holding its action.yml:
   * `"owner/repo@ref"`, or `"owner/repo"` for any ref (e.g. this project's root for
   * `swarm-foreman/swarm-foreman@v1`). `actions/checkout` and `actions/setup-node` are built in;
   * `./path` names an action inside the checkout.
   */
  actions?: Record<string, string>;
  /** Environment every step gets, as a runner machine's own (e.g. ANTHROPIC_BASE_URL). */
  env?: Record<string, string>;
  /** Jobs that run at once; more wait in order. Default 8. */
  slots?: number;
  /** How long a minute of `timeout-minutes` lasts, in milliseconds (tests use a tiny one). Default 60,000. */
  minuteMs?: number;
  /** After a cancel or timeout interrupts a step, how long before it is killed, in ms. Default 7,500. */
  graceMs?: number;
  /** The most characters of log kept per job (the newest). Default 1,000,000. */
  logLimit?: number;
}

/** A running offline Actions runner. */
export interface ActionsRunner {
  /** Resolves with the run once it has completed (at once if it has). */
  completed(repository: string, runId: number): Promise<SimWorkflowRun>;
  /**
   * Runs the repository's CI checks on `sha` of `branch` (the merge queue calls this for a merge
   * group's branch) and resolves with the completed check runs. Asking again for the same sha
   * and branch answers with the same runs.
   */
  runChecks(repository: string, sha: string, branch: string): Promise<SimCheckRun[]>;
  /** Resolves once no run or check is queued or running. */
  idle(): Promise<void>;
  /** Stops listening, kills every running process, completes unfinished runs as cancelled. */
  close(): Promise<void>;
}

/** A dispatched run waiting for or holding a slot. */
interface RunWork extends QueuedWork {
  repo: SimRepo;
  run: SimWorkflowRun;
  job: SimWorkflowJob;
}

/**
 * Starts the offline GitHub's Actions runner: it runs every `workflow_dispatch` of a workflow
 * (and the repositories' CI checks) as GitHub-hosted runners would, announcing `workflow_run`,
 * `workflow_job` and `check_run` events as it goes.
 */
export function startActionsRunner(options: ActionsRunnerOptions): ActionsRunner {
  const world = options.github.world;
  const settings: RunnerSettings = {
    world,
    apiUrl: options.github.url,
    graphqlUrl: options.github.graphqlUrl,
    actions: options.actions ?? {},
    env: options.env ?? {},
    minuteMs: options.minuteMs ?? 60_000,
    graceMs: options.graceMs ?? 7_500,
    logLimit: options.logLimit ?? DEFAULT_LOG_LIMIT,
  };
  const queue = new SlotQueue<QueuedWork>(options.slots ?? 8);
  const waiters = new Map<number, Array<(run: SimWorkflowRun) => void>>();
  const checks = new CiChecks(world, settings, queue);
  let intake: Promise<void> = Promise.resolve();
  let pendingIntake = 0;
  let closed = false;
  let runnerNumber = 0;

  const onEvent = ({ payload }: SimEventEnvelope): void => {
    if (payload.name !== "workflow_run") return;
    const repo = world.repo(payload.repository);
    const run = repo?.workflowRuns.get(payload.runId);
    if (!repo || !run) return;
    if (payload.action === "requested" && run.event === "workflow_dispatch") {
      // Runs are taken up in the order they were requested, one workflow file read at a time.
      pendingIntake++;
      intake = intake.then(() => accept(repo, run)).finally(() => pendingIntake--);
    }
    if (payload.action === "completed")
      for (const resolve of waiters.get(run.id)?.splice(0) ?? []) resolve(run);
  };

  const onCancel = (repository: string, runId: number): void => {
    for (const work of queue.waiting())
      if (isRun(work) && work.run.id === runId && work.repo.fullName === world.repo(repository)?.fullName) {
        queue.remove(work);
        finish(work, "cancelled");
      }
    for (const work of queue.running())
      if (isRun(work) && work.run.id === runId && work.repo.fullName === world.repo(repository)?.fullName)
        work.stop.abort("cancelled" satisfies StopReason);
  };

  world.events.on("event", onEvent);
  world.runControl.on("cancel", onCancel);
  checks.listen();

  async function accept(repo: SimRepo, run: SimWorkflowRun): Promise<void> {
    if (closed || ended(run)) return;
    let workflow: Workflow;
    let key: string;
    let spec: WorkflowJob;
    const job = newJob(run, run.workflowPath);
    try {
      const blob = await repo.git.entryAt(run.headSha, run.workflowPath);
      const text = blob ? await repo.git.readBlob(blob.sha) : undefined;
      if (text === undefined) throw new Error(`${run.workflowPath}: not found at ${run.headSha}`);
      workflow = parseWorkflow(text.toString("utf8"), run.workflowPath);
      ({ id: key, job: spec } = singleJob(workflow, run.workflowPath));
    } catch (error) {
      if (ended(run)) return;
      job.log = `##[error]${(error as Error).message}\n`;
      run.jobs.push(job);
      emitJob(repo, run, job, "queued");
      finishJob(repo, run, job, "failure");
      return;
    }
    // Cancelled while its workflow file was read.
    if (ended(run)) return;
    job.name = spec.name ?? key;
    job.labels = [spec["runs-on"] ?? "ubuntu-latest"].flat();
    job.steps = plannedSteps(spec);
    run.jobs.push(job);
    emitJob(repo, run, job, "queued");
    let concurrency: { group: string | undefined; cancelInProgress: boolean };
    try {
      concurrency = concurrencyOf(workflow, repo, run);
    } catch (error) {
      job.log = `##[error]concurrency: ${(error as Error).message}\n`;
      finishJob(repo, run, job, "failure");
      return;
    }
    const { group, cancelInProgress } = concurrency;
    const work: RunWork = {
      group: group === undefined ? undefined : `${repo.fullName}\0${group}`,
      repo,
      run,
      job,
      stop: new AbortController(),
      start: () => execute(work, workflow, key, spec),
    };
    if (work.group !== undefined) {
      // GitHub keeps one pending run per group: a newer one replaces (cancels) the older.
      for (const other of queue.waiting())
        if (isRun(other) && other.group === work.group && queue.remove(other)) finish(other, "cancelled");
      if (cancelInProgress)
        for (const other of queue.running())
          if (isRun(other) && other.group === work.group) other.stop.abort("cancelled" satisfies StopReason);
    }
    queue.add(work);
  }

  async function execute(work: RunWork, workflow: Workflow, key: string, spec: WorkflowJob): Promise<void> {
    try {
      await executeJob(work, workflow, key, spec);
    } catch (error) {
      // A fault of the runner itself still ends the run, with the reason in the job's log.
      work.job.log += `##[error]the runner failed: ${(error as Error).message}\n`;
      finish(work, "failure");
    }
  }

  async function executeJob(
    work: RunWork,
    workflow: Workflow,
    key: string,
    spec: WorkflowJob,
  ): Promise<void> {
    const { repo, run, job } = work;
    if (run.status === "completed") return;
    world.updateWorkflowRun(repo.fullName, run.id, { status: "in_progress" });
    job.status = "in_progress";
    job.startedAt = world.clock.now();
    job.runnerName = `GitHub Actions ${++runnerNumber}`;
    emitJob(repo, run, job, "in_progress");
    const conclusion = await runJob(
      {
        repo,
        sha: run.headSha,
        branch: run.headBranch,
        eventName: run.event,
        event: dispatchEvent(repo, run),
        inputs: run.inputs,
        runId: run.id,
        runNumber: run.runNumber,
        runAttempt: run.runAttempt,
        workflowName: run.displayTitle,
        workflowPath: run.workflowPath,
        actor: run.actor,
        jobKey: key,
        spec,
        workflowEnv: workflow.env ?? {},
        job,
      },
      settings,
      work.stop.signal,
    );
    finish(work, conclusion);
  }

  function dispatchEvent(repo: SimRepo, run: SimWorkflowRun): Record<string, unknown> {
    const urls = { api: settings.apiUrl, html: settings.apiUrl };
    return {
      inputs: Object.keys(run.inputs).length > 0 ? run.inputs : null,
      ref: `refs/heads/${run.headBranch}`,
      repository: repoJson(urls, repo),
      sender: userJson(urls, run.actor),
      workflow: run.workflowPath,
    };
  }

  function concurrencyOf(
    workflow: Workflow,
    repo: SimRepo,
    run: SimWorkflowRun,
  ): { group: string | undefined; cancelInProgress: boolean } {
    const concurrency = workflow.concurrency;
    if (concurrency === undefined) return { group: undefined, cancelInProgress: false };
    // A group may read the github, inputs and vars contexts (no secrets, no steps).
    const context = {
      contexts: {
        github: {
          repository: repo.fullName,
          ref: `refs/heads/${run.headBranch}`,
          ref_name: run.headBranch,
          sha: run.headSha,
          workflow: run.displayTitle,
          event_name: run.event,
          run_id: String(run.id),
          actor: run.actor.login,
        },
        inputs: expressionValue(run.inputs),
        vars: Object.fromEntries(repo.variables),
      },
    };
    const spec = typeof concurrency === "string" ? { group: concurrency } : concurrency;
    const group = asString(interpolate(spec.group, context));
    const cancel = spec["cancel-in-progress"];
    return { group, cancelInProgress: cancel !== undefined && truthy(interpolate(cancel, context)) };
  }

  function newJob(run: SimWorkflowRun, name: string): SimWorkflowJob {
    const id = world.nextId();
    const now = world.clock.now();
    return {
      id,
      nodeId: nodeId("CheckRun", id),
      runId: run.id,
      name,
      status: "queued",
      conclusion: null,
      createdAt: now,
      startedAt: now,
      completedAt: null,
      labels: ["ubuntu-latest"],
      runnerName: null,
      steps: [],
      summary: "",
      log: "",
    };
  }

  function emitJob(
    repo: SimRepo,
    run: SimWorkflowRun,
    job: SimWorkflowJob,
    action: "queued" | "in_progress" | "completed",
  ): void {
    world.emit(
      { name: "workflow_job", action, repository: repo.fullName, runId: run.id, job: structuredClone(job) },
      run.causedBy,
    );
  }

  function finish(work: RunWork, conclusion: JobConclusion): void {
    finishJob(work.repo, work.run, work.job, conclusion);
  }

  // The job completes first, then its run. A job that ran out of time ends "cancelled" (the job's
  // conclusions have no timed_out); its run ends "timed_out".
  function finishJob(
    repo: SimRepo,
    run: SimWorkflowRun,
    job: SimWorkflowJob,
    conclusion: JobConclusion,
  ): void {
    if (job.status !== "completed") {
      job.status = "completed";
      job.conclusion = conclusion === "timed_out" ? "cancelled" : conclusion;
      job.completedAt = world.clock.now();
      if (job.steps.length > 0)
        for (const step of job.steps)
          if (step.status !== "completed") {
            step.status = "completed";
            step.conclusion = "skipped";
            step.startedAt ??= job.completedAt;
            step.completedAt = job.completedAt;
          }
      emitJob(repo, run, job, "completed");
    }
    if (run.status !== "completed")
      world.updateWorkflowRun(repo.fullName, run.id, { status: "completed", conclusion });
  }

  // Read through a function: the run changes while the runner awaits.
  function ended(run: SimWorkflowRun): boolean {
    return run.status === "completed";
  }

  function isRun(work: QueuedWork): work is RunWork {
    return "run" in work;
  }

  return {
    completed(repository, runId) {
      const run = world.repo(repository)?.workflowRuns.get(runId);
      if (!run) return Promise.reject(new Error(`completed: no run ${runId} in ${repository}`));
      if (run.status === "completed") return Promise.resolve(run);
      return new Promise((resolve) => {
        const list = waiters.get(runId) ?? [];
        list.push(resolve);
        waiters.set(runId, list);
      });
    },
    runChecks: (repository, sha, branch) => checks.run(repository, sha, branch),
    async idle() {
      while (pendingIntake > 0 || queue.waiting().length > 0 || queue.running().length > 0) {
        await intake;
        await queue.idle();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      world.events.off("event", onEvent);
      world.runControl.off("cancel", onCancel);
      checks.stop();
      await intake;
      for (const work of queue.waiting()) {
        queue.remove(work);
        if (isRun(work)) finish(work, "cancelled");
        else checks.abandon(work);
      }
      for (const work of queue.running()) work.stop.abort("shutdown" satisfies StopReason);
      await queue.idle();
    },
  };
}
