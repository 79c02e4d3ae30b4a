import { DEFAULT_LABELS } from "../../core/config/defaults.ts";
import { priorityOf } from "../../core/priority.ts";
import { newTask } from "../../core/lifecycle/task.ts";
import type { Handler } from "../handle.ts";
import { configOrNull } from "../handle.ts";
import { runIntake } from "../intake.ts";
import { brokenConfigComment } from "../load-config.ts";
import { offerSlots } from "../slots.ts";
import { step } from "../step.ts";
import { lifecycleOf, recordOf } from "../task-record.ts";

/**
 * `issues.labeled`: the ready label brings the issue into the swarm (config, spec lint, queue,
 * a free slot); a `priority:` label on a known task moves it in the queue.
 */
export const onIssueLabeled: Handler<"issues.labeled"> = async (scope, payload) => {
  const label = payload.label?.name ?? "";
  const { issue } = payload;
  const key = { repo: scope.repo, issueNumber: issue.number };
  const labels = issue.labels?.map((l) => l.name) ?? [];
  if (/^priority:/i.test(label)) {
    await scope.deps.ledger.tasks.update(key, { priority: priorityOf(labels) });
    return;
  }
  const loaded = await scope.config();
  if (!loaded.ok) {
    // The ready label's name lives in the broken file, so the default name is what people use.
    if (label === DEFAULT_LABELS.ready)
      await scope.gateway.createComment(issue.number, brokenConfigComment(loaded.problems));
    return;
  }
  const { config } = loaded;
  if (label !== config.labels.ready) return;
  const { task, created } = await scope.deps.ledger.tasks.ensure({
    ...key,
    ...recordOf(newTask()),
    priority: priorityOf(labels),
    labellerLogin: payload.sender.login,
    labellerId: payload.sender.id,
    title: issue.title,
  });
  if (!created)
    await scope.deps.ledger.tasks.update(key, {
      labellerLogin: payload.sender.login,
      labellerId: payload.sender.id,
    });
  scope.log.info(
    { task: `${scope.repo}#${issue.number}`, status: lifecycleOf(task).status, created },
    "ready label",
  );
  await runIntake(scope, config, issue.number);
  await offerSlots(scope, config);
};

/** `issues.unlabeled`: taking the ready label off withdraws a task that has not been dispatched. */
export const onIssueUnlabeled: Handler<"issues.unlabeled"> = async (scope, payload) => {
  const config = await configOrNull(scope);
  if (config === null || payload.label?.name !== config.labels.ready) return;
  await step(scope, config, payload.issue.number, { kind: "label.removed" });
};

/** `issues.closed`: a closed issue stops its task, unless its pull request merged (the close is the merge's). */
export const onIssueClosed: Handler<"issues.closed"> = async (scope, payload) => {
  const issue = payload.issue.number;
  const stored = await scope.deps.ledger.tasks.get({ repo: scope.repo, issueNumber: issue });
  if (stored === undefined) return;
  const config = await configOrNull(scope);
  if (config === null) return;
  // Merging the task's pull request closes the issue through its "Closes #N", and GitHub does
  // not promise that webhook comes after `pull_request.closed`: a merge must not read as a cancel.
  const { status, pullRequest } = lifecycleOf(stored);
  if (pullRequest !== null && status !== "merged" && status !== "cancelled") {
    const pull = await scope.pull(issue, pullRequest);
    if (pull.merged) {
      await step(scope, config, issue, { kind: "pr.merged", pullRequest });
      return;
    }
  }
  await step(scope, config, issue, { kind: "issue.closed" });
};

/** `issues.edited`: an issue waiting for a better spec is checked again. */
export const onIssueEdited: Handler<"issues.edited"> = async (scope, payload) => {
  const stored = await scope.deps.ledger.tasks.get({ repo: scope.repo, issueNumber: payload.issue.number });
  if (stored === undefined || lifecycleOf(stored).status !== "needs-spec") return;
  const config = await configOrNull(scope);
  if (config === null) return;
  await runIntake(scope, config, payload.issue.number);
  await offerSlots(scope, config);
};
