import type { GraphqlContext, GraphqlResolver } from "../graphql-endpoint.ts";
import { iso } from "../json-shapes.ts";
import { canSee, permissionOf } from "../route-context.ts";
import { headShaOf } from "../routes/pulls.ts";
import type { Actor } from "../sim-events.ts";
import { parseNodeId, type SimPull, type SimRepo } from "../world.ts";
import type { MergeMethod } from "./merge-commits.ts";
import { MergeQueueRefusal, type QueueEntry } from "./merge-queue.ts";
import { mergeQueueOf } from "./rulesets.ts";

/** A GraphQL object as the endpoint serves it: plain values or (lazy) resolver functions. */
type GqlObject = Record<string, unknown>;

/** The pull request a global node id names, if the caller may see it. */
export function findPull(ctx: GraphqlContext, id: unknown): { repo: SimRepo; pull: SimPull } | undefined {
  const parsed = typeof id === "string" ? parseNodeId(id) : undefined;
  if (parsed?.type !== "PullRequest") return undefined;
  for (const repo of ctx.world.repos.values()) {
    if (!canSee(ctx, repo)) continue;
    for (const pull of repo.pulls.values()) if (pull.id === parsed.id) return { repo, pull };
  }
  return undefined;
}

/** The GraphQL `PullRequest` object the merge queue fields need. */
export function pullRequestObject(ctx: GraphqlContext, repo: SimRepo, pull: SimPull): GqlObject {
  const issue = repo.issues.get(pull.number);
  const queues = ctx.world.mergeQueues;
  return {
    __typename: "PullRequest",
    id: pull.nodeId,
    databaseId: pull.id,
    number: pull.number,
    title: issue?.title ?? "",
    body: issue?.body ?? "",
    url: `${ctx.urls.html}/${repo.fullName}/pull/${pull.number}`,
    state: pull.merged ? "MERGED" : issue?.state === "open" ? "OPEN" : "CLOSED",
    merged: pull.merged,
    mergedAt: pull.mergedAt ? iso(pull.mergedAt) : null,
    isDraft: pull.draft,
    headRefName: pull.head,
    baseRefName: pull.base,
    headRefOid: () => headShaOf(repo, pull),
    mergeable: async () => {
      if (issue?.state !== "open") return "UNKNOWN";
      const base = await repo.git.resolve(`refs/heads/${pull.base}`);
      const head = await headShaOf(repo, pull);
      return base && (await repo.git.mergeTrees(base, head)) !== undefined ? "MERGEABLE" : "CONFLICTING";
    },
    isInMergeQueue: () => queues.entryOf(repo, pull) !== undefined,
    mergeQueueEntry: () => {
      const entry = queues.entryOf(repo, pull);
      return entry ? entryObject(ctx, repo, entry) : null;
    },
    autoMergeRequest: () => {
      const auto = queues.autoMergeOf(repo, pull);
      if (!auto) return null;
      return {
        mergeMethod: auto.method,
        commitHeadline: auto.commitHeadline ?? null,
        commitBody: auto.commitBody ?? null,
        enabledAt: iso(auto.enabledAt),
        enabledBy: actorObject(ctx, auto.enabledBy),
        pullRequest: () => pullRequestObject(ctx, repo, pull),
      };
    },
    mergeQueue: () => mergeQueueObject(ctx, repo, pull.base),
  };
}

/** The GraphQL `MergeQueue` of a branch, or null when the branch has no merge queue rule. */
export function mergeQueueObject(ctx: GraphqlContext, repo: SimRepo, branch: string): GqlObject | null {
  const config = mergeQueueOf(repo, branch);
  if (!config) return null;
  const path = `/${repo.fullName}/queue/${branch}`;
  return {
    id: Buffer.from(`MergeQueue:${repo.id}:${branch}`).toString("base64"),
    url: `${ctx.urls.html}${path}`,
    resourcePath: path,
    nextEntryEstimatedTimeToMerge: null,
    configuration: {
      checkResponseTimeout: config.check_response_timeout_minutes * 60,
      maximumEntriesToBuild: config.max_entries_to_build,
      maximumEntriesToMerge: config.max_entries_to_merge,
      mergeMethod: config.merge_method,
      mergingStrategy: config.grouping_strategy,
      minimumEntriesToMerge: config.min_entries_to_merge,
      minimumEntriesToMergeWaitTime: config.min_entries_to_merge_wait_minutes * 60,
    },
    entries: (args: { first?: number; after?: string; last?: number; before?: string }) => {
      if (args.last !== undefined || args.before !== undefined)
        throw new MergeQueueRefusal(
          "UNPROCESSABLE",
          "the offline GitHub pages merge queue entries forward only (first/after)",
        );
      const all = ctx.world.mergeQueues.entries(repo, branch);
      const start = args.after === undefined ? 0 : cursorIndex(args.after) + 1;
      const page = all.slice(start, start + Math.min(100, args.first ?? 100));
      const edges = page.map((entry, i) => ({
        cursor: cursor(start + i),
        node: entryObject(ctx, repo, entry),
      }));
      return {
        totalCount: all.length,
        nodes: edges.map((e) => e.node),
        edges,
        pageInfo: {
          hasNextPage: start + page.length < all.length,
          hasPreviousPage: start > 0,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges[edges.length - 1]?.cursor ?? null,
        },
      };
    },
  };
}

function entryObject(ctx: GraphqlContext, repo: SimRepo, entry: QueueEntry): GqlObject {
  const queues = ctx.world.mergeQueues;
  const pull = repo.pulls.get(entry.pullNumber) as SimPull;
  return {
    __typename: "MergeQueueEntry",
    id: entry.nodeId,
    position: queues.positionOf(entry),
    state: queues.stateOf(entry),
    enqueuedAt: iso(entry.enqueuedAt),
    enqueuer: actorObject(ctx, entry.enqueuer),
    jump: entry.jump,
    solo: false,
    estimatedTimeToMerge: null,
    headCommit: () => (entry.group ? commitObject(ctx, repo, entry.group.headSha) : null),
    baseCommit: () => (entry.group ? commitObject(ctx, repo, entry.group.baseSha) : null),
    pullRequest: () => pullRequestObject(ctx, repo, pull),
    mergeQueue: () => mergeQueueObject(ctx, repo, entry.base),
  };
}

function commitObject(ctx: GraphqlContext, repo: SimRepo, sha: string): GqlObject {
  const read = async () => {
    const commit = await repo.git.readCommit(sha);
    if (!commit) throw new MergeQueueRefusal("NOT_FOUND", `Could not resolve to a commit ${sha}`);
    return commit;
  };
  return {
    __typename: "Commit",
    oid: sha,
    abbreviatedOid: sha.slice(0, 7),
    url: `${ctx.urls.html}/${repo.fullName}/commit/${sha}`,
    message: async () => (await read()).message.replace(/\n$/, ""),
    messageHeadline: async () => (await read()).message.split("\n")[0] ?? "",
    messageBody: async () => (await read()).message.split("\n").slice(2).join("\n").replace(/\n$/, ""),
    committedDate: async () => iso((await read()).committer.date),
    authoredDate: async () => iso((await read()).author.date),
    parents: async (args: { first?: number }) => {
      const parents = (await read()).parents.slice(0, args.first ?? 100);
      return { totalCount: parents.length, nodes: parents.map((p) => commitObject(ctx, repo, p)) };
    },
  };
}

function actorObject(ctx: GraphqlContext, actor: Actor): GqlObject {
  const user = ctx.world.userOf(actor);
  return {
    __typename: user.type === "Bot" ? "Bot" : "User",
    login: user.login,
    avatarUrl: `${ctx.urls.html}/avatars/u/${user.id}`,
    resourcePath: `/${user.login}`,
    url: `${ctx.urls.html}/${user.login}`,
  };
}

function cursor(index: number): string {
  return Buffer.from(`cursor:${index + 1}`).toString("base64");
}

function cursorIndex(value: string): number {
  const m = /^cursor:(\d+)$/.exec(Buffer.from(value, "base64").toString());
  if (!m) throw new MergeQueueRefusal("UNPROCESSABLE", `\`${value}\` does not appear to be a valid cursor.`);
  return Number(m[1]) - 1;
}

// The pull request a mutation names; people need write access, as on GitHub.
function pullFor(ctx: GraphqlContext, id: unknown, mutation: string): { repo: SimRepo; pull: SimPull } {
  const found = findPull(ctx, id);
  if (!found)
    throw new MergeQueueRefusal(
      "NOT_FOUND",
      `Could not resolve to a node with the global id of '${String(id)}'`,
    );
  if (ctx.actor.kind === "user") {
    const role = permissionOf(found.repo, ctx.actor.login);
    if (role !== "write" && role !== "maintain" && role !== "admin")
      throw new MergeQueueRefusal(
        "FORBIDDEN",
        `${ctx.actor.login} does not have the correct permissions to execute \`${mutation}\``,
      );
  }
  return found;
}

function inputOf(args: Record<string, unknown>): Record<string, unknown> {
  return (args.input ?? {}) as Record<string, unknown>;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The merge queue's query fields added to the endpoint's `repository` object. */
export function repositoryQueueFields(ctx: GraphqlContext, repo: SimRepo): GqlObject {
  return {
    mergeQueue: (args: { branch?: string }) => mergeQueueObject(ctx, repo, args.branch ?? repo.defaultBranch),
    pullRequest: (args: { number: number }) => {
      const pull = repo.pulls.get(args.number);
      return pull ? pullRequestObject(ctx, repo, pull) : null;
    },
  };
}

/** Root query fields: `node(id:)` for pull requests. */
export const QUEUE_QUERIES: Record<string, GraphqlResolver> = {
  node(args, ctx) {
    const found = findPull(ctx, args.id);
    return found ? pullRequestObject(ctx, found.repo, found.pull) : null;
  },
};

/** Root mutation fields: the merge queue and auto-merge. */
export const QUEUE_MUTATIONS: Record<string, GraphqlResolver> = {
  async enqueuePullRequest(args, ctx) {
    const input = inputOf(args);
    const { repo, pull } = pullFor(ctx, input.pullRequestId, "EnqueuePullRequest");
    const entry = await ctx.world.mergeQueues.enqueue(repo, pull, ctx.actor, {
      expectedHeadOid: optionalString(input.expectedHeadOid),
      jump: input.jump === true,
    });
    return {
      clientMutationId: input.clientMutationId ?? null,
      mergeQueueEntry: entryObject(ctx, repo, entry),
    };
  },

  async dequeuePullRequest(args, ctx) {
    const input = inputOf(args);
    const { repo, pull } = pullFor(ctx, input.id, "DequeuePullRequest");
    const entry = await ctx.world.mergeQueues.dequeue(repo, pull, ctx.actor);
    return {
      clientMutationId: input.clientMutationId ?? null,
      mergeQueueEntry: entryObject(ctx, repo, entry),
    };
  },

  async enablePullRequestAutoMerge(args, ctx) {
    const input = inputOf(args);
    const { repo, pull } = pullFor(ctx, input.pullRequestId, "EnablePullRequestAutoMerge");
    await ctx.world.mergeQueues.enableAutoMerge(repo, pull, ctx.actor, {
      method: optionalString(input.mergeMethod) as MergeMethod | undefined,
      headline: optionalString(input.commitHeadline),
      body: optionalString(input.commitBody),
      expectedHeadOid: optionalString(input.expectedHeadOid),
    });
    return {
      clientMutationId: input.clientMutationId ?? null,
      actor: actorObject(ctx, ctx.actor),
      pullRequest: pullRequestObject(ctx, repo, pull),
    };
  },

  async disablePullRequestAutoMerge(args, ctx) {
    const input = inputOf(args);
    const { repo, pull } = pullFor(ctx, input.pullRequestId, "DisablePullRequestAutoMerge");
    await ctx.world.mergeQueues.disableAutoMerge(repo, pull);
    return {
      clientMutationId: input.clientMutationId ?? null,
      actor: actorObject(ctx, ctx.actor),
      pullRequest: pullRequestObject(ctx, repo, pull),
    };
  },
};
