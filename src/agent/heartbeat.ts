import { formatUsd } from "../core/agent-budget.ts";
import { AGENT_CHECK_NAME, renderReportBlock, type Report } from "../core/report.ts";
import { totalTokens } from "../core/usage.ts";
import type { LoopProgress } from "./agent-loop.ts";
import type { GitHubClient } from "./github-client.ts";

// The `swarm/agent` check run: in progress while the agent works, updated at most once per
// heartbeat interval (30 agents share one repository's API budget), completed with the report.

/** Reports an attempt's progress on its check run. */
export class Heartbeat {
  #checkRunId: number | undefined;
  #opening: Promise<void> = Promise.resolve();
  #headSha = "";
  #lastBeat = Number.NEGATIVE_INFINITY;
  #octokit: GitHubClient;
  #owner: string;
  #repo: string;
  #intervalMs: number;
  #now: () => number;
  #log: (line: string) => void;

  constructor(options: {
    octokit: GitHubClient;
    repository: string;
    intervalSeconds: number;
    now: () => number;
    log: (line: string) => void;
  }) {
    this.#octokit = options.octokit;
    [this.#owner = "", this.#repo = ""] = options.repository.split("/");
    this.#intervalMs = options.intervalSeconds * 1000;
    this.#now = options.now;
    this.#log = options.log;
  }

  /**
   * Starts opening the check run, in progress, on the commit the work starts from, without waiting:
   * the first model request need not wait for it. `opened` waits for it and says whether it worked.
   */
  start(headSha: string, title: string): void {
    this.#headSha = headSha;
    this.#lastBeat = this.#now();
    this.#opening = this.#octokit.rest.checks
      .create({
        owner: this.#owner,
        repo: this.#repo,
        name: AGENT_CHECK_NAME,
        head_sha: headSha,
        status: "in_progress",
        started_at: new Date(this.#now()).toISOString(),
        output: { title, summary: "The agent is starting." },
      })
      .then(
        ({ data }) => {
          this.#checkRunId = data.id;
        },
        (error: Error) => {
          throw new Error(`could not open the ${AGENT_CHECK_NAME} check run: ${error.message}`, {
            cause: error,
          });
        },
      );
    // Awaited by `opened`; until then a failure must not count as an unhandled rejection.
    this.#opening.catch(() => undefined);
  }

  /** Waits for the check run to be open; throws what GitHub answered when it could not be opened. */
  async opened(): Promise<void> {
    await this.#opening;
  }

  /** Updates the check run with the progress, unless the last update is more recent than the interval. */
  async beat(progress: LoopProgress): Promise<void> {
    await this.opened();
    if (this.#checkRunId === undefined || this.#now() - this.#lastBeat < this.#intervalMs) return;
    this.#lastBeat = this.#now();
    // A lost heartbeat is not worth the work: the next one carries the same figures.
    await this.#octokit.rest.checks
      .update({
        owner: this.#owner,
        repo: this.#repo,
        check_run_id: this.#checkRunId,
        output: {
          title: `Working: turn ${progress.turns}`,
          summary: [
            "| turns | tokens | cost | last tool | files touched |",
            "|---|---|---|---|---|",
            `| ${progress.turns} | ${totalTokens(progress.usage)} | ${formatUsd(progress.costUsd)} | ${progress.lastTool ?? "-"} | ${progress.filesTouched.length} |`,
            "",
            ...progress.filesTouched.slice(0, 50).map((file) => `- \`${file}\``),
          ].join("\n"),
        },
      })
      .catch((error: Error) => this.#log(`heartbeat failed: ${error.message}`));
  }

  /**
   * Completes the check run with the report. When the work moved the branch to a new commit the
   * report goes on a check run of that commit, where the app and the pull request look for it.
   */
  async complete(report: Report, headSha: string | null): Promise<void> {
    // A check run that could not be opened is replaced by a completed one below.
    await this.opened().catch((error: Error) => this.#log(`opening the check run failed: ${error.message}`));
    const conclusion = report.outcome === "done" ? ("success" as const) : ("failure" as const);
    const output = {
      title: report.outcome === "done" ? "Done" : `Stopped: ${report.outcome}`,
      summary: [
        report.reason,
        "",
        `Turns ${report.turns}, tokens ${totalTokens(report.usage)}, cost ${formatUsd(report.costUsd)}, handoffs ${report.handoffs}, refusals ${report.refusals}.`,
      ].join("\n"),
      text: renderReportBlock(report),
    };
    const completedAt = new Date(this.#now()).toISOString();
    const moved = headSha !== null && headSha !== this.#headSha;
    if (this.#checkRunId !== undefined) {
      await this.#octokit.rest.checks.update({
        owner: this.#owner,
        repo: this.#repo,
        check_run_id: this.#checkRunId,
        status: "completed",
        conclusion: moved ? "neutral" : conclusion,
        completed_at: completedAt,
        output: moved ? { title: "Moved", summary: `The work continued on ${headSha}.` } : output,
      });
    }
    if (moved || this.#checkRunId === undefined) {
      await this.#octokit.rest.checks.create({
        owner: this.#owner,
        repo: this.#repo,
        name: AGENT_CHECK_NAME,
        head_sha: headSha ?? this.#headSha,
        status: "completed",
        conclusion,
        completed_at: completedAt,
        output,
      });
    }
  }
}
