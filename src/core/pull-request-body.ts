import type { Job } from "./job.ts";
import { renderReportBlock, type Report } from "./report.ts";
import { formatUsd } from "./agent-budget.ts";
import { coAuthor, trailersOf } from "./trailers.ts";

// The agent's pull request: its title and body. The body ends with the Swarm trailers so that a
// squash merge whose message is built from the pull request body (the repository setting
// "Default to pull request title and description") still lands them on the base branch.

/** The pull request's title. */
export function pullRequestTitle(job: Job, issueTitle: string): string {
  const title = issueTitle.replace(/\s+/g, " ").trim().slice(0, 200);
  return `${title} (#${job.issue})`;
}

/** The pull request's body: the issue link, what changed, what was tested, the report, the trailers. */
export function pullRequestBody(job: Job, report: Report): string {
  const tested =
    report.commands.length === 0
      ? ["- No commands were run."]
      : report.commands.map(
          (c) =>
            `- \`${c.argv.replaceAll("`", "'")}\`: ${c.exitCode === 0 ? "passed" : `exit ${c.exitCode ?? "killed"}`}`,
        );
  const changed = report.filesChanged.map((file) => `- \`${file}\``);
  const lines = [
    `Closes #${job.issue}`,
    "",
    `${job.agent} (${job.model.id}, attempt ${job.attempt}) worked on this issue.`,
    "",
    "## What changed",
    "",
    report.summary.trim() || "(no summary)",
    "",
    ...changed,
    "",
    "## What was tested",
    "",
    ...tested,
    "",
    `Tokens: ${report.usage.input + report.usage.output + report.usage.cacheRead + report.usage.cacheWrite} · cost ${formatUsd(report.costUsd)} · turns ${report.turns}`,
    "",
    "<details><summary>Agent report</summary>",
    "",
    renderReportBlock(report),
    "",
    "</details>",
    "",
    ...Object.entries(trailersOf(job)).map(([key, value]) => `${key}: ${value}`),
    `Co-authored-by: ${coAuthor(job.requestedBy)}`,
  ];
  return lines.join("\n");
}
