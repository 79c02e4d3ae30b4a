import { EventEmitter } from "node:events";
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitRepo } from "./git-repo.ts";
import { MergeQueues } from "./merge-queue/merge-queue.ts";
import { DEFAULT_MERGE_SETTINGS, type MergeSettings } from "./merge-queue/merge-settings.ts";
import { makeRuleset, type RulesetInput, type SimRuleset } from "./merge-queue/rulesets.ts";
import type { Actor, SimEvent, SimEventEnvelope } from "./sim-events.ts";

/** The time source; tests inject a fixed or stepping one. */
export interface SimClock {
  now(): Date;
}

/** A collaborator's role on a repository, as GitHub names them. */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read";

/** A user, organization or bot account. */
export interface SimUser {
  id: number;
  nodeId: string;
  login: string;
  type: "User" | "Organization" | "Bot";
}

/** A GitHub App registered in the simulation. */
export interface SimApp {
  id: number;
  nodeId: string;
  slug: string;
  name: string;
  clientId: string;
  owner: SimUser;
  bot: SimUser;
  privateKey: string;
  publicKey: KeyObject;
  webhookSecret: string;
  permissions: Record<string, string>;
  events: string[];
  createdAt: Date;
}

/** An installation of an app on an account (all of its repositories). */
export interface SimInstallation {
  id: number;
  appId: number;
  account: SimUser;
  createdAt: Date;
}

/** A label defined on a repository. */
export interface SimLabel {
  id: number;
  nodeId: string;
  name: string;
  color: string;
  description: string | null;
}

/** An issue, or the issue half of a pull request. */
export interface SimIssue {
  id: number;
  nodeId: string;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  labels: string[];
  assignees: string[];
  user: SimUser;
  locked: boolean;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  closedBy: SimUser | null;
  reactions: SimReaction[];
}

/** A comment on an issue or pull request conversation. */
export interface SimComment {
  id: number;
  nodeId: string;
  issueNumber: number;
  body: string;
  user: SimUser;
  createdAt: Date;
  updatedAt: Date;
  reactions: SimReaction[];
  causedBy: Actor;
}

/** An emoji reaction. */
export interface SimReaction {
  id: number;
  nodeId: string;
  content: string;
  user: SimUser;
  createdAt: Date;
}

/** A pull request (its conversation lives in the issue with the same number). */
export interface SimPull {
  id: number;
  nodeId: string;
  number: number;
  head: string;
  base: string;
  /** The head sha when the pull request last changed state (kept after the branch is deleted). */
  headSha: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: Date | null;
  mergedBy: SimUser | null;
  mergeCommitSha: string | null;
  maintainerCanModify: boolean;
  /** Logins whose review has been requested and not yet given. */
  requestedReviewers: string[];
}

/** A check run reported by an app on a commit. */
export interface SimCheckRun {
  id: number;
  nodeId: string;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  externalId: string | null;
  detailsUrl: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[] };
  app: SimApp | undefined;
  checkSuiteId: number;
}

/** One step of a workflow job, as the jobs API lists it. */
export interface SimWorkflowStep {
  number: number;
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: "success" | "failure" | "cancelled" | "skipped" | null;
  startedAt: Date | null;
  completedAt: Date | null;
  /** What the step wrote to its GITHUB_OUTPUT file. */
  outputs: Record<string, string>;
}

/** A job of a workflow run: its steps, and the log the runner captured (bounded, secrets masked). */
export interface SimWorkflowJob {
  id: number;
  nodeId: string;
  runId: number;
  name: string;
  status: "queued" | "in_progress" | "completed" | "waiting";
  conclusion: "success" | "failure" | "cancelled" | "skipped" | null;
  createdAt: Date;
  startedAt: Date;
  completedAt: Date | null;
  labels: string[];
  runnerName: string | null;
  steps: SimWorkflowStep[];
  /** What the steps wrote to GITHUB_STEP_SUMMARY. */
  summary: string;
  log: string;
}

/** A repository's plain CI check: a command the offline GitHub runs on each new head of a pull request. */
export interface SimCiCheck {
  /** The check run's name (what branch protection requires), e.g. "CI". */
  name: string;
  /** A bash script run in a checkout of the head; exit code 0 is success. */
  command: string;
}

/** A workflow run: created by a dispatch, driven by the Actions runner. */
export interface SimWorkflowRun {
  id: number;
  nodeId: string;
  runNumber: number;
  runAttempt: number;
  workflowPath: string;
  workflowId: number;
  event: string;
  headBranch: string;
  headSha: string;
  displayTitle: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: string | null;
  inputs: Record<string, unknown>;
  actor: SimUser;
  createdAt: Date;
  updatedAt: Date;
  runStartedAt: Date;
  /** Set by the cancel API; the runner stops the run when it sees it. */
  cancelRequested: boolean;
  /** The token that dispatched the run (its events trigger no workflows if a GITHUB_TOKEN). */
  causedBy: Actor;
  /** The run's jobs, once the Actions runner has taken it up. */
  jobs: SimWorkflowJob[];
}

/** A repository: a bare git repository plus GitHub's metadata about it. */
export interface SimRepo {
  id: number;
  nodeId: string;
  owner: SimUser;
  name: string;
  fullName: string;
  private: boolean;
  defaultBranch: string;
  git: GitRepo;
  createdAt: Date;
  updatedAt: Date;
  pushedAt: Date;
  labels: Map<string, SimLabel>;
  collaborators: Map<string, Permission>;
  issues: Map<number, SimIssue>;
  pulls: Map<number, SimPull>;
  comments: Map<number, SimComment>;
  checkRuns: Map<number, SimCheckRun>;
  workflowRuns: Map<number, SimWorkflowRun>;
  /** Actions secrets and variables (`secrets.X`, `vars.X` in workflows), by name. */
  secrets: Map<string, string>;
  variables: Map<string, string>;
  /** Plain CI checks run on pull request heads and merge groups. */
  ciChecks: SimCiCheck[];
  /** Commits GitHub made and signed itself (API commits without a custom author or committer). */
  verifiedCommits: Set<string>;
  /** Workflow ids by path, assigned the first time a workflow file is seen. */
  workflowIds: Map<string, number>;
  /** Pull request merge settings (merge methods, commit messages, auto-merge, branch deletion). */
  mergeSettings: MergeSettings;
  /** Branch rulesets by id (merge queue, required checks, pull requests, pushes, deletion). */
  rulesets: Map<number, SimRuleset>;
  nextNumber: number;
  nextRunNumber: number;
}

/** A bearer token the server accepts and whose it is. */
export interface SimToken {
  actor: Actor;
  expiresAt: Date | undefined;
}

// GitHub's rules for secret and variable names: letters, digits and underscores, not starting
// with a digit or GITHUB_.
function actionsName(name: string, what: string): string {
  const upper = name.toUpperCase();
  if (!/^[A-Z_][A-Z0-9_]*$/.test(upper) || upper.startsWith("GITHUB_"))
    throw new Error(
      `${what}: "${name}" is not a valid name (letters, digits and _, not starting with a digit or GITHUB_)`,
    );
  return upper;
}

/** A legacy GitHub global node id: base64 of "<len>:<Type><id>" (e.g. MDU6SXNzdWUx = 05:Issue1). */
export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`.replace(/^0(\d\d)/, "$1")).toString("base64");
}

/** The type and id a node id names, or undefined when it is not one of ours. */
export function parseNodeId(id: string): { type: string; id: number } | undefined {
  const m = /^(\d+):([A-Za-z]+?)(\d+)$/.exec(Buffer.from(id, "base64").toString());
  if (!m || Number(m[1]) !== (m[2] as string).length) return undefined;
  return { type: m[2] as string, id: Number(m[3]) };
}

/**
 * The simulated GitHub's state: accounts, apps, installations, tokens and repositories, with a
 * programmatic API for tests and the demo to set up a world and an emitter for events.
 */
export class SimWorld {
  readonly clock: SimClock;
  readonly events = new EventEmitter<{ event: [SimEventEnvelope] }>();
  /** Requests to the Actions runner that are no webhook: a run's cancellation. */
  readonly runControl = new EventEmitter<{ cancel: [repository: string, runId: number] }>();
  readonly users = new Map<string, SimUser>();
  readonly apps = new Map<number, SimApp>();
  readonly installations = new Map<number, SimInstallation>();
  readonly repos = new Map<string, SimRepo>();
  readonly tokens = new Map<string, SimToken>();
  /** The merge queues and auto-merge requests of every repository. */
  readonly mergeQueues: MergeQueues;
  readonly #root: Promise<string>;
  #nextId = 1000;

  constructor(clock: SimClock) {
    this.clock = clock;
    this.#root = mkdtemp(join(tmpdir(), "sim-github-"));
    this.ensureUser("github-actions[bot]", "Bot");
    this.mergeQueues = new MergeQueues(this);
  }

  /** A fresh id (ids are unique across all kinds of objects). */
  nextId(): number {
    return this.#nextId++;
  }

  /** Announces an event to listeners (the webhook delivery part subscribes). */
  emit(event: SimEvent, causedBy: Actor): void {
    this.events.emit("event", { name: event.name, payload: event, causedBy });
  }

  /** The account with this login, created as `type` when missing. */
  ensureUser(login: string, type: SimUser["type"] = "User"): SimUser {
    let user = this.users.get(login.toLowerCase());
    if (!user) {
      const id = this.nextId();
      user = {
        id,
        nodeId: nodeId(type === "Organization" ? "Organization" : type === "Bot" ? "Bot" : "User", id),
        login,
        type,
      };
      this.users.set(login.toLowerCase(), user);
    }
    return user;
  }

  /** Creates a user and a personal access token for them (people who comment or label). */
  createUser(login: string): { user: SimUser; token: string } {
    const user = this.ensureUser(login, "User");
    const token = `ghp_${randomBytes(18).toString("hex")}`;
    this.tokens.set(token, { actor: { kind: "user", login: user.login }, expiresAt: undefined });
    return { user, token };
  }

  /** Registers a GitHub App; generates its RSA key pair unless one is given. */
  createApp(input: {
    slug: string;
    name?: string;
    owner?: string;
    privateKey?: string;
    webhookSecret?: string;
    permissions?: Record<string, string>;
    events?: string[];
  }): SimApp {
    const id = this.nextId();
    const privateKey =
      input.privateKey ??
      generateKeyPairSync("rsa", { modulusLength: 2048 })
        .privateKey.export({ type: "pkcs1", format: "pem" })
        .toString();
    const app: SimApp = {
      id,
      nodeId: nodeId("Integration", id),
      slug: input.slug,
      name: input.name ?? input.slug,
      clientId: `Iv1.${randomBytes(8).toString("hex")}`,
      owner: this.ensureUser(input.owner ?? "swarm-foreman", "Organization"),
      bot: this.ensureUser(`${input.slug}[bot]`, "Bot"),
      privateKey,
      publicKey: createPublicKey(privateKey),
      webhookSecret: input.webhookSecret ?? randomBytes(16).toString("hex"),
      permissions: input.permissions ?? {
        actions: "write",
        checks: "write",
        contents: "write",
        issues: "write",
        metadata: "read",
        pull_requests: "write",
        merge_queues: "write",
      },
      events: input.events ?? [
        "issues",
        "issue_comment",
        "pull_request",
        "check_run",
        "merge_group",
        "workflow_run",
        "workflow_job",
      ],
      createdAt: this.clock.now(),
    };
    this.apps.set(id, app);
    return app;
  }

  /** Installs an app on an account (user or organization), covering all its repositories. */
  installApp(appId: number, account: string): SimInstallation {
    if (!this.apps.has(appId)) throw new Error(`installApp: no app with id ${appId}`);
    const owner = this.users.get(account.toLowerCase()) ?? this.ensureUser(account, "Organization");
    const installation = { id: this.nextId(), appId, account: owner, createdAt: this.clock.now() };
    this.installations.set(installation.id, installation);
    return installation;
  }

  /** The installation of `appId` on the repository's owner, if any. */
  installationFor(appId: number, repo: SimRepo): SimInstallation | undefined {
    for (const installation of this.installations.values())
      if (installation.appId === appId && installation.account.id === repo.owner.id) return installation;
    return undefined;
  }

  /** Mints an installation access token (what POST /app/installations/{id}/access_tokens does). */
  mintInstallationToken(installationId: number): { token: string; expiresAt: Date } {
    const installation = this.installations.get(installationId);
    if (!installation) throw new Error(`mintInstallationToken: no installation ${installationId}`);
    const app = this.apps.get(installation.appId) as SimApp;
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    const expiresAt = new Date(this.clock.now().getTime() + 3600_000);
    this.tokens.set(token, {
      actor: { kind: "installation", appId: app.id, installationId, login: app.bot.login },
      expiresAt,
    });
    return { token, expiresAt };
  }

  /**
   * Mints a workflow run's GITHUB_TOKEN: scoped to one repository, valid while the run lasts
   * (revoke it when the run ends), counted against the repository's 1,000 requests an hour.
   */
  mintWorkflowToken(repository: string, runId: number): string {
    if (!this.repos.has(repository.toLowerCase()))
      throw new Error(`mintWorkflowToken: no repository ${repository}`);
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    const expiresAt = new Date(this.clock.now().getTime() + 24 * 3600_000);
    this.tokens.set(token, {
      actor: { kind: "github_token", repository, runId, login: "github-actions[bot]" },
      expiresAt,
    });
    return token;
  }

  /** Makes a token unusable from now on. */
  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /**
   * Creates a repository whose default branch holds one commit with the folder's files (an
   * empty repository when no folder is given).
   */
  async createRepo(input: {
    owner: string;
    name: string;
    fromFolder?: string;
    defaultBranch?: string;
    private?: boolean;
    message?: string;
  }): Promise<SimRepo> {
    const fullName = `${input.owner}/${input.name}`;
    if (this.repos.has(fullName.toLowerCase())) throw new Error(`createRepo: ${fullName} already exists`);
    if (!/^[A-Za-z0-9_.-]+$/.test(input.name) || !/^[A-Za-z0-9-]+$/.test(input.owner))
      throw new Error(`createRepo: "${fullName}" is not a valid repository name`);
    const owner = this.users.get(input.owner.toLowerCase()) ?? this.ensureUser(input.owner, "Organization");
    const defaultBranch = input.defaultBranch ?? "main";
    const id = this.nextId();
    const git = await GitRepo.init(join(await this.#root, `${id}.git`), defaultBranch);
    const now = this.clock.now();
    const repo: SimRepo = {
      id,
      nodeId: nodeId("Repository", id),
      owner,
      name: input.name,
      fullName,
      private: input.private ?? true,
      defaultBranch,
      git,
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      labels: new Map(),
      collaborators: new Map(),
      issues: new Map(),
      pulls: new Map(),
      comments: new Map(),
      checkRuns: new Map(),
      workflowRuns: new Map(),
      secrets: new Map(),
      variables: new Map(),
      ciChecks: [],
      verifiedCommits: new Set(),
      workflowIds: new Map(),
      mergeSettings: { ...DEFAULT_MERGE_SETTINGS },
      rulesets: new Map(),
      nextNumber: 1,
      nextRunNumber: 1,
    };
    if (input.fromFolder) {
      const tree = await git.writeTreeFromFolder(input.fromFolder);
      const who = {
        name: owner.login,
        email: `${owner.id}+${owner.login}@users.noreply.github.com`,
        date: now,
      };
      const sha = await git.writeCommit({
        tree,
        parents: [],
        message: input.message ?? "Initial commit",
        author: who,
        committer: who,
      });
      await git.createRef(`refs/heads/${defaultBranch}`, sha);
    }
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  /** The repository named "owner/name" (case-insensitive, as on GitHub). */
  repo(fullName: string): SimRepo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  /** Gives a user a role on a repository. */
  addCollaborator(fullName: string, login: string, permission: Permission): void {
    const repo = this.#requireRepo(fullName, "addCollaborator");
    this.ensureUser(login);
    repo.collaborators.set(login.toLowerCase(), permission);
  }

  /** Defines a label on a repository. */
  createLabel(fullName: string, name: string, color = "ededed", description: string | null = null): SimLabel {
    const repo = this.#requireRepo(fullName, "createLabel");
    const id = this.nextId();
    const label = { id, nodeId: nodeId("Label", id), name, color, description };
    repo.labels.set(name.toLowerCase(), label);
    return label;
  }

  /**
   * Adds a ruleset to a repository, as `repos/create-repo-ruleset` does (merge queue parameters
   * left out take GitHub's defaults).
   */
  createRuleset(fullName: string, input: RulesetInput): SimRuleset {
    const repo = this.#requireRepo(fullName, "createRuleset");
    const id = this.nextId();
    const ruleset = makeRuleset(id, nodeId("RepositoryRuleset", id), input, this.clock.now());
    repo.rulesets.set(id, ruleset);
    return ruleset;
  }

  /** Changes a repository's pull request merge settings, as `repos/update` does. */
  updateMergeSettings(fullName: string, change: Partial<MergeSettings>): MergeSettings {
    const repo = this.#requireRepo(fullName, "updateMergeSettings");
    Object.assign(repo.mergeSettings, change);
    return repo.mergeSettings;
  }

  /** Opens an issue as `author` (labels are created when missing, as GitHub does). */
  createIssue(
    fullName: string,
    input: { title: string; body?: string | null; author: string; labels?: string[]; assignees?: string[] },
  ): SimIssue {
    const repo = this.#requireRepo(fullName, "createIssue");
    const id = this.nextId();
    const now = this.clock.now();
    for (const label of input.labels ?? [])
      if (!repo.labels.has(label.toLowerCase())) this.createLabel(fullName, label);
    const issue: SimIssue = {
      id,
      nodeId: nodeId("Issue", id),
      number: repo.nextNumber++,
      title: input.title,
      body: input.body ?? null,
      state: "open",
      stateReason: null,
      labels: (input.labels ?? []).map((l) => (repo.labels.get(l.toLowerCase()) as SimLabel).name),
      assignees: input.assignees ?? [],
      user: this.ensureUser(input.author),
      locked: false,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
      reactions: [],
    };
    repo.issues.set(issue.number, issue);
    return issue;
  }

  /**
   * Moves a workflow run on (the Actions runner calls this) and announces `workflow_run`
   * in_progress or completed.
   */
  updateWorkflowRun(
    fullName: string,
    runId: number,
    change:
      | { status: "in_progress" }
      | { status: "completed"; conclusion: "success" | "failure" | "cancelled" | "timed_out" },
  ): SimWorkflowRun {
    const repo = this.#requireRepo(fullName, "updateWorkflowRun");
    const run = repo.workflowRuns.get(runId);
    if (!run) throw new Error(`updateWorkflowRun: no run ${runId} in ${fullName}`);
    if (run.status === "completed") throw new Error(`updateWorkflowRun: run ${runId} already completed`);
    run.status = change.status;
    run.updatedAt = this.clock.now();
    if (change.status === "in_progress") run.runStartedAt = run.updatedAt;
    else run.conclusion = change.conclusion;
    this.emit(
      {
        name: "workflow_run",
        action: change.status,
        repository: repo.fullName,
        runId,
        state: { status: run.status, conclusion: run.conclusion, updatedAt: run.updatedAt },
      },
      run.causedBy,
    );
    return run;
  }

  /** Sets an Actions secret of a repository (names are upper-cased, as GitHub stores them). */
  setSecret(fullName: string, name: string, value: string): void {
    this.#requireRepo(fullName, "setSecret").secrets.set(actionsName(name, "setSecret"), value);
  }

  /** Sets an Actions configuration variable of a repository (`vars.X`). */
  setVariable(fullName: string, name: string, value: string): void {
    this.#requireRepo(fullName, "setVariable").variables.set(actionsName(name, "setVariable"), value);
  }

  /** Defines a plain CI check on a repository (replacing one of the same name). */
  defineCiCheck(fullName: string, check: SimCiCheck): void {
    const repo = this.#requireRepo(fullName, "defineCiCheck");
    if (check.name.trim() === "") throw new Error(`defineCiCheck: ${fullName}: a check needs a name`);
    repo.ciChecks = [...repo.ciChecks.filter((c) => c.name !== check.name), { ...check }];
  }

  /** The user an actor acts as (a bot for apps and workflows). */
  userOf(actor: Actor): SimUser {
    if (actor.kind === "user") return this.ensureUser(actor.login);
    return this.ensureUser(actor.login, "Bot");
  }

  /** Deletes the repositories' folders; the world is unusable afterwards. */
  async dispose(): Promise<void> {
    this.mergeQueues.dispose();
    await rm(await this.#root, { recursive: true, force: true });
  }

  #requireRepo(fullName: string, what: string): SimRepo {
    const repo = this.repo(fullName);
    if (!repo) throw new Error(`${what}: no repository ${fullName}`);
    return repo;
  }
}
