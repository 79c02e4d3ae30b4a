import type { Job } from "./job.ts";
import { MAX_REPORT_BLOCK_CHARS, renderReportBlock, type Report } from "./report.ts";
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

/** GitHub's limit on a pull request body. */
const MAX_BODY_CHARS = 65_536;
const LISTED_FILES = 50;
const LISTED_COMMANDS = 30;

/** The pull request's body: the issue link, what changed, what was tested, the report, the trailers. */
export function pullRequestBody(job: Job, report: Report): string {
  const commands = report.commands.slice(-LISTED_COMMANDS);
  const tested =
    commands.length === 0
      ? ["- No commands were run."]
      : commands.map(
          (c) =>
            `- \`${c.argv.replaceAll("`", "'")}\`: ${c.exitCode === 0 ? "passed" : `exit ${c.exitCode ?? "killed"}`}`,
        );
  if (report.commands.length > commands.length)
    tested.unshift(`- … ${report.commands.length - commands.length} earlier commands`);
  const changed = report.filesChanged.slice(0, LISTED_FILES).map((file) => `- \`${file}\``);
  if (report.filesChanged.length > LISTED_FILES)
    changed.push(`- … and ${report.filesChanged.length - LISTED_FILES} more files`);
  const before = [
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
  ].join("\n");
  const after = [
    "",
    "</details>",
    "",
    ...Object.entries(trailersOf(job)).map(([key, value]) => `${key}: ${value}`),
    `Co-authored-by: ${coAuthor(job.requestedBy)}`,
  ].join("\n");
  const room = MAX_BODY_CHARS - before.length - after.length - 2;
  return [before, renderReportBlock(report, Math.min(room, MAX_REPORT_BLOCK_CHARS)), after].join("\n");
}
