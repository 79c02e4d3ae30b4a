import type { EmitterWebhookEventName } from "@octokit/webhooks";
import type { Context } from "probot";
import type { SwarmConfig } from "../core/config/schema.ts";
import type { IssueInfo } from "../github/gateway.ts";
import { repoScope, type AppDeps, type RepoScope, type RepositoryRef } from "./scope.ts";

/** An issue as issue and issue comment events carry it. */
interface PayloadIssue {
  number: number;
  state?: string;
  title: string;
  body?: string | null;
  labels?: (string | { name: string })[];
  pull_request?: unknown;
  comments: number;
}

/** The issue a payload carries, as the gateway would read it; undefined when it lacks its state or labels. */
function issueOf(issue: PayloadIssue | undefined): IssueInfo | undefined {
  if (issue?.labels === undefined || issue.state === undefined) return undefined;
  return {
    number: issue.number,
    state: issue.state,
    title: issue.title,
    body: issue.body ?? "",
    labels: issue.labels.map((l) => (typeof l === "string" ? l : l.name)),
    isPullRequest: issue.pull_request !== undefined,
    comments: issue.comments,
  };
}

/** A handler of one event family: reads the event, asks core, applies the decision. */
export type Handler<E extends EmitterWebhookEventName> = (
  scope: RepoScope,
  payload: Context<E>["payload"],
) => Promise<void>;

/**
 * Wraps a handler for Probot: skips a delivery the ledger has seen (GitHub redelivers with the
 * same id), gives the handler a logger carrying the delivery id and a scope for the repository,
 * and once it is done writes the labels and status comments its transitions left.
 */
export function handle<E extends EmitterWebhookEventName>(deps: AppDeps, handler: Handler<E>) {
  return async (context: Context<E>): Promise<void> => {
    const payload = context.payload as Context<E>["payload"] & { repository?: RepositoryRef };
    const log = context.log.child({ delivery: context.id, event: context.name });
    if (payload.repository === undefined) return;
    if (!(await deps.ledger.deliveries.record(context.id, context.name))) {
      log.info("delivery seen before; skipped");
      return;
    }
    const scope = repoScope(deps, context.octokit, payload.repository, log);
    const issue = issueOf((payload as { issue?: PayloadIssue }).issue);
    if (issue !== undefined) scope.knowIssue(issue);
    try {
      await handler(scope, context.payload);
    } finally {
      await scope.publication.flush(scope);
    }
  };
}

/** The repository's config, or null after logging why not (handlers that act on tasks need it). */
export async function configOrNull(scope: RepoScope): Promise<SwarmConfig | null> {
  const loaded = await scope.config();
  if (loaded.ok) return loaded.config;
  scope.log.warn({ problems: loaded.problems }, ".github/swarm.yml is broken; the event changes nothing");
  return null;
}
