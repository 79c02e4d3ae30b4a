import type { Probot } from "probot";
import type { SwarmConfig } from "../core/config/schema.ts";
import { encodeJob } from "../core/job.ts";
import type { Attempt } from "../ledger/index.ts";
import type { GatewayOctokit } from "../github/gateway.ts";
import { jobMode, jobOf, sessionIdOf } from "./dispatch.ts";
import { advanceToMerge } from "./merge.ts";
import { routeModel } from "../core/routing.ts";
import { settleRun } from "./runs.ts";
import { repoScope, type AppDeps, type RepoScope } from "./scope.ts";
import { offerSlots } from "./slots.ts";
import { step } from "./step.ts";
import { lifecycleOf } from "./task-record.ts";

/** How long an intent may stay unconfirmed before recovery takes it over (a dispatch call takes seconds). */
export const INTENT_GRACE_MS = 2 * 60_000;

/**
 * Compares the ledger with GitHub and settles what events were lost: GitHub does not redeliver a
 * failed webhook by itself, and a crash can fall between writing an intent and dispatching. Run
 * at start and every few minutes; cheap, because unchanged runs answer 304 to conditional requests.
 */
export class Reconciler {
  readonly #probot: Probot;
  readonly #deps: AppDeps;
  readonly #installations = new Map<string, number>();
  readonly #runEtags = new Map<number, string>();

  constructor(probot: Probot, deps: AppDeps) {
    this.#probot = probot;
    this.#deps = deps;
  }

  /** One pass over every repository with running attempts or waiting tasks. */
  async reconcileAll(): Promise<void> {
    const { ledger } = this.#deps;
    const active = await ledger.attempts.listActive();
    const stuck = await ledger.tasks.list({ states: ["queued", "rework", "dispatched"] });
    const claims = await ledger.merges.listUnconfirmed(this.#staleBefore());
    const repos = new Set([
      ...active.map((a) => a.repo),
      ...stuck.map((t) => t.repo),
      ...claims.map((c) => c.repo),
    ]);
    for (const repo of repos) {
      try {
        await this.reconcileRepository(repo, await this.#octokitFor(repo));
      } catch (error) {
        this.#probot.log.error({ err: error, repo }, "reconcile of the repository failed; next pass retries");
      }
    }
  }

  /** One pass over one repository, with an installation's Octokit for it. */
  async reconcileRepository(repo: string, octokit: GatewayOctokit): Promise<void> {
    const [owner = "", name = ""] = repo.split("/");
    const log = this.#probot.log.child({ reconcile: repo });
    const scope = repoScope(
      this.#deps,
      octokit,
      { owner: { login: owner }, name, html_url: `${webBase(octokit)}/${repo}` },
      log,
    );
    const loaded = await scope.config();
    if (!loaded.ok) {
      log.warn({ problems: loaded.problems }, ".github/swarm.yml is broken; reconcile waits for a fix");
      return;
    }
    const { config } = loaded;
    try {
      for (const attempt of await this.#deps.ledger.attempts.listActive(repo))
        if (attempt.state === "intent") await this.#recoverIntent(scope, config, attempt);
        else if (attempt.workflowRunId !== null)
          await this.#checkRun(scope, config, attempt, attempt.workflowRunId);
      await this.#settleUnclaimed(scope, config);
      await this.#settleMergeClaims(scope, config);
      await offerSlots(scope, config);
    } finally {
      await scope.publication.flush(scope);
    }
  }

  /** An attempt claimed but never confirmed: find its run on GitHub, else dispatch it now. */
  async #recoverIntent(scope: RepoScope, config: SwarmConfig, attempt: Attempt): Promise<void> {
    const { ledger, now } = this.#deps;
    const key = { repo: attempt.repo, issueNumber: attempt.issueNumber };
    const staleBefore = new Date(now().getTime() - INTENT_GRACE_MS).toISOString();
    // One replica takes the recovery over; the others see a fresh intent and leave it.
    if (!(await ledger.attempts.claimRecovery(key, attempt.number, staleBefore))) return;
    const stored = await ledger.tasks.get(key);
    if (stored === undefined) return;
    const task = lifecycleOf(stored);
    if (task.attempt !== attempt.number || task.status !== "dispatched") {
      await ledger.attempts.transition(key, attempt.number, "cancelled", {
        outcome: "superseded before dispatch",
      });
      return;
    }
    const sessionId = attempt.sessionId ?? sessionIdOf(key, attempt.number);
    const since = new Date(Date.parse(attempt.createdAt) - 60_000).toISOString();
    const runs = await scope.gateway.listDispatchedRuns(config.workflow, since);
    const found = runs.find((r) => r.displayTitle.includes(sessionId));
    if (found !== undefined) {
      scope.log.info(
        { task: `${key.repo}#${key.issueNumber}`, run: found.id },
        "recovered the run of an unconfirmed dispatch",
      );
      await ledger.attempts.transition(key, attempt.number, "dispatched", {
        workflowRunId: found.id,
        sessionId,
      });
      return;
    }
    let reason: string;
    try {
      // The attempt keeps what was decided when it was claimed: its agent, model and mode.
      const model = routeModel({
        ...config,
        labels: [],
        scope: [],
        failedAttempts: 0,
        override: attempt.model,
      });
      if (!model.ok) throw new Error(model.reason);
      const route = {
        tier: model.tier ?? config.models.defaultTier,
        model: model.model,
        agent: attempt.agent,
        reason: "recovery",
      };
      const baseBranch = await scope.defaultBranch();
      const remainingUsd = config.budgets.taskUsd - (await ledger.usage.totals(key)).costUsd;
      const mode = jobMode(
        attempt.mode === "rework" || attempt.mode === "resolve-conflict" ? attempt.mode : "implement",
        task.rejection,
      );
      const job = jobOf(
        config,
        stored,
        { attempt: attempt.number, ...mode, sessionId, baseBranch, remainingUsd },
        route,
      );
      const run = await scope.gateway.dispatchWorkflow(key.issueNumber, config.workflow, baseBranch, {
        job: encodeJob(job),
      });
      scope.log.info(
        { task: `${key.repo}#${key.issueNumber}`, run: run.workflowRunId },
        "dispatched an unconfirmed intent",
      );
      await ledger.attempts.transition(key, attempt.number, "dispatched", {
        workflowRunId: run.workflowRunId,
        sessionId,
      });
      return;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    await ledger.attempts.transition(key, attempt.number, "failed", {
      outcome: `dispatch failed: ${reason}`,
    });
    await step(scope, config, key.issueNumber, { kind: "dispatch.failed", attempt: attempt.number, reason });
  }

  /** A dispatched or running attempt: ask GitHub (conditionally) how its run stands and settle it. */
  async #checkRun(scope: RepoScope, config: SwarmConfig, attempt: Attempt, runId: number): Promise<void> {
    const answer = await scope.gateway.getWorkflowRun(attempt.issueNumber, runId, this.#runEtags.get(runId));
    if (answer === null) {
      this.#runEtags.delete(runId);
      await settleRun(scope, config, attempt, { status: "completed", conclusion: "failure" });
      return;
    }
    if (!answer.changed) return;
    if (answer.etag !== null) this.#runEtags.set(runId, answer.etag);
    await settleRun(scope, config, attempt, answer.value);
    if (answer.value.status === "completed") this.#runEtags.delete(runId);
  }

  /** A task written as dispatched whose claim never happened (a crash in between): its dispatch failed. */
  async #settleUnclaimed(scope: RepoScope, config: SwarmConfig): Promise<void> {
    const { ledger, now } = this.#deps;
    const staleBefore = now().getTime() - INTENT_GRACE_MS;
    for (const stored of await ledger.tasks.list({ repo: scope.repo, states: ["dispatched"] })) {
      const task = lifecycleOf(stored);
      const key = { repo: stored.repo, issueNumber: stored.issueNumber };
      if (Date.parse(stored.updatedAt) > staleBefore) continue;
      if ((await ledger.attempts.get(key, task.attempt)) !== undefined) continue;
      await step(scope, config, stored.issueNumber, {
        kind: "dispatch.failed",
        attempt: task.attempt,
        reason: "the app stopped before the dispatch was claimed",
      });
    }
  }

  #staleBefore(): string {
    return new Date(this.#deps.now().getTime() - INTENT_GRACE_MS).toISOString();
  }

  /**
   * Merge claims GitHub never confirmed (the app stopped between the claim and the GraphQL call):
   * a pull request the queue holds (or auto-merge, or merged) gets its claim confirmed; otherwise
   * the claim is released and the task's pull request moved on towards the merge again.
   */
  async #settleMergeClaims(scope: RepoScope, config: SwarmConfig): Promise<void> {
    const { ledger } = this.#deps;
    for (const head of await ledger.merges.listUnconfirmed(this.#staleBefore(), scope.repo)) {
      const key = { repo: head.repo, issueNumber: head.issueNumber };
      const stored = await ledger.tasks.get(key);
      const task = stored === undefined ? undefined : lifecycleOf(stored);
      const pullNumber = task?.pullRequest ?? null;
      const state = pullNumber === null ? null : await scope.gateway.mergeState(key.issueNumber, pullNumber);
      if (state !== null && (state.merged || state.queued || state.autoMerge)) {
        await ledger.merges.requested(head);
        continue;
      }
      await ledger.merges.release(head);
      scope.log.info(
        { task: `${key.repo}#${key.issueNumber}`, head: head.headSha },
        "released a stale merge claim",
      );
      if (
        task?.status === "in-merge-queue" &&
        task.attempt === head.attempt &&
        pullNumber !== null &&
        state?.headSha === head.headSha
      )
        await advanceToMerge(scope, config, key, head.attempt, pullNumber);
    }
  }

  async #octokitFor(repo: string): Promise<GatewayOctokit> {
    let id = this.#installations.get(repo);
    if (id === undefined) {
      const [owner = "", name = ""] = repo.split("/");
      const appOctokit = await this.#probot.auth();
      id = (await appOctokit.rest.apps.getRepoInstallation({ owner, repo: name })).data.id;
      this.#installations.set(repo, id);
    }
    return this.#probot.auth(id);
  }
}

/** The web root matching the API root Octokit talks to (github.com, or a GitHub Enterprise host). */
function webBase(octokit: GatewayOctokit): string {
  const api = new URL(octokit.request.endpoint.DEFAULTS.baseUrl);
  if (api.hostname === "api.github.com") return "https://github.com";
  return `${api.protocol}//${api.host}`;
}
