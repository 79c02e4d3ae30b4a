import type { SimWorkflowJob } from "./world.ts";

/** Who made a request: the kind of token and whose it is. Every write records one. */
export type Actor =
  | { kind: "app"; appId: number; login: string }
  | { kind: "installation"; appId: number; installationId: number; login: string }
  | { kind: "github_token"; repository: string; runId: number; login: string }
  | { kind: "user"; login: string };

/** What an `edited` action changed: the previous title, body or base (GitHub sends `changes` with it). */
export interface EditChanges {
  title?: { from: string };
  body?: { from: string };
  base?: { ref: { from: string }; sha: { from: string } };
}

/**
 * Something that happened that GitHub would announce as a webhook: the event name, its action
 * and references to the objects involved (the delivery side renders full payloads from them).
 */
export type SimEvent =
  | {
      name: "issues";
      action: "opened" | "edited" | "closed" | "reopened" | "labeled" | "unlabeled";
      repository: string;
      number: number;
      label?: string;
      changes?: EditChanges;
    }
  | {
      name: "issue_comment";
      action: "created" | "edited";
      repository: string;
      number: number;
      commentId: number;
      changes?: EditChanges;
    }
  | {
      name: "pull_request";
      action:
        | "opened"
        | "edited"
        | "closed"
        | "reopened"
        | "synchronize"
        | "labeled"
        | "unlabeled"
        | "enqueued"
        | "dequeued";
      repository: string;
      number: number;
      label?: string;
      before?: string;
      after?: string;
      changes?: EditChanges;
      /** Why the merge queue removed the pull request (dequeued only), as GitHub words it. */
      reason?: string;
    }
  | {
      name: "merge_group";
      action: "checks_requested" | "destroyed";
      repository: string;
      group: MergeGroupRef;
      reason?: "merged" | "invalidated" | "dequeued";
    }
  | { name: "push"; repository: string; ref: string; before: string; after: string }
  | { name: "create"; repository: string; ref: string; refType: "branch" | "tag" }
  | { name: "delete"; repository: string; ref: string; refType: "branch" | "tag" }
  | {
      name: "check_run";
      action: "created" | "completed" | "rerequested" | "requested_action";
      repository: string;
      checkRunId: number;
    }
  | {
      name: "workflow_dispatch";
      repository: string;
      workflowPath: string;
      ref: string;
      inputs: Record<string, unknown>;
      runId: number;
    }
  | {
      name: "workflow_run";
      action: "requested" | "in_progress" | "completed";
      repository: string;
      runId: number;
      /** The run's state when the event happened (webhooks are rendered later, from the live run). */
      state?: { status: string; conclusion: string | null; updatedAt: Date };
    }
  | {
      name: "workflow_job";
      action: "queued" | "in_progress" | "completed";
      repository: string;
      runId: number;
      /** The job as it was when the event happened. */
      job: SimWorkflowJob;
    }
  | { name: "label"; action: "created"; repository: string; label: string };

/** A merge group as its webhook names it (the shas stay readable after its branch is gone). */
export interface MergeGroupRef {
  headSha: string;
  /** The full ref, `refs/heads/gh-readonly-queue/<base>/pr-<number>-<base sha>`. */
  headRef: string;
  baseSha: string;
  baseRef: string;
}

/** What the server's emitter passes to `on("event", …)` listeners. */
export interface SimEventEnvelope {
  name: SimEvent["name"];
  payload: SimEvent;
  causedBy: Actor;
}
