import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PRICING } from "../../../../src/core/config/defaults.ts";
import { parseJob } from "../../../../src/core/job.ts";
import { pullRequestBody, pullRequestTitle } from "../../../../src/core/pull-request-body.ts";
import type { Report } from "../../../../src/core/report.ts";
import { formatCommitMessage, parseSwarmTrailers, trailersOf } from "../../../../src/core/trailers.ts";
import type { MergeMethod } from "../../../../src/sim/github/merge-queue/merge-commits.ts";
import { commitFiles, o, startQueueFixture, type QueueFixture } from "./queue-fixture.ts";

const job = parseJob(
  JSON.stringify({
    version: 1,
    repository: "acme/widgets",
    issue: 1,
    taskId: "acme/widgets#1",
    attempt: 2,
    agent: "builder-03",
    sessionId: "s-1-2",
    mode: "implement",
    model: { id: "claude-haiku-4-5", tier: "fast", price: DEFAULT_PRICING["claude-haiku-4-5"] },
    branch: "swarm/1-builder-03",
    baseBranch: "main",
    scope: ["src/**"],
    protectedPaths: [],
    allowedCommands: ["npm"],
    limits: { tokens: 1000, usd: 1, jobMinutes: 10, heartbeatSeconds: 60 },
    requestedBy: { login: "octocat", id: 583231 },
  }),
);

const report: Report = {
  version: 1,
  outcome: "done",
  reason: "finished",
  taskId: job.taskId,
  attempt: job.attempt,
  agent: job.agent,
  sessionId: job.sessionId,
  model: job.model.id,
  turns: 3,
  usage: { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 },
  costUsd: 0.001,
  tools: {},
  handoffs: 0,
  refusals: 0,
  filesChanged: ["src/a.ts", "src/b.ts"],
  refusedChanges: [],
  commands: [{ argv: "npm test", exitCode: 0 }],
  summary: "Added a and b.",
  headSha: null,
  pullRequest: null,
};

// The agent's pull request as the action writes it: two commits with the trailers, its title and
// body; CI's required check on its head passed, unless `checked` is false (none reported yet).
async function agentPull(f: QueueFixture, checked = true) {
  f.sim.world.createIssue("acme/widgets", { title: "Add a and b", author: "octocat" });
  let sha = await f.mainSha();
  for (const name of ["a", "b"])
    sha = await commitFiles(
      f.octokit,
      sha,
      { [`src/${name}.ts`]: `export const ${name} = 1;\n` },
      formatCommitMessage(`Add ${name} (#1)\n\nWrites src/${name}.ts.`, trailersOf(job), job.requestedBy),
    );
  await f.octokit.rest.git.createRef({ ...o, ref: `refs/heads/${job.branch}`, sha });
  const pr = await f.octokit.rest.pulls.create({
    ...o,
    title: pullRequestTitle(job, "Add a and b"),
    body: pullRequestBody(job, report),
    head: job.branch,
    base: "main",
  });
  if (checked) await f.report(sha, "ci", "success");
  return { number: pr.data.number, nodeId: pr.data.node_id, headSha: sha, branch: job.branch };
}

function assertTrailers(message: string, where: string): void {
  const parsed = parseSwarmTrailers(message);
  assert.ok(parsed.ok, `${where}: ${parsed.ok ? "" : parsed.problems.join("; ")}\n${message}`);
  assert.deepEqual(parsed.trailers, trailersOf(job));
}

for (const method of ["MERGE", "SQUASH", "REBASE"] as MergeMethod[]) {
  test(`the merge queue's ${method} lands the agent's work on the base with its trailers intact`, async (t) => {
    const f = await startQueueFixture({ merge_method: method });
    t.after(() => f.close());
    f.sim.world.updateMergeSettings("acme/widgets", {
      squash_merge_commit_title: "PR_TITLE",
      squash_merge_commit_message: "PR_BODY",
      delete_branch_on_merge: true,
    });
    const base = await f.mainSha();
    const pull = await agentPull(f);
    // A replay in the same second as the original, by the same committer, would be the same commit.
    f.clock.advanceMinutes(1);
    assert.equal((await f.enqueue(pull)).errors, undefined);
    await f.sim.world.mergeQueues.idle();
    assert.deepEqual(f.sim.world.mergeQueues.failures, []);
    const group = f.sim.world.mergeQueues.entries(f.repo, "main")[0]?.group;
    assert.ok(group);
    await f.report(group.headSha, "ci", "success");
    await f.sim.world.mergeQueues.idle();
    const tip = await f.mainSha();
    assert.equal(tip, group.headSha);
    const landed = await f.repo.git.commitsBetween(base, tip);
    const messages = await Promise.all(
      landed.map(async (sha) => (await f.repo.git.readCommit(sha))?.message ?? ""),
    );
    const head = await f.repo.git.readCommit(tip);
    assert.ok(head);
    if (method === "SQUASH") {
      assert.equal(landed.length, 1, "one commit");
      assert.equal(head.parents.length, 1);
      assert.match(head.message, /^Add a and b \(#1\) \(#\d+\)\n\nCloses #1\n/);
      assertTrailers(head.message, "the squash commit");
    } else if (method === "REBASE") {
      assert.equal(landed.length, 2, "each commit replayed");
      assert.deepEqual(
        landed.map((sha) => sha === pull.headSha),
        [false, false],
        "replayed commits are new commits",
      );
      messages.forEach((message, i) => assertTrailers(message, `replayed commit ${i + 1}`));
      assert.equal(head.author.name, "swarm-foreman[bot]", "the author is kept");
      assert.equal(head.committer.name, "GitHub");
    } else {
      assert.equal(head.parents.length, 2, "a merge commit");
      assert.equal(head.parents[1], pull.headSha);
      assert.match(head.message, new RegExp(`^Merge pull request #${pull.number} from acme/${job.branch}\n`));
      const own = messages.filter((_, i) => landed[i] !== tip);
      assert.equal(own.length, 2);
      own.forEach((message, i) => assertTrailers(message, `merged commit ${i + 1}`));
    }
    assert.equal(await f.repo.git.resolve(`refs/heads/${job.branch}`), undefined, "head branch deleted");
    f.sim.assertNoViolations();
  });
}

test("a merge commit carries the trailers itself when the merge message is the pull request body", async (t) => {
  const f = await startQueueFixture({ merge_method: "MERGE" });
  t.after(() => f.close());
  f.sim.world.updateMergeSettings("acme/widgets", {
    merge_commit_title: "PR_TITLE",
    merge_commit_message: "PR_BODY",
  });
  const pull = await agentPull(f);
  await f.enqueue(pull);
  await f.sim.world.mergeQueues.idle();
  const group = f.sim.world.mergeQueues.entries(f.repo, "main")[0]?.group;
  assert.ok(group);
  const merge = await f.repo.git.readCommit(group.headSha);
  assert.ok(merge);
  assert.match(merge.message, new RegExp(`^Add a and b \\(#1\\) \\(#${pull.number}\\)\n\nCloses #1`));
  assertTrailers(merge.message, "the merge commit");
});

test("a direct merge (PUT /pulls/{n}/merge) squashes with the caller's title, and is refused on a queue branch", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  f.sim.world.updateMergeSettings("acme/widgets", {
    squash_merge_commit_title: "PR_TITLE",
    squash_merge_commit_message: "PR_BODY",
  });
  const pull = await agentPull(f);
  await assert.rejects(
    f.octokit.rest.pulls.merge({ ...o, pull_number: pull.number, merge_method: "squash" }),
    (error: { status: number; message: string }) => {
      assert.equal(error.status, 405);
      assert.match(error.message, /Changes must be made through the merge queue/);
      return true;
    },
  );
  for (const ruleset of f.repo.rulesets.values())
    ruleset.rules = ruleset.rules.filter((rule) => rule.type !== "merge_queue");
  await assert.rejects(f.octokit.rest.pulls.merge({ ...o, pull_number: pull.number, sha: "0".repeat(40) }), {
    status: 409,
  });
  const merged = await f.octokit.rest.pulls.merge({
    ...o,
    pull_number: pull.number,
    merge_method: "squash",
    sha: pull.headSha,
    commit_title: "Add a and b, squashed",
  });
  assert.equal(merged.data.merged, true);
  assert.equal(await f.mainSha(), merged.data.sha);
  const commit = await f.repo.git.readCommit(merged.data.sha);
  assert.ok(commit);
  assert.match(commit.message, /^Add a and b, squashed\n\nCloses #1/);
  assertTrailers(commit.message, "the squash commit");
  await assert.rejects(f.octokit.rest.pulls.merge({ ...o, pull_number: pull.number }), { status: 405 });
  f.sim.assertNoViolations();
});

test("auto-merge on a branch without a queue merges once the required checks pass", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  for (const ruleset of f.repo.rulesets.values())
    ruleset.rules = ruleset.rules.filter((rule) => rule.type !== "merge_queue");
  const enable = (id: string) =>
    f.graphql(
      `mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: SQUASH }) { pullRequest { autoMergeRequest { mergeMethod } } } }`,
      { id },
    );
  const pull = await f.openPull("feature-a", { "a.txt": "a\n" });
  const refused = await enable(pull.nodeId);
  assert.match(refused.errors?.[0]?.message ?? "", /Auto merge is not allowed for this repository/);
  f.sim.world.updateMergeSettings("acme/widgets", { allow_auto_merge: true });
  const enabled = await enable(pull.nodeId);
  assert.deepEqual(enabled.data, {
    enablePullRequestAutoMerge: { pullRequest: { autoMergeRequest: { mergeMethod: "SQUASH" } } },
  });
  const base = await f.mainSha();
  await f.report(pull.headSha, "ci", "success");
  await f.sim.world.mergeQueues.idle();
  const tip = await f.mainSha();
  assert.notEqual(tip, base);
  assert.equal((await f.octokit.rest.pulls.get({ ...o, pull_number: pull.number })).data.merged, true);
  assert.equal((await f.repo.git.readCommit(tip))?.parents.length, 1, "squashed");
  f.sim.assertNoViolations();
});

test("auto-merge is refused in GitHub's GraphQL words for a merge method the repository does not allow", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  for (const ruleset of f.repo.rulesets.values())
    ruleset.rules = ruleset.rules.filter((rule) => rule.type !== "merge_queue");
  f.sim.world.updateMergeSettings("acme/widgets", {
    allow_auto_merge: true,
    allow_merge_commit: false,
    allow_rebase_merge: false,
  });
  const pull = await agentPull(f, false);
  const enable = (method: string) =>
    f.graphql(
      `mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id${method} }) { clientMutationId } }`,
      { id: pull.nodeId },
    );
  const refusals = [
    ["", "Merge method merge commits are not allowed on this repository"],
    [", mergeMethod: MERGE", "Merge method merge commits are not allowed on this repository"],
    [", mergeMethod: REBASE", "Merge method rebase merging is not allowed on this repository"],
  ];
  for (const [method, message] of refusals) {
    const refused = await enable(method ?? "");
    assert.equal(refused.errors?.[0]?.type, "UNPROCESSABLE", method);
    assert.equal(refused.errors?.[0]?.message, message, method);
  }
  const simPull = f.repo.pulls.get(pull.number);
  assert.ok(simPull);
  assert.equal(f.sim.world.mergeQueues.autoMergeOf(f.repo, simPull), undefined, "auto-merge stays off");
  f.sim.world.updateMergeSettings("acme/widgets", { allow_squash_merge: false, allow_merge_commit: true });
  const squash = await enable(", mergeMethod: SQUASH");
  assert.equal(squash.errors?.[0]?.message, "Merge method squash merging is not allowed on this repository");
  f.sim.assertNoViolations();
});

test("auto-merge squashes with the caller's headline and body once the required checks pass", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  for (const ruleset of f.repo.rulesets.values())
    ruleset.rules = ruleset.rules.filter((rule) => rule.type !== "merge_queue");
  f.sim.world.updateMergeSettings("acme/widgets", { allow_auto_merge: true, allow_merge_commit: false });
  const pull = await agentPull(f, false);
  const body = (await f.octokit.rest.pulls.get({ ...o, pull_number: pull.number })).data.body ?? "";
  const enabled = await f.graphql(
    `mutation($id: ID!, $head: GitObjectID, $body: String) { enablePullRequestAutoMerge(input: { pullRequestId: $id, expectedHeadOid: $head, mergeMethod: SQUASH, commitHeadline: "Add a and b, at last", commitBody: $body }) { pullRequest { autoMergeRequest { mergeMethod commitHeadline commitBody } } } }`,
    { id: pull.nodeId, head: pull.headSha, body },
  );
  assert.deepEqual(enabled.data, {
    enablePullRequestAutoMerge: {
      pullRequest: {
        autoMergeRequest: { mergeMethod: "SQUASH", commitHeadline: "Add a and b, at last", commitBody: body },
      },
    },
  });
  const base = await f.mainSha();
  assert.equal((await f.octokit.rest.pulls.get({ ...o, pull_number: pull.number })).data.merged, false);
  await f.report(pull.headSha, "ci", "success");
  await f.sim.world.mergeQueues.idle();
  const tip = await f.mainSha();
  assert.notEqual(tip, base);
  const commit = await f.repo.git.readCommit(tip);
  assert.ok(commit);
  assert.deepEqual(commit.parents, [base], "squashed onto the base");
  assert.equal(commit.message, `Add a and b, at last\n\n${body.trim()}`);
  assertTrailers(commit.message, "the squash commit");
  const merged = await f.octokit.rest.pulls.get({ ...o, pull_number: pull.number });
  assert.equal(merged.data.merged, true);
  assert.equal(merged.data.merge_commit_sha, tip);
  f.sim.assertNoViolations();
});

test("auto-merge is refused in GitHub's words for a pull request that can be merged now", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  for (const ruleset of f.repo.rulesets.values())
    ruleset.rules = ruleset.rules.filter((rule) => rule.type !== "merge_queue");
  f.sim.world.updateMergeSettings("acme/widgets", { allow_auto_merge: true });
  const pull = await agentPull(f);
  const refused = await f.graphql(
    `mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }`,
    { id: pull.nodeId },
  );
  assert.equal(refused.errors?.[0]?.type, "UNPROCESSABLE");
  assert.equal(refused.errors?.[0]?.message, "Pull request Pull request is in clean status");
  const simPull = f.repo.pulls.get(pull.number);
  assert.ok(simPull);
  assert.equal(f.sim.world.mergeQueues.autoMergeOf(f.repo, simPull), undefined, "auto-merge stays off");
  assert.equal((await f.octokit.rest.pulls.get({ ...o, pull_number: pull.number })).data.merged, false);
  f.sim.assertNoViolations();
});

test("a direct merge is refused (405) with a merge method the repository does not allow", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  for (const ruleset of f.repo.rulesets.values())
    ruleset.rules = ruleset.rules.filter((rule) => rule.type !== "merge_queue");
  f.sim.world.updateMergeSettings("acme/widgets", { allow_merge_commit: false, allow_rebase_merge: false });
  const pull = await agentPull(f);
  const base = await f.mainSha();
  for (const method of ["merge", "rebase"] as const)
    await assert.rejects(
      f.octokit.rest.pulls.merge({ ...o, pull_number: pull.number, sha: pull.headSha, merge_method: method }),
      (error: { status: number; message: string }) => {
        assert.equal(error.status, 405);
        assert.match(error.message, /(Merge commits|Rebase merges) are not allowed on this repository\./);
        return true;
      },
    );
  assert.equal(await f.mainSha(), base, "nothing merged");
  const merged = await f.octokit.rest.pulls.merge({
    ...o,
    pull_number: pull.number,
    sha: pull.headSha,
    merge_method: "squash",
  });
  assert.equal(merged.data.merged, true);
  assert.equal((await f.repo.git.readCommit(merged.data.sha))?.parents.length, 1, "squashed");
  f.sim.assertNoViolations();
});
