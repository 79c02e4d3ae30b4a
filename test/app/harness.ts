import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Probot } from "probot";
import type { WebhookEventMap, WebhookEventName } from "@octokit/webhooks-types";
import { RequestCounter } from "../../src/github/gateway.ts";
import { openLedger, type Ledger } from "../../src/ledger/index.ts";
import { swarmApp } from "../../src/app/index.ts";
import { AppOctokit } from "../../src/app/server.ts";
import { bareFetch } from "../../src/github/http-fetch.ts";
import { ConfigCache } from "../../src/app/config-cache.ts";
import { SerialTurns } from "../../src/app/serial-turns.ts";
import { PermissionCache } from "../../src/app/permission-cache.ts";
import type { AppDeps } from "../../src/app/scope.ts";
import { startGitHubSim, type GitHubSim } from "../../src/sim/github/server.ts";
import type { SimApp, SimInstallation, SimIssue } from "../../src/sim/github/world.ts";
import { webhookExample } from "./webhook-examples.ts";

export const OWNER = "acme";
export const REPO = "widgets";
export const FULL_NAME = `${OWNER}/${REPO}`;

/** A spec that passes the spec lint: acceptance criteria and a file scope. */
export const GOOD_SPEC = [
  "Add a greeting to the widget.",
  "",
  "## Acceptance criteria",
  "- [ ] `greet()` returns `hello`",
  "",
  "## Files",
  "- `src/greet.ts`",
].join("\n");

/** A time source tests move by hand; the ledger and the app read it. */
export interface ManualClock {
  now(): Date;
  advance(ms: number): void;
}

function manualClock(start = Date.parse("2026-11-22T08:00:00Z")): ManualClock {
  let t = start;
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

/** The app running against the offline GitHub, with helpers to deliver real webhook payloads. */
export interface Harness {
  sim: GitHubSim;
  simApp: SimApp;
  installation: SimInstallation;
  ledger: Ledger;
  clock: ManualClock;
  deps: AppDeps;
  probot: Probot;
  /** Delivers an event to the app the way GitHub does (a delivery id; a fresh one unless given). */
  deliver<N extends WebhookEventName>(name: N, payload: WebhookEventMap[N], id?: string): Promise<string>;
  issue(number: number): SimIssue;
  /** The bodies of an issue's comments, oldest first. */
  comments(number: number): { id: number; body: string; author: string }[];
  /** A real `issues.labeled` payload adapted to this repository, issue, label and sender. */
  labeled(issue: number, label: string, sender: string): WebhookEventMap["issues"];
  unlabeled(issue: number, label: string, sender: string): WebhookEventMap["issues"];
  /** A real `push` payload adapted to this repository: one commit on `branch` touching `paths`. */
  pushed(
    branch: string,
    paths: { added?: string[]; modified?: string[] },
    sender: string,
  ): WebhookEventMap["push"];
  /** A real `issue_comment.created` payload for a new comment the sender wrote (it is created on the sim too). */
  commented(
    issue: number,
    body: string,
    sender: string,
    type?: "User" | "Bot",
  ): WebhookEventMap["issue_comment"];
  close(): Promise<void>;
}

/** Options for a harness: the repository's files, and a ledger URL to share between two harnesses. */
export interface HarnessOptions {
  files?: Record<string, string>;
  ledger?: Ledger;
  sim?: GitHubSim;
  clock?: ManualClock;
}

/** An agent workflow whose runs do nothing: tests and benches move the runs themselves. */
export const AGENT_WORKFLOW = [
  "name: swarm agent",
  "run-name: swarm ${{ fromJSON(inputs.job).sessionId }}",
  "on:",
  "  workflow_dispatch:",
  "    inputs:",
  "      job:",
  "        required: true",
  "jobs:",
  "  agent:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - run: echo working",
  "",
].join("\n");

/** Starts the offline GitHub with an app installed on `acme/widgets`, and the app on Probot pointed at it. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = options.sim ?? (await startGitHubSim());
  const clock = options.clock ?? manualClock();
  const world = sim.world;
  let simApp: SimApp | undefined = [...world.apps.values()][0];
  let installation: SimInstallation | undefined = [...world.installations.values()][0];
  if (simApp === undefined || installation === undefined) {
    simApp = world.createApp({ slug: "swarm-foreman" });
    installation = world.installApp(simApp.id, OWNER);
    const folder = await mkdtemp(join(tmpdir(), "swarm-app-repo-"));
    const files = {
      "README.md": "# widgets\n",
      ".github/workflows/swarm-agent.yml": AGENT_WORKFLOW,
      ...options.files,
    };
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      await writeFile(join(folder, path), content);
    }
    await world.createRepo({ owner: OWNER, name: REPO, fromFolder: folder });
    await rm(folder, { recursive: true, force: true });
    world.addCollaborator(FULL_NAME, "alice", "write");
    world.addCollaborator(FULL_NAME, "rita", "read");
  }
  const installationId = installation.id;
  const ledger = options.ledger ?? (await openLedger({ url: ":memory:", clock: clock.now }));
  const deps: AppDeps = {
    ledger,
    configs: new ConfigCache(),
    slotTurns: new SerialTurns(),
    permissions: new PermissionCache(() => clock.now().getTime()),
    requests: new RequestCounter(),
    now: clock.now,
  };
  const probot = new Probot({
    appId: simApp.id,
    privateKey: simApp.privateKey,
    secret: "a-webhook-secret-for-tests",
    baseUrl: sim.url,
    logLevel: "fatal",
    request: { fetch: bareFetch },
    // Function form: Probot layers its own throttle options over ours, so they are forced off last.
    Octokit: AppOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  });
  await probot.load(swarmApp(deps));

  const repository = () => {
    const r = world.repo(FULL_NAME);
    if (r === undefined) throw new Error("the harness repository is gone");
    return r;
  };
  const issueOf = (number: number): SimIssue => {
    const found = repository().issues.get(number);
    if (found === undefined) throw new Error(`no issue #${number}`);
    return found;
  };
  const user = (login: string, type: "User" | "Bot" | "Organization" = "User") => {
    const u = world.ensureUser(login, type);
    return { login: u.login, id: u.id, node_id: u.nodeId, type: u.type };
  };
  function adapt<T extends { repository?: unknown; sender?: unknown }>(
    payload: T,
    sender: string,
    type?: "User" | "Bot",
  ): T {
    const r = repository();
    const base = payload.repository as Record<string, unknown>;
    Object.assign(payload, {
      repository: {
        ...base,
        id: r.id,
        node_id: r.nodeId,
        name: r.name,
        full_name: r.fullName,
        private: r.private,
        default_branch: r.defaultBranch,
        html_url: `${sim.url}/${r.fullName}`,
        owner: { ...(base.owner as object), ...user(OWNER, "Organization") },
      },
      sender: { ...(payload.sender as object), ...user(sender, type) },
      installation: { id: installationId, node_id: `MDIz${installationId}` },
    });
    return payload;
  }
  const issuePayload = (number: number, base: Record<string, unknown>) => {
    const i = issueOf(number);
    return {
      ...base,
      id: i.id,
      node_id: i.nodeId,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      labels: i.labels.map((name) => ({ ...((base.labels as object[])[0] ?? {}), name })),
      user: { ...(base.user as object), ...user(i.user.login) },
    };
  };

  return {
    sim,
    simApp,
    installation,
    ledger,
    clock,
    deps,
    probot,
    async deliver(name, payload, id = randomUUID()) {
      await probot.receive({ id, name, payload } as Parameters<Probot["receive"]>[0]);
      return id;
    },
    issue: issueOf,
    comments: (number) =>
      [...repository().comments.values()]
        .filter((c) => c.issueNumber === number)
        .map((c) => ({ id: c.id, body: c.body, author: c.user.login })),
    labeled(issue, label, sender) {
      const payload = webhookExample("issues", "labeled");
      const base = payload as unknown as { issue: Record<string, unknown>; label: Record<string, unknown> };
      base.issue = issuePayload(issue, base.issue);
      base.label = { ...base.label, name: label };
      return adapt(payload, sender);
    },
    pushed(branch, paths, sender) {
      const payload = webhookExample("push", null, (p) => p.commits.length > 0);
      const [commit] = payload.commits;
      payload.ref = `refs/heads/${branch}`;
      payload.forced = false;
      payload.commits =
        commit === undefined ? [] : [{ ...commit, added: [], removed: [], modified: [], ...paths }];
      return adapt(payload, sender);
    },
    unlabeled(issue, label, sender) {
      const payload = webhookExample("issues", "unlabeled");
      const base = payload as unknown as { issue: Record<string, unknown>; label: Record<string, unknown> };
      base.issue = issuePayload(issue, base.issue);
      base.label = { ...base.label, name: label };
      return adapt(payload, sender);
    },
    commented(issue, body, sender, type = "User") {
      const payload = webhookExample("issue_comment", "created");
      const base = payload as unknown as { issue: Record<string, unknown>; comment: Record<string, unknown> };
      const r = repository();
      const author = world.ensureUser(sender, type);
      const id = world.nextId();
      const now = clock.now();
      r.comments.set(id, {
        id,
        nodeId: `IC_${id}`,
        issueNumber: issue,
        body,
        user: author,
        createdAt: now,
        updatedAt: now,
        reactions: [],
        causedBy: { kind: "user", login: author.login },
      });
      base.issue = issuePayload(issue, base.issue);
      base.comment = {
        ...base.comment,
        id,
        node_id: `IC_${id}`,
        body,
        user: { ...(base.comment.user as object), ...user(sender, type) },
      };
      return adapt(payload, sender, type);
    },
    async close() {
      if (options.ledger === undefined) await ledger.close();
      if (options.sim === undefined) await sim.close();
    },
  };
}
