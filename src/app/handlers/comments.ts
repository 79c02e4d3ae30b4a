import { parseCommandComment, type SwarmCommand } from "../../core/commands.ts";
import { routeModel } from "../../core/routing.ts";
import type { LifecycleEvent } from "../../core/lifecycle/events.ts";
import { helpReply, noTaskReply, notAllowedReply, pauseReply, refusedCommandReply } from "../comments.ts";
import type { Handler } from "../handle.ts";
import { configOrNull } from "../handle.ts";
import { maySteer } from "../permission-cache.ts";
import type { RepoScope } from "../scope.ts";
import { offerSlots } from "../slots.ts";
import { step } from "../step.ts";
import type { SwarmConfig } from "../../core/config/schema.ts";

/**
 * `issue_comment.created`: a `/swarm` command from a person with write access is acknowledged
 * with 👀 and carried out; others get a polite refusal. Comments by bots, the app's own
 * included, are never read, so no comment can start a loop.
 */
export const onIssueComment: Handler<"issue_comment.created"> = async (scope, payload) => {
  const { comment, issue, sender } = payload;
  if (sender.type === "Bot" || comment.user?.type === "Bot") return;
  const parsed = parseCommandComment(comment.body);
  if (parsed.kind === "none") return;
  const permission = await scope.deps.permissions.get(scope.repo, sender.login, () =>
    scope.gateway.getPermission(sender.login),
  );
  if (!maySteer(permission)) {
    await scope.gateway.createComment(issue.number, notAllowedReply(sender.login));
    return;
  }
  await scope.gateway.reactToComment(issue.number, comment.id, "eyes");
  if (parsed.kind === "error") {
    await scope.gateway.createComment(issue.number, helpReply(parsed.error));
    return;
  }
  const reply = await runCommand(scope, parsed.command, issue, sender.login);
  if (reply !== null) await scope.gateway.createComment(issue.number, reply);
};

/** Carries out a command; returns the reply to post, or null when a status edit or effect answers. */
async function runCommand(
  scope: RepoScope,
  command: SwarmCommand,
  issue: { number: number; pull_request?: unknown },
  actor: string,
): Promise<string | null> {
  if (command.name === "help") return helpReply();
  const config = await configOrNull(scope);
  if (config === null)
    return "`.github/swarm.yml` is broken, so the swarm cannot act; `swarm-foreman config check` lists what to fix.";
  if (command.name === "pause" || command.name === "resume") {
    await scope.deps.ledger.repositories.setPaused(scope.repo, command.name === "pause");
    await scope.deps.ledger.events.append([
      { repo: scope.repo, action: `repository.${command.name}d`, agent: null, detail: { by: actor } },
    ]);
    if (command.name === "resume") await offerSlots(scope, config);
    return pauseReply(command.name === "pause");
  }
  const taskIssue = await taskIssueOf(scope, issue);
  if (taskIssue === null) return noTaskReply(command.name);
  const event = await eventOf(command, actor, config);
  if (typeof event === "string") return event;
  const moved = await step(scope, config, taskIssue, event);
  if (moved === null) return noTaskReply(command.name);
  if (!moved.ok) return refusedCommandReply(command.name, moved.reason);
  if (command.name === "retry") await offerSlots(scope, config);
  if (command.name === "approve") await recordApproval(scope, taskIssue, actor);
  return null;
}

/** A person's `/swarm approve` is their verdict on the head the review policy held, kept for calibration. */
async function recordApproval(scope: RepoScope, issueNumber: number, actor: string): Promise<void> {
  const { ledger } = scope.deps;
  const pullNumber = (await ledger.tasks.get({ repo: scope.repo, issueNumber }))?.pullNumber ?? null;
  if (pullNumber === null) return;
  const held = (await ledger.reviews.list(scope.repo, pullNumber)).findLast((r) => r.kind === "policy");
  if (held === undefined) return;
  await ledger.reviews.record({
    repo: scope.repo,
    pullNumber,
    headSha: held.headSha,
    kind: "human",
    reviewer: actor,
    verdict: "approved",
    reason: "/swarm approve",
  });
}

/** The lifecycle event a task command is, or the reply explaining why it cannot be one. */
async function eventOf(
  command: Exclude<SwarmCommand, { name: "help" | "pause" | "resume" }>,
  actor: string,
  config: SwarmConfig,
): Promise<LifecycleEvent | string> {
  switch (command.name) {
    case "retry": {
      if (command.model !== undefined) {
        const route = routeModel({
          models: config.models,
          rework: config.rework,
          labels: [],
          scope: [],
          failedAttempts: 0,
          override: command.model,
        });
        if (!route.ok) return refusedCommandReply(`retry model=${command.model}`, route.reason);
      }
      return {
        kind: "command.retry",
        actor,
        fresh: command.fresh,
        ...(command.model === undefined ? {} : { model: command.model }),
      };
    }
    case "cancel":
      return { kind: "command.cancel", actor };
    case "status":
      return { kind: "command.status", actor };
    case "escalate":
      return { kind: "command.escalate", actor };
    case "approve":
      return { kind: "command.approve", actor };
  }
}

/** The task a comment is about: its issue, or for a comment on an agent's pull request, the pull request's task. */
async function taskIssueOf(
  scope: RepoScope,
  issue: { number: number; pull_request?: unknown },
): Promise<number | null> {
  const { ledger } = scope.deps;
  if (issue.pull_request === undefined || issue.pull_request === null)
    return (await ledger.tasks.get({ repo: scope.repo, issueNumber: issue.number })) === undefined
      ? null
      : issue.number;
  return (await ledger.tasks.findByPull(scope.repo, issue.number))?.issueNumber ?? null;
}
