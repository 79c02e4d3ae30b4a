import type { ApplicationFunction } from "probot";
import { handle } from "./handle.ts";
import { onIssueComment } from "./handlers/comments.ts";
import { onCheckRunCompleted, onCheckSuiteCompleted } from "./handlers/checks.ts";
import { onPullRequestHead } from "./handlers/gate.ts";
import { onMergeGroup } from "./handlers/merge-group.ts";
import { onInstalled } from "./handlers/installation.ts";
import { onIssueClosed, onIssueEdited, onIssueLabeled, onIssueUnlabeled } from "./handlers/issues.ts";
import { onPullRequestClosed, onPullRequestDequeued, onPullRequestReview } from "./handlers/pulls.ts";
import { onPush } from "./handlers/push.ts";
import { onWorkflowJob, onWorkflowRun } from "./handlers/runs.ts";
import type { AppDeps } from "./scope.ts";

/**
 * The Probot app: a router from events to handlers, one per event family. Each handler reads its
 * event, asks src/core for a decision and applies it through the gateway and the ledger.
 */
export function swarmApp(deps: AppDeps): ApplicationFunction {
  return (app) => {
    app.on("issues.labeled", handle(deps, onIssueLabeled));
    app.on("issues.unlabeled", handle(deps, onIssueUnlabeled));
    app.on("issues.edited", handle(deps, onIssueEdited));
    app.on("issues.closed", handle(deps, onIssueClosed));
    app.on("issue_comment.created", handle(deps, onIssueComment));
    app.on("workflow_run", handle(deps, onWorkflowRun));
    app.on("workflow_job", handle(deps, onWorkflowJob));
    app.on(
      ["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"],
      handle(deps, onPullRequestHead),
    );
    app.on("check_run.completed", handle(deps, onCheckRunCompleted));
    app.on("check_suite.completed", handle(deps, onCheckSuiteCompleted));
    app.on("merge_group.checks_requested", handle(deps, onMergeGroup));
    app.on("pull_request.closed", handle(deps, onPullRequestClosed));
    app.on("pull_request.dequeued", handle(deps, onPullRequestDequeued));
    app.on("pull_request_review.submitted", handle(deps, onPullRequestReview));
    app.on(["installation.created", "installation_repositories.added"], onInstalled(deps));
    app.on("push", onPush(deps));
  };
}
