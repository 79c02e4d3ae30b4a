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
  const issues = new ReadOnce<number, IssueInfo>();
  const pulls = new ReadOnce<number, PullInfo>();
  const settings = new ReadOnce<"merge-methods", AllowedMergeMethods>();
  let branch: Promise<string> | undefined =
    repository.default_branch === undefined ? undefined : Promise.resolve(repository.default_branch);
  let config: Promise<LoadedConfig> | undefined;
  return {
    deps,
    repo: `${ref.owner}/${ref.repo}`,
    htmlUrl: repository.html_url,
    gateway,
    log,
    defaultBranch: () => (branch ??= gateway.getDefaultBranch()),
    config: () => (config ??= loadConfig(gateway, deps.configs, deps.now)),
    mergeMethods: (task) => settings.get("merge-methods", () => gateway.mergeMethods(task)),
    publication: new TaskPublication(),
    issue: (n) => issues.get(n, () => gateway.getIssue(n)),
    knownIssue: (n) => issues.known(n),
    knowIssue: (issue) => issues.know(issue.number, issue),
    pull: (task, n) => pulls.get(n, () => gateway.getPull(task, n)),
    knownPull: (n) => pulls.known(n),
    knowPull: (pull) => pulls.know(pull.number, pull),
  };
}

/** What one event read (or was told) by key, each read at most once; a failed read is not kept. */
class ReadOnce<K, V> {
  readonly #values = new Map<K, Promise<V>>();

  /** The value of `key`, read with `read` the first time it is asked for. */
  get(key: K, read: () => Promise<V>): Promise<V> {
    let value = this.#values.get(key);
    if (value === undefined) {
      value = read();
      this.#values.set(key, value);
      value.catch(() => this.#values.delete(key));
    }
    return value;
  }

  /** The value of `key` if it was read or told. */
  known(key: K): Promise<V> | undefined {
    return this.#values.get(key);
  }

  /** Takes a value the event already has, so it is not read. */
  know(key: K, value: V): void {
    this.#values.set(key, Promise.resolve(value));
  }
}
