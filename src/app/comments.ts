import { HELP_TEXT } from "../core/commands.ts";
import type { SwarmConfig } from "../core/config/schema.ts";
import type { TaskStatus } from "../core/lifecycle/status.ts";
import type { HoldReason } from "../core/lifecycle/task.ts";
import { inlineCode } from "./markdown.ts";

// The words the app posts. Handlers and effects pick one; the wording lives here only.

/** What happens next for a task in each status, as the status comment and `/swarm status` say it. */
export function nextStep(status: TaskStatus, hold: HoldReason | null): string {
  if (hold === "paused") return "Dispatch is paused in this repository; `/swarm resume` releases the queue.";
  if (hold === "budget")
    return "Today's budget is spent; the task waits for the next UTC day (or a raised `budgets.dailyUsd`).";
  const next: Record<TaskStatus, string> = {
    ready: "The spec is being checked.",
    "needs-spec": "The issue needs the items in the checklist; edit it and the swarm checks it again.",
    queued: "Waits for a free agent slot, first in first out (a `priority:` label moves it ahead).",
    dispatched: "The agent's workflow run has been requested and should start shortly.",
    running: "An agent is working; it opens or updates a pull request when done.",
    "pr-open": "The pull request goes through the gate.",
    "in-review": "A person's review is awaited on the pull request (`/swarm approve` releases it).",
    "in-merge-queue": "The pull request is in the merge queue.",
    rework: "The work was turned back; the next attempt starts when a slot is free.",
    "needs-human": "A person needs to decide: `/swarm retry` to try again, or take the task over.",
    merged: "Done: the work is merged.",
    cancelled: "Stopped. `/swarm retry` starts it again.",
  };
  return next[status];
}

/** The spec checklist: what the issue needs before the swarm takes it. */
export function specChecklistComment(problems: readonly string[]): string {
  return [
    "**This issue is not ready for the swarm yet.** It needs:",
    "",
    ...problems.map((p) => `- [ ] ${p}`),
    "",
    "Edit the issue to add what is missing; the swarm checks it again on each edit.",
  ].join("\n");
}

/** Why a waiting task was held back although a slot was free. */
export function holdComment(reason: HoldReason, config: SwarmConfig): string {
  return reason === "paused"
    ? "**Dispatch is paused in this repository** (`/swarm pause`). This task keeps its place in the queue; `/swarm resume` releases it."
    : `**Today's budget of $${config.budgets.dailyUsd.toFixed(2)} is spent.** This task keeps its place in the queue and starts when the UTC day turns, or when \`budgets.dailyUsd\` in \`.github/swarm.yml\` is raised.`;
}

/** One attempt as the escalation comment lists it. */
export interface AttemptLine {
  number: number;
  agent: string;
  model: string;
  mode: string;
  /** merged, rejected, or the run's end (failed, timed_out, …) when the work was never judged. */
  outcome: string;
  reason: string | null;
}

/** What stands in the way: the last rejection's findings a person should look at first. */
export interface Blocker {
  file?: string | undefined;
  line?: number | undefined;
  expected: string;
  found: string;
}

/**
 * The hand-over to people: what happened, what was tried (each attempt: model, outcome, reason),
 * what is needed, and who is asked.
 */
export function escalationComment(
  reason: string,
  config: SwarmConfig,
  tried: { attempts: readonly AttemptLine[]; blockers: readonly Blocker[] } = { attempts: [], blockers: [] },
): string {
  const contacts = config.escalation.contacts.map((c) => `@${c}`).join(" ");
  const lines = [`**The swarm stopped working on this task and needs a person.** ${cell(reason)}.`];
  if (tried.attempts.length > 0)
    lines.push(
      "",
      "**What was tried:**",
      "",
      "| Attempt | Agent | Model | Mode | Outcome | Reason |",
      "| --- | --- | --- | --- | --- | --- |",
      ...tried.attempts.map(
        (a) =>
          `| ${a.number} | ${cell(a.agent)} | ${cell(a.model)} | ${cell(a.mode)} | ${cell(a.outcome)} | ${cell(a.reason ?? "")} |`,
      ),
    );
  if (tried.blockers.length > 0)
    lines.push(
      "",
      "**What stands in the way** (the last rejection):",
      "",
      ...tried.blockers.map(
        (b) =>
          `- ${b.file === undefined ? "" : `${inlineCode(b.line === undefined ? b.file : `${b.file}:${b.line}`)}: `}expected ${cell(b.expected)}; found ${cell(b.found)}`,
      ),
    );
  lines.push(
    "",
    "**What is needed:** a person's decision. `/swarm retry` tries again (`model=<tier or model id>` to change the model, `fresh` to start over from the base branch); or fix the pull request yourself, or close the issue.",
  );
  if (contacts !== "") lines.push("", `cc ${contacts}`);
  return lines.join("\n");
}

/** What the issue is told when its pull request merged and the app closes it. */
export interface MergedView {
  pullRequest: number;
  pullUrl: string;
  agent: string | null;
  model: string | null;
  attempts: number;
  tokens: number;
  costUsd: number;
}

/** The short summary the issue gets when its pull request merged and the app closes it. */
export function mergedComment(v: MergedView): string {
  return [
    `**Merged in [#${v.pullRequest}](${v.pullUrl}).** Closing the issue.`,
    "",
    "| Agent | Model | Attempts | Tokens | Cost |",
    "| --- | --- | --- | --- | --- |",
    `| ${cell(v.agent ?? "-")} | ${cell(v.model ?? "-")} | ${v.attempts} | ${v.tokens.toLocaleString("en-US")} | $${v.costUsd.toFixed(2)} |`,
  ].join("\n");
}

/** Text safe inside a table cell on one line: no pipes, line breaks or mentions. */
function cell(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").replace(/@/g, "@\u200b").trim();
}

/** The reply to a command the lifecycle refused, saying why nothing changed. */
export function refusedCommandReply(command: string, reason: string): string {
  return `${inlineCode(`/swarm ${command}`)} changes nothing here: ${reason}.`;
}

/** The polite refusal for someone without write access. */
export function notAllowedReply(login: string): string {
  return `Sorry @${login}, only people with write, maintain or admin access to this repository can steer the swarm.`;
}

/** The reply to `/swarm help`, or to a command that does not parse (with what was wrong). */
export function helpReply(error?: string): string {
  return error === undefined ? HELP_TEXT : `${error}\n\n${HELP_TEXT}`;
}

/** The reply to `/swarm pause` and `/swarm resume`. */
export function pauseReply(paused: boolean): string {
  return paused
    ? "**Paused.** No new agent jobs start in this repository; running ones finish. `/swarm resume` starts the queue again."
    : "**Resumed.** Waiting tasks start as agent slots free up.";
}

/** The reply to a command that needs a task on an issue the swarm does not work on. */
export function noTaskReply(command: string): string {
  return `${inlineCode(`/swarm ${command}`)} needs a swarm task, and this issue has none: add the \`swarm:ready\` label to start one.`;
}
