import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve, sep } from "node:path";
import type { SimRepo, SimUser, SimWorkflowJob, SimWorkflowStep, SimWorld } from "../world.ts";
import { inputVariable, loadNodeAction } from "./action-file.ts";
import { checkout } from "./checkout.ts";
import { parseCommandFile } from "./command-file.ts";
import {
  asString,
  condition,
  expressionValue,
  interpolate,
  type ExpressionContext,
  type ExpressionValue,
} from "./expressions.ts";
import { JobLog } from "./job-log.ts";
import { spawnGroup, signalGroup, type GroupProcess } from "./process-group.ts";
import type { WorkflowJob, WorkflowStep } from "./workflow-file.ts";

// One job on the offline runner, step by step, as a GitHub-hosted runner runs it: a fresh
// workspace and temp folder, the runner's environment, expressions evaluated per step, a
// checkout, JavaScript actions in child processes, `run:` scripts in bash, command files read
// back after each step. Stopping (cancel, timeout, shutdown) signals the running step's process
// group; the job's end kills whatever its steps left running and removes its folders.

/** How a job ended. */
export type JobConclusion = "success" | "failure" | "cancelled" | "timed_out";

/**
 * Why a job is being stopped (the abort reason of its signal): a cancel or a timeout interrupts
 * the running step and kills it after the grace period; a shutdown of the runner kills at once.
 */
export type StopReason = "cancelled" | "timed_out" | "shutdown";

/** Where the runner's services are and what it may run. */
export interface RunnerSettings {
  world: SimWorld;
  /** The offline GitHub's REST base URL (GITHUB_API_URL, GITHUB_SERVER_URL). */
  apiUrl: string;
  graphqlUrl: string;
  /** Actions the runner can resolve: `owner/repo@ref` (or `owner/repo`, any ref) → folder with action.yml. */
  actions: Record<string, string>;
  /** Extra environment every step gets (what the runner machine has set). */
  env: Record<string, string>;
  /** The length of a minute for `timeout-minutes`, in milliseconds. */
  minuteMs: number;
  /** After SIGINT, how long a stopped step has before SIGKILL, in milliseconds. */
  graceMs: number;
  logLimit: number;
}

/** One job to run: the repository and commit, what triggered it, and its steps. */
export interface JobPlan {
  repo: SimRepo;
  sha: string;
  /** The branch the run is on (GITHUB_REF is `refs/heads/<branch>`). */
  branch: string;
  eventName: string;
  /** The webhook-shaped event (GITHUB_EVENT_PATH, `github.event`). */
  event: Record<string, unknown>;
  inputs: Record<string, unknown>;
  runId: number;
  runNumber: number;
  runAttempt: number;
  workflowName: string;
  workflowPath: string;
  actor: SimUser;
  /** The job's key in the workflow (GITHUB_JOB). */
  jobKey: string;
  spec: WorkflowJob;
  workflowEnv: Record<string, string | number | boolean>;
  /** The job record the steps, log and summary are written to. */
  job: SimWorkflowJob;
}

/** GitHub's default job timeout, in minutes. */
export const DEFAULT_TIMEOUT_MINUTES = 360;

/** The steps a job will show: "Set up job", one per workflow step, "Complete job". */
export function plannedSteps(spec: WorkflowJob): SimWorkflowStep[] {
  const names = ["Set up job", ...spec.steps.map(stepName), "Complete job"];
  return names.map((name, i) => ({
    number: i + 1,
    name,
    status: "queued",
    conclusion: null,
    startedAt: null,
    completedAt: null,
    outputs: {},
  }));
}

function stepName(step: WorkflowStep): string {
  if (step.name !== undefined) return step.name;
  if (step.uses !== undefined) return `Run ${step.uses}`;
  return `Run ${(step.run ?? "").trim().split("\n")[0] ?? ""}`;
}

/** Runs a job to its end; `stop` ends it early (the reason decides the conclusion). */
export async function runJob(
  plan: JobPlan,
  settings: RunnerSettings,
  stop: AbortSignal,
): Promise<JobConclusion> {
  const execution = new JobExecution(plan, settings);
  return execution.run(stop);
}

class JobExecution {
  readonly #plan: JobPlan;
  readonly #settings: RunnerSettings;
  readonly #log: JobLog;
  readonly #groups = new Set<number>();
  #stopped: "cancelled" | "timed_out" | undefined;
  #current: GroupProcess | undefined;
  #stepTimeout: { name: string; minutes: number } | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #root = "";
  #workspace = "";
  #temp = "";
  #token = "";
  #env: Record<string, string> = {};
  #extraPath: string[] = [];
  #steps: Record<string, { outputs: Record<string, string>; outcome: string; conclusion: string }> = {};

  constructor(plan: JobPlan, settings: RunnerSettings) {
    this.#plan = plan;
    this.#settings = settings;
    this.#log = new JobLog(settings.logLimit, plan.repo.secrets.values());
  }

  async run(stop: AbortSignal): Promise<JobConclusion> {
    const { plan, settings } = { plan: this.#plan, settings: this.#settings };
    const onStop = () => this.#stop(stop.reason as StopReason);
    stop.addEventListener("abort", onStop, { once: true });
    if (stop.aborted) onStop();
    let timer: NodeJS.Timeout | undefined;
    let failed = false;
    try {
      this.#root = await mkdtemp(join(tmpdir(), "sim-runner-"));
      this.#workspace = join(this.#root, "work", plan.repo.name, plan.repo.name);
      this.#temp = join(this.#root, "temp");
      for (const dir of [this.#workspace, this.#temp, join(this.#root, "home"), join(this.#root, "files")])
        await mkdir(dir, { recursive: true });
      this.#token = settings.world.mintWorkflowToken(plan.repo.fullName, plan.runId);
      this.#log.mask(this.#token);
      await writeFile(join(this.#root, "files", "event.json"), JSON.stringify(plan.event, null, 2));

      const setUp = plan.job.steps[0] as SimWorkflowStep;
      this.#begin(setUp);
      this.#log.line(`Runner name: '${plan.job.runnerName ?? ""}'`);
      this.#log.line(`Operating system: Linux; Node ${process.version}`);
      const minutes = this.#timeoutMinutes();
      timer = setTimeout(() => this.#stop("timed_out"), minutes * settings.minuteMs);
      for (const [name, value] of Object.entries({ ...plan.workflowEnv, ...plan.spec.env }))
        this.#env[name] = asString(interpolate(value, this.#context()));
      this.#end(setUp, "success");

      for (const [index, spec] of plan.spec.steps.entries()) {
        const step = plan.job.steps[index + 1] as SimWorkflowStep;
        const status = this.#stopped === "cancelled" ? "cancelled" : failed ? "failure" : "success";
        let go: boolean;
        try {
          go = this.#stopped !== "timed_out" && condition(spec.if, this.#context(status));
        } catch (error) {
          this.#begin(step);
          this.#log.line(`##[error]${(error as Error).message}`);
          this.#end(step, "failure");
          failed = true;
          continue;
        }
        if (!go) {
          this.#begin(step);
          this.#end(step, "skipped");
          continue;
        }
        this.#begin(step);
        this.#log.line(`##[group]${step.name}`);
        const outcome = await this.#runStep(spec, step).catch((error: unknown) => {
          this.#log.line(`##[error]${error instanceof Error ? error.message : String(error)}`);
          return "failure" as const;
        });
        this.#log.line("##[endgroup]");
        const continueOnError =
          asString(interpolate(spec["continue-on-error"] ?? false, this.#context())) === "true";
        const conclusion = this.#stopped && outcome === "failure" ? "cancelled" : outcome;
        if (spec.id !== undefined)
          this.#steps[spec.id] = {
            outputs: step.outputs,
            outcome: conclusion,
            conclusion: conclusion === "failure" && continueOnError ? "success" : conclusion,
          };
        this.#end(step, conclusion);
        if (conclusion === "failure" && !continueOnError) failed = true;
      }
      const complete = plan.job.steps.at(-1) as SimWorkflowStep;
      this.#begin(complete);
      this.#end(complete, "success");
      if (this.#stopped === "timed_out")
        this.#log.line(
          `##[error]The job running on runner ${plan.job.runnerName ?? ""} has exceeded the maximum execution time of ${minutes} minutes.`,
        );
      else if (this.#stopped === "cancelled") this.#log.line("##[error]The operation was canceled.");
      return this.#stopped ?? (failed ? "failure" : "success");
    } catch (error) {
      this.#log.line(`##[error]${error instanceof Error ? error.message : String(error)}`);
      return this.#stopped ?? "failure";
    } finally {
      clearTimeout(timer);
      clearTimeout(this.#graceTimer);
      stop.removeEventListener("abort", onStop);
      for (const pid of this.#groups) signalGroup(pid, "SIGKILL");
      this.#settleSteps();
      if (this.#token) settings.world.revokeToken(this.#token);
      this.#log.flush();
      plan.job.log = this.#log.text();
      if (this.#root) await rm(this.#root, { recursive: true, force: true });
    }
  }

  // Steps a failed set-up or a stop never reached end skipped; one cut short ends as the job does.
  #settleSteps(): void {
    for (const step of this.#plan.job.steps) {
      if (step.status === "completed") continue;
      if (step.status === "in_progress") this.#end(step, this.#stopped ? "cancelled" : "failure");
      else this.#end(step, "skipped");
    }
  }

  #timeoutMinutes(): number {
    const raw = this.#plan.spec["timeout-minutes"];
    if (raw === undefined) return DEFAULT_TIMEOUT_MINUTES;
    const value = Number(asString(interpolate(raw, this.#context())));
    if (!(value > 0)) throw new Error(`timeout-minutes: expected a positive number, found "${String(raw)}"`);
    return value;
  }

  #stop(reason: StopReason): void {
    const current = this.#current;
    if (reason === "shutdown") current?.signal("SIGKILL");
    if (this.#stopped) return;
    this.#stopped = reason === "timed_out" ? "timed_out" : "cancelled";
    if (!current || reason === "shutdown") return;
    // As GitHub's runner does: an interrupt first, then a kill once the grace period is over.
    current.signal("SIGINT");
    this.#graceTimer = setTimeout(() => current.signal("SIGKILL"), this.#settings.graceMs);
  }

  #begin(step: SimWorkflowStep): void {
    step.status = "in_progress";
    step.startedAt = this.#settings.world.clock.now();
  }

  #end(step: SimWorkflowStep, conclusion: NonNullable<SimWorkflowStep["conclusion"]>): void {
    step.status = "completed";
    step.conclusion = conclusion;
    step.completedAt = this.#settings.world.clock.now();
    step.startedAt ??= step.completedAt;
    this.#plan.job.log = this.#log.text();
  }

  #context(
    status: ExpressionContext["jobStatus"] = "success",
    stepEnv: Record<string, string> = {},
  ): ExpressionContext {
    const plan = this.#plan;
    const secrets: Record<string, ExpressionValue> = Object.fromEntries(plan.repo.secrets);
    if (this.#token) secrets.GITHUB_TOKEN = this.#token;
    return {
      jobStatus: status,
      contexts: {
        github: this.#githubContext(),
        inputs: expressionValue(plan.inputs),
        secrets,
        vars: Object.fromEntries(plan.repo.variables),
        env: { ...this.#env, ...stepEnv },
        steps: this.#steps,
        job: { status },
        runner: {
          name: plan.job.runnerName ?? "",
          os: "Linux",
          arch: "X64",
          temp: this.#temp,
          tool_cache: join(this.#root, "toolcache"),
          environment: "github-hosted",
        },
        matrix: {},
        needs: {},
        strategy: {},
      },
    };
  }

  #githubContext(): Record<string, ExpressionValue> {
    const { plan, settings } = { plan: this.#plan, settings: this.#settings };
    return {
      action: "",
      actor: plan.actor.login,
      actor_id: String(plan.actor.id),
      api_url: settings.apiUrl,
      base_ref: "",
      event: expressionValue(plan.event),
      event_name: plan.eventName,
      event_path: join(this.#root, "files", "event.json"),
      graphql_url: settings.graphqlUrl,
      head_ref: "",
      job: plan.jobKey,
      ref: `refs/heads/${plan.branch}`,
      ref_name: plan.branch,
      ref_type: "branch",
      repository: plan.repo.fullName,
      repository_id: String(plan.repo.id),
      repository_owner: plan.repo.owner.login,
      repository_owner_id: String(plan.repo.owner.id),
      retention_days: "90",
      run_attempt: String(plan.runAttempt),
      run_id: String(plan.runId),
      run_number: String(plan.runNumber),
      server_url: settings.apiUrl,
      sha: plan.sha,
      token: this.#token,
      triggering_actor: plan.actor.login,
      workflow: plan.workflowName,
      workflow_ref: `${plan.repo.fullName}/${plan.workflowPath}@refs/heads/${plan.branch}`,
      workspace: this.#workspace,
    };
  }

  // The environment GitHub's runner gives every step; these names cannot be overridden.
  #runnerEnv(files: Record<string, string>, action: string): Record<string, string> {
    const plan = this.#plan;
    const github = this.#githubContext();
    return {
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_ACTION: action,
      GITHUB_ACTOR: plan.actor.login,
      GITHUB_ACTOR_ID: String(plan.actor.id),
      GITHUB_API_URL: this.#settings.apiUrl,
      GITHUB_BASE_REF: "",
      GITHUB_EVENT_NAME: plan.eventName,
      GITHUB_EVENT_PATH: String(github.event_path),
      GITHUB_GRAPHQL_URL: this.#settings.graphqlUrl,
      GITHUB_HEAD_REF: "",
      GITHUB_JOB: plan.jobKey,
      GITHUB_REF: `refs/heads/${plan.branch}`,
      GITHUB_REF_NAME: plan.branch,
      GITHUB_REF_TYPE: "branch",
      GITHUB_REPOSITORY: plan.repo.fullName,
      GITHUB_REPOSITORY_ID: String(plan.repo.id),
      GITHUB_REPOSITORY_OWNER: plan.repo.owner.login,
      GITHUB_REPOSITORY_OWNER_ID: String(plan.repo.owner.id),
      GITHUB_RETENTION_DAYS: "90",
      GITHUB_RUN_ATTEMPT: String(plan.runAttempt),
      GITHUB_RUN_ID: String(plan.runId),
      GITHUB_RUN_NUMBER: String(plan.runNumber),
      GITHUB_SERVER_URL: this.#settings.apiUrl,
      GITHUB_SHA: plan.sha,
      GITHUB_TRIGGERING_ACTOR: plan.actor.login,
      GITHUB_WORKFLOW: plan.workflowName,
      GITHUB_WORKFLOW_REF: String(github.workflow_ref),
      GITHUB_WORKSPACE: this.#workspace,
      RUNNER_ARCH: "X64",
      RUNNER_ENVIRONMENT: "github-hosted",
      RUNNER_NAME: plan.job.runnerName ?? "",
      RUNNER_OS: "Linux",
      RUNNER_TEMP: this.#temp,
      RUNNER_TOOL_CACHE: join(this.#root, "toolcache"),
      ...files,
    };
  }

  async #runStep(spec: WorkflowStep, step: SimWorkflowStep): Promise<"success" | "failure"> {
    const stepEnv: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.env ?? {}))
      stepEnv[name] = asString(interpolate(value, this.#context("success", stepEnv)));
    const context = this.#context("success", stepEnv);
    const files = await this.#commandFiles(step.number);
    const base: Record<string, string> = {
      PATH: [...this.#extraPath, dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(
        delimiter,
      ),
      HOME: join(this.#root, "home"),
      LANG: "C.UTF-8",
      ...this.#settings.env,
      ...this.#env,
      ...stepEnv,
    };
    const action = spec.id ?? `__run_${step.number - 1}`;
    const minutes = spec["timeout-minutes"];
    if (minutes !== undefined) {
      const value = Number(asString(interpolate(minutes, context)));
      if (!(value > 0))
        throw new Error(`timeout-minutes: expected a positive number, found "${String(minutes)}"`);
      this.#stepTimeout = { name: step.name, minutes: value };
    } else this.#stepTimeout = undefined;
    let outcome: "success" | "failure";
    if (spec.run !== undefined) {
      const script = asString(interpolate(spec.run, context));
      outcome = await this.#runScript(spec, script, { ...base, ...this.#runnerEnv(files, action) });
    } else {
      outcome = await this.#runAction(spec, context, base, this.#runnerEnv(files, action));
    }
    await this.#readCommandFiles(files, step);
    return outcome;
  }

  async #runScript(
    spec: WorkflowStep,
    script: string,
    env: Record<string, string>,
  ): Promise<"success" | "failure"> {
    const shell = spec.shell ?? "bash";
    if (shell !== "bash" && shell !== "sh")
      throw new Error(`shell "${shell}" is not supported by the offline runner (bash and sh are)`);
    const file = join(this.#temp, `${randomUUID()}.sh`);
    await writeFile(file, script);
    for (const line of script.trimEnd().split("\n")) this.#log.line(line);
    const args = shell === "bash" ? ["--noprofile", "--norc", "-eo", "pipefail", file] : ["-e", file];
    const cwd = this.#inWorkspace(spec["working-directory"] ?? ".", "working-directory");
    return this.#spawn(shell, args, cwd, env);
  }

  async #runAction(
    spec: WorkflowStep,
    context: ExpressionContext,
    base: Record<string, string>,
    runnerEnv: Record<string, string>,
  ): Promise<"success" | "failure"> {
    const uses = spec.uses as string;
    const given: Record<string, string> = {};
    for (const [name, value] of Object.entries(spec.with ?? {}))
      given[name] = asString(interpolate(value, context));
    const [name = "", ref = ""] = uses.split("@");
    if (/^actions\/checkout$/i.test(name)) return this.#checkout(given);
    if (/^actions\/setup-node$/i.test(name)) {
      this.#log.line(
        `Node ${process.version} is the runner's own (asked: ${given["node-version"] ?? "any"})`,
      );
      return "success";
    }
    const folder = uses.startsWith("./")
      ? this.#inWorkspace(uses, "uses")
      : (this.#settings.actions[uses] ?? this.#settings.actions[name]);
    if (folder === undefined)
      throw new Error(
        `Unable to resolve action \`${uses}\`: the offline runner knows ${Object.keys(this.#settings.actions).join(", ") || "no actions"}`,
      );
    const action = await loadNodeAction(folder);
    const unexpected = Object.keys(given).filter((input) => !(input in action.inputs));
    if (unexpected.length > 0)
      this.#log.line(
        `##[warning]Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(action.inputs).join("', '")}']`,
      );
    const inputs: Record<string, string> = {};
    for (const [input, spec] of Object.entries(action.inputs)) {
      const value =
        given[input] ??
        (spec.default === undefined ? undefined : asString(interpolate(spec.default, context)));
      if (value !== undefined) inputs[inputVariable(input)] = value;
    }
    for (const [input, value] of Object.entries(given)) inputs[inputVariable(input)] ??= value;
    const env = {
      ...base,
      ...inputs,
      ...runnerEnv,
      GITHUB_ACTION_PATH: folder,
      GITHUB_ACTION_REPOSITORY: uses.startsWith("./") ? "" : name,
      GITHUB_ACTION_REF: ref,
    };
    return this.#spawn(process.execPath, [action.main], this.#workspace, env);
  }

  async #checkout(given: Record<string, string>): Promise<"success" | "failure"> {
    const { repo } = this.#plan;
    let sha = this.#plan.sha;
    let branch = this.#plan.branch;
    const ref = given.ref ?? "";
    if (ref !== "") {
      const resolved =
        (await repo.git.resolve(`refs/heads/${ref.replace(/^refs\/heads\//, "")}^{commit}`)) ??
        (await repo.git.resolve(`${ref}^{commit}`));
      if (!resolved)
        throw new Error(`actions/checkout: A branch or tag with the name '${ref}' could not be found`);
      sha = resolved;
      branch = /^[0-9a-f]{40}$/.test(ref) ? branch : ref.replace(/^refs\/heads\//, "");
    }
    const depth = Number(given["fetch-depth"] ?? "1");
    if (!Number.isInteger(depth) || depth < 0)
      throw new Error(
        `actions/checkout: fetch-depth must be a whole number ≥ 0, found "${given["fetch-depth"]}"`,
      );
    await rm(this.#workspace, { recursive: true, force: true });
    await checkout(repo, { workspace: this.#workspace, sha, branch, depth });
    this.#log.line(`Checked out ${sha} as ${branch} into ${this.#workspace} (no credentials persisted)`);
    return "success";
  }

  async #spawn(
    command: string,
    args: string[],
    cwd: string,
    env: Record<string, string>,
  ): Promise<"success" | "failure"> {
    if (this.#stopped) return "failure";
    const child = spawnGroup(command, args, { cwd, env, onOutput: (chunk) => this.#log.write(chunk) });
    this.#groups.add(child.pid);
    this.#current = child;
    // A step's own timeout-minutes fails just that step, stopped the way a cancel stops one.
    const limit = this.#stepTimeout;
    let stepTimedOut = false;
    let stepKill: NodeJS.Timeout | undefined;
    const stepTimer =
      limit === undefined
        ? undefined
        : setTimeout(() => {
            stepTimedOut = true;
            child.signal("SIGINT");
            stepKill = setTimeout(() => child.signal("SIGKILL"), this.#settings.graceMs);
          }, limit.minutes * this.#settings.minuteMs);
    const exit = await child.exited;
    this.#current = undefined;
    clearTimeout(stepTimer);
    clearTimeout(stepKill);
    clearTimeout(this.#graceTimer);
    this.#log.flush();
    if (stepTimedOut && !this.#stopped) {
      this.#log.line(
        `##[error]The action '${limit?.name ?? ""}' has timed out after ${limit?.minutes ?? 0} minutes.`,
      );
      return "failure";
    }
    if (exit.code === 0) return "success";
    this.#log.line(
      exit.signal
        ? `##[error]The process was stopped by ${exit.signal}.`
        : `##[error]Process completed with exit code ${exit.code}.`,
    );
    return "failure";
  }

  async #commandFiles(step: number): Promise<Record<string, string>> {
    const files: Record<string, string> = {};
    for (const [variable, name] of [
      ["GITHUB_OUTPUT", "output"],
      ["GITHUB_ENV", "env"],
      ["GITHUB_PATH", "path"],
      ["GITHUB_STATE", "state"],
      ["GITHUB_STEP_SUMMARY", "summary"],
    ] as const) {
      const file = join(this.#root, "files", `${name}_${step}`);
      await writeFile(file, "");
      files[variable] = file;
    }
    return files;
  }

  async #readCommandFiles(files: Record<string, string>, step: SimWorkflowStep): Promise<void> {
    const read = (variable: string) => readFile(files[variable] as string, "utf8").catch(() => "");
    Object.assign(step.outputs, parseCommandFile(await read("GITHUB_OUTPUT"), "GITHUB_OUTPUT"));
    for (const [name, value] of Object.entries(parseCommandFile(await read("GITHUB_ENV"), "GITHUB_ENV")))
      // GitHub refuses to let a step change how Node starts for the steps after it.
      if (name !== "NODE_OPTIONS") this.#env[name] = value;
    for (const line of (await read("GITHUB_PATH")).split("\n"))
      if (line.trim()) this.#extraPath.unshift(line.trim());
    const summary = await read("GITHUB_STEP_SUMMARY");
    if (summary) this.#plan.job.summary += summary;
  }

  #inWorkspace(path: string, what: string): string {
    const full = resolve(this.#workspace, path);
    if (full !== this.#workspace && !full.startsWith(this.#workspace + sep))
      throw new Error(`${what} "${path}" lies outside the workspace`);
    return full;
  }
}

/** A check run's summary: the end of a job's log, in a code block, within GitHub's 65,535 characters. */
export function logSummary(log: string, limit = 60_000): string {
  const tail = log.length > limit ? `…${log.slice(-limit)}` : log;
  return `\`\`\`\n${tail.replace(/```/g, "`\u200b``")}\n\`\`\``;
}
