import type { Logger } from "probot";
import type { AllowedMergeMethods } from "../core/merge-readiness.ts";
import type { Ledger } from "../ledger/index.ts";
import {
  GitHubGateway,
  type GatewayOctokit,
  type IssueInfo,
  type PullInfo,
  type RequestCounter,
} from "../github/gateway.ts";
import type { ConfigCache } from "./config-cache.ts";
import { loadConfig, type LoadedConfig } from "./load-config.ts";
import type { PermissionCache } from "./permission-cache.ts";
import type { SerialTurns } from "./serial-turns.ts";
import { TaskPublication } from "./task-publication.ts";

/** What the app holds for its whole life, shared by every event. */
export interface AppDeps {
  ledger: Ledger;
  permissions: PermissionCache;
  /** Each repository's config as last read, used while fresh, then revalidated by ETag. */
  configs: ConfigCache;
  requests: RequestCounter;
  /** Each repository's turn to offer its free slots, so concurrent webhooks do not race for them. */
  slotTurns: SerialTurns;
  /** The clock; tests pass their own. */
  now: () => Date;
}

/** What one event's handler works with: the repository, its gateway, the ledger and a logger. */
export interface RepoScope {
  deps: AppDeps;
  /** The repository's full name, `owner/name`, as the ledger keys it. */
  repo: string;
  /** The repository's web address, for links in comments. */
  htmlUrl: string;
  gateway: GitHubGateway;
  log: Logger;
  /** The default branch (from the event when it says, else asked once). */
  defaultBranch(): Promise<string>;
  /** The repository's `.github/swarm.yml`, read once per event (revalidated against the cache). */
  config(): Promise<LoadedConfig>;
  /** The merge methods the repository allows, read once per event when asked (charged to `task`). */
  mergeMethods(task: number | null): Promise<AllowedMergeMethods>;
  /** The labels and status comments the event owes its tasks, written once it is done. */
  publication: TaskPublication;
  /** An issue as the event's payload carried it, else read from GitHub once per event. */
  issue(issueNumber: number): Promise<IssueInfo>;
  /** The issue if the event already knows it (its payload, or a read this event made). */
  knownIssue(issueNumber: number): Promise<IssueInfo> | undefined;
  /** Takes an issue as the event's payload carries it, so the event does not read it again. */
  knowIssue(issue: IssueInfo): void;
  /** A pull request as the event knows it (its payload, or a list or read it made), else read once (charged to `task`). */
  pull(task: number | null, pullNumber: number): Promise<PullInfo>;
  /** The pull request if the event already knows it. */
  knownPull(pullNumber: number): Promise<PullInfo> | undefined;
  /** Takes a pull request as the event's payload or a list carried it, so the event does not read it again. */
  knowPull(pull: PullInfo): void;
}

/** A repository as webhook payloads and the REST API describe it. */
export interface RepositoryRef {
  owner: { login: string };
  name: string;
  html_url: string;
  default_branch?: string;
}

/** The scope for one repository, with a gateway over an installation's Octokit. */
export function repoScope(
  deps: AppDeps,
  octokit: GatewayOctokit,
  repository: RepositoryRef,
  log: Logger,
): RepoScope {
  const ref = { owner: repository.owner.login, repo: repository.name };
  const gateway = new GitHubGateway(octokit, ref, deps.requests);
  const issues = new Map<number, Promise<IssueInfo>>();
  const pulls = new Map<number, Promise<PullInfo>>();
  let branch: Promise<string> | undefined =
    repository.default_branch === undefined ? undefined : Promise.resolve(repository.default_branch);
  let config: Promise<LoadedConfig> | undefined;
  let mergeMethods: Promise<AllowedMergeMethods> | undefined;
  return {
    deps,
    repo: `${ref.owner}/${ref.repo}`,
    htmlUrl: repository.html_url,
    gateway,
    log,
    defaultBranch: () => (branch ??= gateway.getDefaultBranch()),
    config: () => (config ??= loadConfig(gateway, deps.configs, deps.now)),
    mergeMethods: (task) => {
      if (mergeMethods === undefined) {
        mergeMethods = gateway.mergeMethods(task);
        // A failed read is not kept: the next ask reads again.
        mergeMethods.catch(() => (mergeMethods = undefined));
      }
      return mergeMethods;
    },
    publication: new TaskPublication(),
    issue: (n) => {
      const known = issues.get(n) ?? gateway.getIssue(n);
      issues.set(n, known);
      known.catch(() => issues.delete(n));
      return known;
    },
    knownIssue: (n) => issues.get(n),
    knowIssue: (issue) => void issues.set(issue.number, Promise.resolve(issue)),
    pull: (task, n) => {
      const known = pulls.get(n) ?? gateway.getPull(task, n);
      pulls.set(n, known);
      known.catch(() => pulls.delete(n));
      return known;
    },
    knownPull: (n) => pulls.get(n),
    knowPull: (pull) => void pulls.set(pull.number, Promise.resolve(pull)),
  };
}
