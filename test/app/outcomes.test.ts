import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Octokit } from "@octokit/rest";
import { parseJob } from "../../src/core/job.ts";
import { parseSwarmTrailers } from "../../src/core/trailers.ts";
import { Reconciler } from "../../src/app/reconcile.ts";
import type { Ledger } from "../../src/ledger/index.ts";
import type { GitHubSim } from "../../src/sim/github/server.ts";
import type { SwarmAppOnSim } from "../../src/sim/swarm-app.ts";
import { QUEUE_MUTATIONS } from "../../src/sim/github/merge-queue/graphql-fields.ts";
import { FULL, OWNER, REPO, startOutcomeWorld, type OutcomeWorld, type Script } from "./outcome-fixture.ts";

const o = { owner: OWNER, repo: REPO };

/** GitHub requests the app may make for one task on the happy path (docs/operations.md). */
const HAPPY_PATH_REQUESTS = 16;

describe("outcomes end to end on the offline GitHub", () => {
  let world: OutcomeWorld;
  let sim: GitHubSim;
  let ledger: Ledger;
  let swarm: SwarmAppOnSim;
  let alice: Octokit;
  // What a test has GitHub do as the app's enablePullRequestAutoMerge arrives, before answering it.
  let asAutoMergeArrives: ((input: { expectedHeadOid?: unknown }) => Promise<void>) | undefined;

  before(async () => {
    world = await startOutcomeWorld({
      mutation: {
        async enablePullRequestAutoMerge(args, ctx) {
          await asAutoMergeArrives?.(args.input as { expectedHeadOid?: unknown });
          return QUEUE_MUTATIONS.enablePullRequestAutoMerge?.(args, ctx);
        },
      },
    });
    ({ sim, ledger, swarm, alice } = world);
  });

  after(() => world.close());

  const task = (title: string, file: string, script: Script) => world.task(title, file, script);
  const settle = () => world.settle();
  const stored = (issue: number) => ledger.tasks.get({ repo: FULL, issueNumber: issue });
  const commentsOf = async (issue: number) =>
    (await alice.rest.issues.listComments({ ...o, issue_number: issue, per_page: 100 })).data.map(
      (c) => c.body ?? "",
    );
  /** A branch cut from main whose ruleset requires the `test` check and the gate, without a merge queue. */
  const branchRequiringChecks = async (name: string) => {
    const main = await alice.rest.git.getRef({ ...o, ref: "heads/main" });
    await alice.rest.git.createRef({ ...o, ref: `refs/heads/${name}`, sha: main.data.object.sha });
    sim.world.createRuleset(FULL, {
      name,
      enforcement: "active",
      conditions: { ref_name: { include: [`refs/heads/${name}`], exclude: [] } },
      rules: [
        {
          type: "required_status_checks",
          parameters: {
            required_status_checks: [{ context: "test" }, { context: "swarm/gate" }],
            strict_required_status_checks_policy: false,
          },
        },
      ],
    });
  };

  it("takes a task from label to merged through the queue, closes the issue with a summary and records the merge", async () => {
    const issue = await task("Happy", "src/happy.ts", {
      files: () => ({ "src/happy.ts": "export const happy = true;\n" }),
      groupCi: () => "success",
    });
    const t = await stored(issue);
    assert.equal(t?.state, "merged");
    const state = await alice.rest.issues.get({ ...o, issue_number: issue });
    assert.equal(state.data.state, "closed");
    assert.ok(state.data.labels.some((l) => (typeof l === "string" ? l : l.name) === "swarm:done"));
    const summary = (await commentsOf(issue)).find((c) => c.startsWith("**Merged in"));
    assert.ok(summary, "the merged summary comment");
    assert.match(summary, /\| builder-\d+ \| claude-[^|]+ \| 1 \| 1,750 \| \$0\.05 \|/);
    const [attempt] = await ledger.attempts.list({ repo: FULL, issueNumber: issue });
    assert.equal(attempt?.verdict, "merged");
    const enqueued = (await ledger.events.list({ repo: FULL, issueNumber: issue })).filter(
      (e) => e.action === "merge.enqueued",
    );
    assert.equal(enqueued.length, 1, "enqueued once");
    // The request budget docs/operations.md gives for a task, from label to closed.
    assert.ok(
      swarm.deps.requests.forTask(FULL, issue) <= HAPPY_PATH_REQUESTS,
      `the happy path took ${swarm.deps.requests.forTask(FULL, issue)} requests, over its budget of ${HAPPY_PATH_REQUESTS}`,
    );
  });

  it("reads an issue closed by its merged pull request's closing keyword as the merge, whichever webhook comes first", async () => {
    // Hold back the pull request's `closed` webhook so the issue's arrives first.
    world.setFaults((d) => (d.event === "pull_request" && d.action === "closed" ? { delay: 5 } : undefined));
    try {
      const issue = await task("Closed by keyword", "src/keyword.ts", {
        files: () => ({ "src/keyword.ts": "export const keyword = true;\n" }),
        groupCi: () => "success",
      });
      assert.equal((await stored(issue))?.state, "merged");
      const events = (await ledger.events.list({ repo: FULL, issueNumber: issue })).map((e) => e.action);
      assert.ok(events.includes("task.merged"), "the merge is recorded");
      assert.ok(!events.includes("task.cancelled"), "no cancel is recorded");
    } finally {
      world.setFaults(undefined);
    }
  });

  it("closes the issue itself when the merged pull request no longer has a closing keyword for it", async () => {
    // A sensitive path holds the pull request for review; alice edits the keyword out, then approves.
    const issue = await task("No keyword", "src/auth/keyword.ts", {
      files: () => ({ "src/auth/keyword.ts": "export const keyword = false;\n" }),
      groupCi: () => "success",
    });
    assert.equal((await stored(issue))?.state, "in-review");
    const pull = (await stored(issue))?.pullNumber ?? 0;
    await alice.rest.pulls.update({ ...o, pull_number: pull, body: `Does what #${issue} asks.` });
    await alice.rest.issues.createComment({ ...o, issue_number: issue, body: "/swarm approve" });
    await settle();
    assert.equal((await stored(issue))?.state, "merged");
    const state = await alice.rest.issues.get({ ...o, issue_number: issue });
    assert.equal(state.data.state, "closed", "GitHub closes nothing without a keyword");
    assert.equal(state.data.state_reason, "completed");
    assert.ok((await commentsOf(issue)).some((c) => c.startsWith("**Merged in")));
  });

  it("closes the issue itself when the pull request merged into a branch other than the default", async () => {
    const main = await alice.rest.git.getRef({ ...o, ref: "heads/main" });
    await alice.rest.git.createRef({ ...o, ref: "refs/heads/release", sha: main.data.object.sha });
    // A sensitive path holds the pull request for review, and alice merges it by hand.
    const issue = await task("Into release", "src/auth/release.ts", {
      files: () => ({ "src/auth/release.ts": "export const release = true;\n" }),
      groupCi: () => "success",
      base: "release",
    });
    const pull = (await stored(issue))?.pullNumber ?? 0;
    assert.equal((await alice.rest.pulls.get({ ...o, pull_number: pull })).data.base.ref, "release");
    await alice.rest.pulls.merge({ ...o, pull_number: pull });
    await settle();
    assert.equal((await stored(issue))?.state, "merged");
    const state = await alice.rest.issues.get({ ...o, issue_number: issue });
    assert.equal(state.data.state, "closed", "GitHub closes nothing on a merge outside the default branch");
  });

  it("merges directly when GitHub refuses auto-merge on a branch without a queue because the checks are already green", async () => {
    await branchRequiringChecks("stable");
    // Merge commits are not allowed, so the merge is a squash, whose message must keep the trailers.
    const before = sim.world.updateMergeSettings(FULL, {});
    const settings = {
      allow_auto_merge: before.allow_auto_merge,
      allow_merge_commit: before.allow_merge_commit,
    };
    sim.world.updateMergeSettings(FULL, { allow_auto_merge: true, allow_merge_commit: false });
    try {
      const issue = await task("Stable", "src/stable.ts", {
        files: () => ({ "src/stable.ts": "export const stable = true;\n" }),
        groupCi: () => "success",
        base: "stable",
      });
      assert.equal((await stored(issue))?.state, "merged");
      assert.equal((await alice.rest.issues.get({ ...o, issue_number: issue })).data.state, "closed");
      const pull = await alice.rest.pulls.get({ ...o, pull_number: (await stored(issue))?.pullNumber ?? 0 });
      assert.equal(pull.data.merged, true);
      const events = await ledger.events.list({ repo: FULL, issueNumber: issue });
      assert.ok(!events.some((e) => e.action === "merge.auto-merge"), "auto-merge was never turned on");
      const direct = events.filter((e) => e.action === "merge.direct");
      assert.equal(direct.length, 1, "merged directly once");
      assert.equal(direct[0]?.detail.method, "squash");
      const tip = await alice.rest.git.getRef({ ...o, ref: "heads/stable" });
      assert.equal(direct[0]?.detail.mergeSha, tip.data.object.sha);
      assert.equal(pull.data.merge_commit_sha, tip.data.object.sha);
      const commit = await alice.rest.git.getCommit({ ...o, commit_sha: tip.data.object.sha });
      assert.equal(commit.data.parents.length, 1, "squashed");
      const trailers = parseSwarmTrailers(commit.data.message);
      assert.ok(trailers.ok, commit.data.message);
      assert.equal(trailers.trailers["Swarm-Task"], `${FULL}#${issue}`);
      const [attempt] = await ledger.attempts.list({ repo: FULL, issueNumber: issue });
      assert.equal(attempt?.verdict, "merged");
      assert.deepEqual(
        await ledger.merges.get({ repo: FULL, issueNumber: issue, attempt: 1, headSha: pull.data.head.sha }),
        { method: "auto-merge", state: "requested" },
      );
    } finally {
      sim.world.updateMergeSettings(FULL, settings);
    }
  });

  it("turns on auto-merge with the squash a squash-only repository allows while a required check runs, and the merge keeps the trailers", async () => {
    await branchRequiringChecks("maintenance");
    const before = sim.world.updateMergeSettings(FULL, {});
    const settings = {
      allow_auto_merge: before.allow_auto_merge,
      allow_merge_commit: before.allow_merge_commit,
      allow_rebase_merge: before.allow_rebase_merge,
    };
    sim.world.updateMergeSettings(FULL, {
      allow_auto_merge: true,
      allow_merge_commit: false,
      allow_rebase_merge: false,
    });
    // CI starts the head's `test` again just as the app, having seen it green, turns auto-merge on:
    // GitHub has something to wait for, so it takes auto-merge rather than refusing it as clean.
    asAutoMergeArrives = (input) => world.restartHeadCheck(String(input.expectedHeadOid));
    try {
      const issue = await task("Maintenance", "src/maintenance.ts", {
        files: () => ({ "src/maintenance.ts": "export const maintenance = true;\n" }),
        groupCi: () => "success",
        base: "maintenance",
      });
      asAutoMergeArrives = undefined;
      const pullNumber = (await stored(issue))?.pullNumber ?? 0;
      const waiting = await alice.rest.pulls.get({ ...o, pull_number: pullNumber });
      assert.equal(waiting.data.merged, false, "auto-merge waits for the running check");
      assert.equal(waiting.data.auto_merge?.merge_method, "squash");
      const enabled = (await ledger.events.list({ repo: FULL, issueNumber: issue })).filter(
        (e) => e.action === "merge.auto-merge",
      );
      assert.equal(enabled.length, 1, "auto-merge turned on once");
      assert.equal(enabled[0]?.detail.method, "squash");
      await world.finishHeadCheck(issue);
      await settle();
      assert.equal((await stored(issue))?.state, "merged");
      const pull = await alice.rest.pulls.get({ ...o, pull_number: pullNumber });
      assert.equal(pull.data.merged, true);
      const events = await ledger.events.list({ repo: FULL, issueNumber: issue });
      assert.ok(!events.some((e) => e.action === "merge.direct"), "GitHub merged it, not the app");
      const tip = await alice.rest.git.getRef({ ...o, ref: "heads/maintenance" });
      assert.equal(pull.data.merge_commit_sha, tip.data.object.sha);
      const commit = await alice.rest.git.getCommit({ ...o, commit_sha: tip.data.object.sha });
      assert.equal(commit.data.parents.length, 1, "squashed");
      assert.match(
        commit.data.message,
        new RegExp(`^[^\n]+\n\nCloses #${issue}\n`),
        "the body is the pull request's",
      );
      const trailers = parseSwarmTrailers(commit.data.message);
      assert.ok(trailers.ok, commit.data.message);
      assert.equal(trailers.trailers["Swarm-Task"], `${FULL}#${issue}`);
      assert.deepEqual(
        await ledger.merges.get({ repo: FULL, issueNumber: issue, attempt: 1, headSha: pull.data.head.sha }),
        { method: "auto-merge", state: "requested" },
      );
    } finally {
      asAutoMergeArrives = undefined;
      sim.world.updateMergeSettings(FULL, settings);
    }
  });

  it("takes a pull request GitHub refuses to queue for a conflict with its base up the conflict tiers", async () => {
    // The first task waits for its head's CI while the second changes the same file on main.
    const first = await task("Clash one", "src/clash.ts", {
      files: () => ({ "src/clash.ts": "export const clash = 1;\n" }),
      groupCi: () => "success",
      headCi: "running",
    });
    assert.equal((await stored(first))?.state, "in-merge-queue");
    const second = await task("Clash two", "src/clash.ts", {
      files: () => ({ "src/clash.ts": "export const clash = 2;\n" }),
      groupCi: () => "success",
    });
    assert.equal((await stored(second))?.state, "merged");
    await world.finishHeadCheck(first);
    await settle();
    const events = await ledger.events.list({ repo: FULL, issueNumber: first });
    const conflict = events.find((e) => e.action === "conflict.needs-agent");
    assert.ok(conflict, "the conflict went to the agent once the base could not be merged in");
    assert.equal(conflict.attempt, 1);
    assert.match(String(conflict.detail.why), /conflicts with main/);
    assert.ok(
      !events.some((e) => e.action === "merge.enqueued" && e.attempt === 1),
      "the conflicting head was never queued",
    );
    const [, next] = await ledger.attempts.list({ repo: FULL, issueNumber: first });
    assert.equal(next?.mode, "resolve-conflict");
  });

  it("sends an out-of-scope edit back through a red gate, then merges the reworked, in-scope attempt", async () => {
    const issue = await task("Scope", "src/scope.ts", {
      files: (n) =>
        n === 1
          ? { "src/scope.ts": "export const a = 1;\n", "README.md": "# changed\n" }
          : { "README.md": "# gadgets\n", "src/scope.ts": "export const a = 2;\n" },
      groupCi: () => "success",
    });
    const attempts = await ledger.attempts.list({ repo: FULL, issueNumber: issue });
    assert.deepEqual(
      attempts.map((a) => [a.mode, a.verdict]),
      [
        ["implement", "rejected"],
        ["rework", "merged"],
      ],
    );
    assert.equal((await stored(issue))?.state, "merged");
  });

  it("turns a red CI in the merge group into a dequeue and a rework carrying the check's annotation", async () => {
    const issue = await task("Red group", "src/red.ts", {
      files: (n) => ({ "src/red.ts": `export const red = ${n};\n` }),
      groupCi: (n) => (n === 1 ? "failure" : "success"),
    });
    const attempts = await ledger.attempts.list({ repo: FULL, issueNumber: issue });
    assert.equal(attempts[0]?.verdict, "rejected");
    const job = parseJob(
      String(sim.world.repo(FULL)?.workflowRuns.get(attempts[1]?.workflowRunId ?? 0)?.inputs.job),
    );
    assert.equal(job.mode, "rework");
    assert.ok(job.findings.some((f) => f.gate === "check:test" && f.file === "src/index.ts" && f.line === 1));
    assert.equal((await stored(issue))?.state, "merged");
  });

  it("escalates after three failures with a comment listing each attempt and what is needed", async () => {
    const issue = await task("Never", "src/never.ts", {
      files: (n) => ({ "src/never.ts": `export const n = ${n};\n`, "README.md": `# out of scope ${n}\n` }),
      groupCi: () => "success",
    });
    assert.equal((await stored(issue))?.state, "needs-human");
    const escalation = (await commentsOf(issue)).find((c) => c.includes("needs a person"));
    assert.ok(escalation);
    assert.match(escalation, /attempt 3 of 3 failed/);
    for (const n of [1, 2, 3])
      assert.match(escalation, new RegExp(`\\| ${n} \\| builder-\\d+ \\|[^\\n]*\\| rejected \\|`));
    assert.match(escalation, /README\.md/);
    assert.match(escalation, /What is needed/);
    const state = await alice.rest.issues.get({ ...o, issue_number: issue });
    assert.ok(state.data.labels.some((l) => (typeof l === "string" ? l : l.name) === "swarm:needs-human"));
  });

  it("holds a sensitive change for review until a writer's /swarm approve releases it to the queue", async () => {
    const issue = await task("Auth", "src/auth/login.ts", {
      files: () => ({ "src/auth/login.ts": "export const login = () => true;\n" }),
      groupCi: () => "success",
    });
    assert.equal((await stored(issue))?.state, "in-review");
    const pull = (await stored(issue))?.pullNumber ?? 0;
    const requested = await alice.rest.pulls.listRequestedReviewers({ ...o, pull_number: pull });
    assert.deepEqual(
      requested.data.users.map((u) => u.login),
      ["alice"],
    );
    await alice.rest.issues.createComment({ ...o, issue_number: issue, body: "/swarm approve" });
    await settle();
    assert.equal((await stored(issue))?.state, "merged");
    const human = (await ledger.reviews.list(FULL, pull)).filter((r) => r.kind === "human");
    assert.deepEqual(
      human.map((r) => [r.reviewer, r.verdict, r.reason]),
      [["alice", "approved", "/swarm approve"]],
    );
  });

  it("settles a merge claim a crash left before the enqueue: reconcile puts the pull request into the queue", async () => {
    const issue = await task("Crash", "src/crash.ts", {
      files: () => ({ "src/crash.ts": "export const crash = true;\n" }),
      groupCi: () => "success",
      headCi: "running",
    });
    const t = await stored(issue);
    assert.equal(t?.state, "in-merge-queue");
    const pull = sim.world.repo(FULL)?.pulls.get(t.pullNumber ?? 0);
    assert.ok(pull);
    const head = (await alice.rest.pulls.get({ ...o, pull_number: pull.number })).data.head.sha;
    // The app stopped after writing its claim and before the GraphQL call.
    const claim = { repo: FULL, issueNumber: issue, attempt: t.attempts, headSha: head };
    assert.ok(await ledger.merges.claim({ ...claim, method: "queue" }));
    await world.finishHeadCheck(issue);
    await settle();
    assert.equal((await stored(issue))?.state, "in-merge-queue", "the claim holds the enqueue back");
    assert.deepEqual(await ledger.merges.get(claim), { method: "queue", state: "claimed" });

    const reconciler = new Reconciler(swarm.server.probot, swarm.deps);
    const now = swarm.deps.now;
    swarm.deps.now = () => new Date(now().getTime() + 10 * 60_000);
    try {
      await reconciler.reconcileRepository(FULL, await swarm.server.probot.auth(world.installationId));
    } finally {
      swarm.deps.now = now;
    }
    await settle();
    assert.equal((await stored(issue))?.state, "merged");
    assert.deepEqual(await ledger.merges.get(claim), { method: "queue", state: "requested" });
  });

  it("records no OpenAPI or webhook violation", () => {
    sim.assertNoViolations();
  });
});
