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
  #headSha = "";
  #lastBeat = Number.NEGATIVE_INFINITY;
  #octokit: GitHubClient;
  #owner: string;
  #repo: string;
  #intervalMs: number;
  #now: () => number;
  #log: (line: string) => void;
  /** Heartbeat requests made so far. */
  requests = 0;

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

  /** Opens the check run, in progress, on the commit the work starts from. */
  async start(headSha: string, title: string): Promise<void> {
    const { data } = await this.#octokit.rest.checks.create({
      owner: this.#owner,
      repo: this.#repo,
      name: AGENT_CHECK_NAME,
      head_sha: headSha,
      status: "in_progress",
      started_at: new Date(this.#now()).toISOString(),
      output: { title, summary: "The agent is starting." },
    });
    this.requests += 1;
    this.#checkRunId = data.id;
    this.#headSha = headSha;
    this.#lastBeat = this.#now();
  }

  /** Updates the check run with the progress, unless the last update is more recent than the interval. */
  async beat(progress: LoopProgress): Promise<void> {
    if (this.#checkRunId === undefined || this.#now() - this.#lastBeat < this.#intervalMs) return;
    this.#lastBeat = this.#now();
    this.requests += 1;
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
      this.requests += 1;
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
      this.requests += 1;
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
