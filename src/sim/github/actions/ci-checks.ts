import { newCheckRun } from "../routes/checks.ts";
import type { Actor, SimEventEnvelope } from "../sim-events.ts";
import type { SimApp, SimCheckRun, SimCiCheck, SimRepo, SimWorkflowJob, SimWorld } from "../world.ts";
import { logSummary, plannedSteps, runJob, type JobConclusion, type RunnerSettings } from "./run-job.ts";
import type { QueuedWork, SlotQueue } from "./slot-queue.ts";
import type { WorkflowJob } from "./workflow-file.ts";

// A repository's plain CI checks (`world.defineCiCheck`): each a command run in a checkout of a
// commit, reported as a check run of the GitHub Actions app. They run on every new head of a
// branch with an open pull request and on each merge group the queue asks checks for
// (`merge_group` checks_requested), never for what a workflow's GITHUB_TOKEN caused (GitHub
// starts no workflow for those).

const QUEUE_BRANCH = "gh-readonly-queue/";
const PULL_ACTIONS = new Set(["opened", "reopened", "synchronize"]);

/** One check waiting for or holding a runner slot. */
interface CheckWork extends QueuedWork {
  repo: SimRepo;
  checkRun: SimCheckRun;
  done: (run: SimCheckRun) => void;
}

/** Runs the CI checks of the world's repositories on the runner's slots. */
export class CiChecks {
  readonly #world: SimWorld;
  readonly #settings: RunnerSettings;
  readonly #queue: SlotQueue<QueuedWork>;
  readonly #runs = new Map<string, Promise<SimCheckRun[]>>();
  readonly #listener = (envelope: SimEventEnvelope) => this.#onEvent(envelope);
  #app: SimApp | undefined;

  constructor(world: SimWorld, settings: RunnerSettings, queue: SlotQueue<QueuedWork>) {
    this.#world = world;
    this.#settings = settings;
    this.#queue = queue;
  }

  /** Starts running checks on pull request heads and merge group branches as they appear. */
  listen(): void {
    this.#world.events.on("event", this.#listener);
  }

  /** Stops reacting to new heads (checks under way finish or are stopped by the runner). */
  stop(): void {
    this.#world.events.off("event", this.#listener);
  }

  /**
   * Runs every CI check of the repository on `sha` (of `branch`); resolves with the completed
   * check runs. The same sha and branch asked again answers with the same runs.
   */
  run(repository: string, sha: string, branch: string): Promise<SimCheckRun[]> {
    const repo = this.#world.repo(repository);
    if (!repo) return Promise.reject(new Error(`runChecks: no repository ${repository}`));
    if (!/^[0-9a-f]{40}$/.test(sha))
      return Promise.reject(new Error(`runChecks: "${sha}" is not a commit sha`));
    const key = `${repo.fullName}\0${sha}\0${branch}`;
    let runs = this.#runs.get(key);
    if (!runs) {
      runs = Promise.all(repo.ciChecks.map((check) => this.#runOne(repo, check, sha, branch)));
      this.#runs.set(key, runs);
    }
    return runs;
  }

  /** Completes a check that never got a slot as cancelled (the runner is closing). */
  abandon(work: QueuedWork): void {
    const check = work as CheckWork;
    this.#complete(check.repo, check.checkRun, "cancelled", "The runner stopped before the check started.");
    check.done(check.checkRun);
  }

  #onEvent({ payload, causedBy }: SimEventEnvelope): void {
    if (causedBy.kind === "github_token") return;
    const repo = this.#world.repo(payload.repository);
    if (!repo || repo.ciChecks.length === 0) return;
    if (payload.name === "pull_request" && PULL_ACTIONS.has(payload.action)) {
      const pull = repo.pulls.get(payload.number);
      if (pull) void this.run(repo.fullName, payload.after ?? pull.headSha, pull.head);
    }
    if (payload.name === "merge_group" && payload.action === "checks_requested")
      void this.run(
        repo.fullName,
        payload.group.headSha,
        payload.group.headRef.replace(/^refs\/heads\//, ""),
      );
  }

  #runOne(repo: SimRepo, check: SimCiCheck, sha: string, branch: string): Promise<SimCheckRun> {
    const checkRun = newCheckRun(this.#world, check.name, sha, this.#actionsApp());
    repo.checkRuns.set(checkRun.id, checkRun);
    this.#emit(repo, checkRun, "created");
    return new Promise((resolve) => {
      const work: CheckWork = {
        group: undefined,
        stop: new AbortController(),
        repo,
        checkRun,
        done: resolve,
        start: async () => {
          const conclusion = await this.#execute(repo, check, checkRun, sha, branch, work.stop.signal);
          this.#complete(repo, checkRun, conclusion.conclusion, conclusion.log);
          resolve(checkRun);
        },
      };
      this.#queue.add(work);
    });
  }

  async #execute(
    repo: SimRepo,
    check: SimCiCheck,
    checkRun: SimCheckRun,
    sha: string,
    branch: string,
    stop: AbortSignal,
  ): Promise<{ conclusion: JobConclusion; log: string }> {
    checkRun.status = "in_progress";
    checkRun.startedAt = this.#world.clock.now();
    const spec: WorkflowJob = {
      name: check.name,
      steps: [{ uses: "actions/checkout@v4" }, { name: check.name, run: check.command }],
    };
    const now = this.#world.clock.now();
    const job: SimWorkflowJob = {
      id: checkRun.id,
      nodeId: checkRun.nodeId,
      runId: checkRun.id,
      name: check.name,
      status: "in_progress",
      conclusion: null,
      createdAt: now,
      startedAt: now,
      completedAt: null,
      labels: ["ubuntu-latest"],
      runnerName: "GitHub Actions",
      steps: plannedSteps(spec),
      summary: "",
      log: "",
    };
    const conclusion = await runJob(
      {
        repo,
        sha,
        branch,
        eventName: branch.startsWith(QUEUE_BRANCH) ? "merge_group" : "pull_request",
        event: { ref: `refs/heads/${branch}`, after: sha },
        inputs: {},
        runId: checkRun.id,
        runNumber: 1,
        runAttempt: 1,
        workflowName: check.name,
        workflowPath: ".github/workflows/ci.yml",
        actor: this.#world.ensureUser("github-actions[bot]", "Bot"),
        jobKey: "check",
        spec,
        workflowEnv: {},
        job,
      },
      this.#settings,
      stop,
    );
    return { conclusion, log: job.log };
  }

  #complete(repo: SimRepo, checkRun: SimCheckRun, conclusion: JobConclusion, log: string): void {
    const now = this.#world.clock.now();
    checkRun.status = "completed";
    checkRun.conclusion = conclusion;
    checkRun.startedAt ??= now;
    checkRun.completedAt = now;
    checkRun.output.title = `${checkRun.name}: ${conclusion.replace("_", " ")}`;
    checkRun.output.summary = logSummary(log);
    this.#emit(repo, checkRun, "completed");
  }

  #emit(repo: SimRepo, checkRun: SimCheckRun, action: "created" | "completed"): void {
    this.#world.emit(
      { name: "check_run", action, repository: repo.fullName, checkRunId: checkRun.id },
      this.#actor(),
    );
  }

  #actor(): Actor {
    const app = this.#actionsApp();
    return { kind: "app", appId: app.id, login: app.bot.login };
  }

  // GitHub Actions reports CI as its own app, `github-actions`.
  #actionsApp(): SimApp {
    this.#app ??=
      [...this.#world.apps.values()].find((app) => app.slug === "github-actions") ??
      this.#world.createApp({
        slug: "github-actions",
        name: "GitHub Actions",
        owner: "github",
        permissions: { actions: "write", checks: "write", contents: "write", metadata: "read" },
        events: [],
      });
    return this.#app;
  }
}
