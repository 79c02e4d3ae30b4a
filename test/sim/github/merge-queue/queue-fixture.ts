import type { Octokit } from "@octokit/rest";
import type { MergeQueueParameters, RulesetInput } from "../../../../src/sim/github/merge-queue/rulesets.ts";
import type { SimEventEnvelope } from "../../../../src/sim/github/sim-events.ts";
import type { SimClock } from "../../../../src/sim/github/world.ts";
import { startFixture, type SimFixture } from "../sim-fixture.ts";

export const o = { owner: "acme", repo: "widgets" };

/** A pull request opened by the fixture. */
export interface OpenedPull {
  number: number;
  nodeId: string;
  headSha: string;
  branch: string;
}

/** The fixture's world with a merge queue on main requiring the check `ci`. */
export interface QueueFixture extends SimFixture {
  events: SimEventEnvelope[];
  clock: { now(): Date; advanceMinutes(minutes: number): void };
  /** Opens a pull request from a new branch off main whose one commit writes `files`. */
  openPull(branch: string, files: Record<string, string>, message?: string): Promise<OpenedPull>;
  /** Reports a completed check run on a sha (as an app's CI would). */
  report(sha: string, name: string, conclusion: "success" | "failure"): Promise<void>;
  /** Runs a GraphQL document as the installation; answers data or the errors GitHub sent. */
  graphql(query: string, variables?: Record<string, unknown>): Promise<GraphqlAnswer>;
  /** Enqueues a pull request through GraphQL. */
  enqueue(pull: OpenedPull, expectedHeadOid?: string): Promise<GraphqlAnswer>;
  /** The sha main points at. */
  mainSha(): Promise<string>;
}

/** A GraphQL response body. */
export interface GraphqlAnswer {
  data?: Record<string, unknown> | null;
  errors?: { type?: string; message: string; path?: string[] }[];
}

/**
 * Starts the offline GitHub with acme/widgets, a stepping clock, and a ruleset on the default
 * branch: merge queue (parameters overridable) and the required check `ci`.
 */
export async function startQueueFixture(
  queue: Partial<MergeQueueParameters> = {},
  files?: Record<string, string>,
): Promise<QueueFixture> {
  // App JWTs are checked against this clock, so it starts at the real time and only steps on request.
  let now = Date.now();
  const clock: SimClock & { advanceMinutes(minutes: number): void } = {
    now: () => new Date(now),
    advanceMinutes: (minutes) => {
      now += minutes * 60_000;
    },
  };
  const f = await startFixture(files, { clock });
  const events: SimEventEnvelope[] = [];
  f.sim.world.events.on("event", (e) => events.push(e));
  const ruleset: RulesetInput = {
    name: "swarm",
    enforcement: "active",
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [
      { type: "merge_queue", parameters: { ...queue } },
      {
        type: "required_status_checks",
        parameters: {
          required_status_checks: [{ context: "ci" }],
          strict_required_status_checks_policy: false,
        },
      },
    ],
  };
  f.sim.world.createRuleset("acme/widgets", ruleset);
  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const { token } = f.sim.world.mintInstallationToken(f.installation.id);
    const res = await fetch(f.sim.graphqlUrl, {
      method: "POST",
      headers: { authorization: `bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GraphqlAnswer;
  };
  const mainSha = async () => (await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" })).data.object.sha;
  return {
    ...f,
    events,
    clock,
    mainSha,
    graphql,
    async openPull(branch, changes, message = `Change on ${branch}`) {
      const base = await mainSha();
      const sha = await commitFiles(f.octokit, base, changes, message);
      await f.octokit.rest.git.createRef({ ...o, ref: `refs/heads/${branch}`, sha });
      const pr = await f.octokit.rest.pulls.create({
        ...o,
        title: `Pull ${branch}`,
        head: branch,
        base: "main",
      });
      return { number: pr.data.number, nodeId: pr.data.node_id, headSha: sha, branch };
    },
    async report(sha, name, conclusion) {
      await f.octokit.rest.checks.create({ ...o, name, head_sha: sha, status: "completed", conclusion });
    },
    enqueue: (pull, expectedHeadOid) =>
      graphql(
        `
          mutation ($id: ID!, $head: GitObjectID) {
            enqueuePullRequest(input: { pullRequestId: $id, expectedHeadOid: $head }) {
              mergeQueueEntry {
                id
                position
                state
                pullRequest {
                  number
                }
              }
            }
          }
        `,
        { id: pull.nodeId, head: expectedHeadOid ?? pull.headSha },
      ),
  };
}

/** Writes one commit on top of `parent` through the Git Data API; returns its sha. */
export async function commitFiles(
  octokit: Octokit,
  parent: string,
  files: Record<string, string>,
  message: string,
): Promise<string> {
  const base = await octokit.rest.git.getCommit({ ...o, commit_sha: parent });
  const tree = await octokit.rest.git.createTree({
    ...o,
    base_tree: base.data.tree.sha,
    tree: Object.entries(files).map(([path, content]) => ({
      path,
      mode: "100644" as const,
      type: "blob" as const,
      content,
    })),
  });
  const commit = await octokit.rest.git.createCommit({
    ...o,
    message,
    tree: tree.data.sha,
    parents: [parent],
  });
  return commit.data.sha;
}

/** The events of one name (and action) seen so far. */
export function eventsOf(f: QueueFixture, name: string, action?: string): SimEventEnvelope["payload"][] {
  return f.events
    .map((e) => e.payload)
    .filter((p) => p.name === name && (action === undefined || ("action" in p && p.action === action)));
}
