import { test } from "node:test";
import assert from "node:assert/strict";
import { renderWebhook } from "../../../../src/sim/github/webhooks/render-payload.ts";
import { webhookPayloadProblems } from "../../../../src/sim/github/webhooks/payload-validator.ts";
import type { MergeGroupRef } from "../../../../src/sim/github/sim-events.ts";
import { eventsOf, o, startQueueFixture, type QueueFixture } from "./queue-fixture.ts";

function groups(f: QueueFixture, action: string): (MergeGroupRef & { reason?: string })[] {
  return eventsOf(f, "merge_group", action).map((e) =>
    e.name === "merge_group"
      ? { ...e.group, ...(e.reason ? { reason: e.reason } : {}) }
      : ({} as MergeGroupRef),
  );
}

function dequeued(f: QueueFixture): { number: number; reason: string | undefined }[] {
  return eventsOf(f, "pull_request", "dequeued").map((e) =>
    e.name === "pull_request" ? { number: e.number, reason: e.reason } : { number: 0, reason: undefined },
  );
}

async function fileAt(f: QueueFixture, sha: string, path: string): Promise<string | undefined> {
  const entry = await f.repo.git.entryAt(sha, path);
  return entry ? (await f.repo.git.readBlob(entry.sha))?.toString() : undefined;
}

test("a queued pull request whose group passes its required check lands on the base, merged and closed", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  const pull = await f.openPull("feature-a", { "a.txt": "a\n" });
  await f.report(pull.headSha, "ci", "success");
  const base = await f.mainSha();

  const answer = await f.enqueue(pull);
  assert.equal(answer.errors, undefined);
  const entry = (answer.data?.enqueuePullRequest as { mergeQueueEntry: Record<string, unknown> })
    .mergeQueueEntry;
  assert.match(String(entry.id), /^[A-Za-z0-9+/=]+$/);
  assert.deepEqual(
    { ...entry, id: undefined },
    {
      id: undefined,
      position: 1,
      state: "AWAITING_CHECKS",
      pullRequest: { number: pull.number },
    },
  );
  await f.sim.world.mergeQueues.idle();
  const [group] = groups(f, "checks_requested");
  assert.ok(group);
  assert.equal(group.headRef, `refs/heads/gh-readonly-queue/main/pr-${pull.number}-${base}`);
  assert.equal(group.baseSha, base);
  assert.equal(await f.repo.git.resolve(group.headRef), group.headSha);
  assert.equal(await fileAt(f, group.headSha, "a.txt"), "a\n");
  assert.equal(await f.mainSha(), base, "nothing lands before the group's checks pass");

  await f.report(group.headSha, "ci", "success");
  await f.sim.world.mergeQueues.idle();
  assert.equal(await f.mainSha(), group.headSha);
  const merged = await f.octokit.rest.pulls.get({ ...o, pull_number: pull.number });
  assert.equal(merged.data.merged, true);
  assert.equal(merged.data.state, "closed");
  assert.equal(merged.data.merge_commit_sha, group.headSha);
  assert.equal(
    (
      await f.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
        ...o,
        pull_number: pull.number,
      })
    ).status,
    204,
  );
  assert.deepEqual(
    groups(f, "destroyed").map((g) => g.reason),
    ["merged"],
  );
  assert.equal(await f.repo.git.resolve(group.headRef), undefined, "the group's branch is gone");
  assert.equal(eventsOf(f, "pull_request", "closed").length, 1);
  assert.deepEqual(dequeued(f), []);
  assert.deepEqual(f.sim.world.mergeQueues.failures, []);
  f.sim.assertNoViolations();
});

test("a failing required check on the group takes the entry out (CI_FAILURE) and the base stays", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  const pull = await f.openPull("feature-a", { "a.txt": "a\n" });
  await f.report(pull.headSha, "ci", "success");
  const base = await f.mainSha();
  await f.enqueue(pull);
  await f.sim.world.mergeQueues.idle();
  const [group] = groups(f, "checks_requested");
  assert.ok(group);
  await f.report(group.headSha, "ci", "failure");
  await f.sim.world.mergeQueues.idle();
  assert.deepEqual(dequeued(f), [{ number: pull.number, reason: "CI_FAILURE" }]);
  assert.deepEqual(
    groups(f, "destroyed").map((g) => g.reason),
    ["dequeued"],
  );
  assert.equal(await f.mainSha(), base);
  const state = await f.graphql(
    `query { repository(owner: "acme", name: "widgets") { pullRequest(number: ${pull.number}) { isInMergeQueue mergeQueueEntry { id } state } } }`,
  );
  assert.deepEqual(state.data, {
    repository: { pullRequest: { isInMergeQueue: false, mergeQueueEntry: null, state: "OPEN" } },
  });
  f.sim.assertNoViolations();
});

test("entries ahead are tested together, and a failure ahead rebuilds the groups behind without it", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  const first = await f.openPull("feature-a", { "a.txt": "a\n" });
  const second = await f.openPull("feature-b", { "b.txt": "b\n" });
  for (const p of [first, second]) await f.report(p.headSha, "ci", "success");
  const base = await f.mainSha();
  await f.enqueue(first);
  await f.enqueue(second);
  await f.sim.world.mergeQueues.idle();
  const [g1, g2] = groups(f, "checks_requested");
  assert.ok(g1 && g2);
  assert.equal(g2.baseSha, g1.headSha, "the second group sits on the first");
  assert.equal(g2.headRef, `refs/heads/gh-readonly-queue/main/pr-${second.number}-${g1.headSha}`);
  assert.equal(await fileAt(f, g2.headSha, "a.txt"), "a\n");
  assert.equal(await fileAt(f, g2.headSha, "b.txt"), "b\n");

  const queue = await f.graphql(
    `query { repository(owner: "acme", name: "widgets") { mergeQueue(branch: "main") { entries(first: 10) { totalCount nodes { position state headCommit { oid } pullRequest { number } } } } } }`,
  );
  assert.deepEqual(queue.data, {
    repository: {
      mergeQueue: {
        entries: {
          totalCount: 2,
          nodes: [
            {
              position: 1,
              state: "AWAITING_CHECKS",
              headCommit: { oid: g1.headSha },
              pullRequest: { number: first.number },
            },
            {
              position: 2,
              state: "AWAITING_CHECKS",
              headCommit: { oid: g2.headSha },
              pullRequest: { number: second.number },
            },
          ],
        },
      },
    },
  });

  await f.report(g1.headSha, "ci", "failure");
  await f.sim.world.mergeQueues.idle();
  assert.deepEqual(dequeued(f), [{ number: first.number, reason: "CI_FAILURE" }]);
  assert.deepEqual(
    groups(f, "destroyed")
      .map((g) => [g.headSha, g.reason])
      .sort(),
    [
      [g1.headSha, "dequeued"],
      [g2.headSha, "invalidated"],
    ].sort(),
  );
  const rebuilt = groups(f, "checks_requested")[2];
  assert.ok(rebuilt);
  assert.equal(rebuilt.baseSha, base);
  assert.equal(await fileAt(f, rebuilt.headSha, "a.txt"), undefined, "the failed entry is left out");
  await f.report(rebuilt.headSha, "ci", "success");
  await f.sim.world.mergeQueues.idle();
  assert.equal(await f.mainSha(), rebuilt.headSha);
  f.sim.assertNoViolations();
});

test("a pull request that conflicts with an entry ahead is taken out with MERGE_CONFLICT", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  const first = await f.openPull("feature-a", { "README.md": "# one\n" });
  const second = await f.openPull("feature-b", { "README.md": "# two\n" });
  for (const p of [first, second]) await f.report(p.headSha, "ci", "success");
  await f.enqueue(first);
  await f.enqueue(second);
  await f.sim.world.mergeQueues.idle();
  assert.deepEqual(dequeued(f), [{ number: second.number, reason: "MERGE_CONFLICT" }]);
  assert.equal(groups(f, "checks_requested").length, 1);
  f.sim.assertNoViolations();
});

test("enqueue refuses as GitHub does: a moved head, a pending required check, a branch without a queue; a second enqueue returns the entry", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  const pull = await f.openPull("feature-a", { "a.txt": "a\n" });
  const pending = await f.enqueue(pull);
  assert.equal(pending.errors?.[0]?.type, "UNPROCESSABLE");
  assert.match(pending.errors?.[0]?.message ?? "", /Required status check "ci" is expected/);
  assert.deepEqual(pending.errors?.[0]?.path, ["enqueuePullRequest"]);

  await f.report(pull.headSha, "ci", "success");
  const moved = await f.enqueue(pull, "0".repeat(40));
  assert.match(moved.errors?.[0]?.message ?? "", /Head branch was modified/);

  const once = await f.enqueue(pull);
  const twice = await f.enqueue(pull);
  assert.equal(once.errors, undefined);
  assert.deepEqual(twice.data, once.data, "enqueue is idempotent");
  await f.sim.world.mergeQueues.idle();
  assert.equal(eventsOf(f, "pull_request", "enqueued").length, 1);
  assert.equal(groups(f, "checks_requested").length, 1);

  const dequeue = await f.graphql(
    `mutation($id: ID!) { dequeuePullRequest(input: { id: $id }) { mergeQueueEntry { pullRequest { number } } } }`,
    { id: pull.nodeId },
  );
  assert.equal(dequeue.errors, undefined);
  assert.deepEqual(dequeued(f), [{ number: pull.number, reason: "MANUAL" }]);

  for (const ruleset of f.repo.rulesets.values()) ruleset.enforcement = "disabled";
  const unqueued = await f.enqueue(pull);
  assert.match(unqueued.errors?.[0]?.message ?? "", /Merge queue is not enabled for this branch/);
  f.sim.assertNoViolations();
});

test("a pull request that conflicts with its base is refused in dirty status, by the queue and by auto-merge", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  const first = await f.openPull("feature-a", { "README.md": "# one\n" });
  const second = await f.openPull("feature-b", { "README.md": "# two\n" });
  for (const p of [first, second]) await f.report(p.headSha, "ci", "success");
  await f.enqueue(first);
  await f.sim.world.mergeQueues.idle();
  const [group] = groups(f, "checks_requested");
  assert.ok(group);
  await f.report(group.headSha, "ci", "success");
  await f.sim.world.mergeQueues.idle();
  assert.equal(await f.mainSha(), group.headSha, "the first landed");

  const refused = await f.enqueue(second);
  assert.equal(refused.errors?.[0]?.type, "UNPROCESSABLE");
  assert.equal(refused.errors?.[0]?.message, "Pull request is in dirty status");
  f.sim.world.updateMergeSettings("acme/widgets", { allow_auto_merge: true });
  const auto = await f.graphql(
    `mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { clientMutationId } }`,
    { id: second.nodeId },
  );
  assert.equal(auto.errors?.[0]?.message, "Pull request is in dirty status");
  assert.equal(eventsOf(f, "pull_request", "enqueued").length, 1, "only the first was queued");
  f.sim.assertNoViolations();
});

test("a group whose required check never reports is taken out when the check-response timeout passes", async (t) => {
  const f = await startQueueFixture({ check_response_timeout_minutes: 10 });
  t.after(() => f.close());
  const pull = await f.openPull("feature-a", { "a.txt": "a\n" });
  await f.report(pull.headSha, "ci", "success");
  await f.enqueue(pull);
  await f.sim.world.mergeQueues.idle();
  f.clock.advanceMinutes(9);
  await f.sim.world.mergeQueues.recheck();
  assert.deepEqual(dequeued(f), []);
  f.clock.advanceMinutes(1);
  await f.sim.world.mergeQueues.recheck();
  assert.deepEqual(dequeued(f), [{ number: pull.number, reason: "CI_TIMEOUT" }]);
  f.sim.assertNoViolations();
});

test("the queue's webhooks render from the published examples and pass the webhook schemas", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  const pull = await f.openPull("feature-a", { "a.txt": "a\n" });
  await f.report(pull.headSha, "ci", "success");
  await f.enqueue(pull);
  await f.sim.world.mergeQueues.idle();
  const [group] = groups(f, "checks_requested");
  assert.ok(group);
  await f.report(group.headSha, "ci", "failure");
  await f.sim.world.mergeQueues.idle();
  const wanted = f.events.filter(
    (e) =>
      e.name === "merge_group" ||
      (e.payload.name === "pull_request" && ["enqueued", "dequeued"].includes(e.payload.action)),
  );
  assert.deepEqual(
    wanted.map((e) => `${e.name}.${"action" in e.payload ? e.payload.action : ""}`),
    [
      "pull_request.enqueued",
      "merge_group.checks_requested",
      "merge_group.destroyed",
      "pull_request.dequeued",
    ],
  );
  for (const envelope of wanted) {
    const hook = await renderWebhook(
      f.sim.world,
      { api: f.sim.url, html: f.sim.url },
      envelope,
      f.installation,
    );
    assert.ok(hook);
    assert.deepEqual(
      webhookPayloadProblems(hook.event, hook.action, hook.payload),
      [],
      `${hook.event}.${hook.action ?? ""}`,
    );
  }
  const destroyedEvent = wanted[2];
  assert.ok(destroyedEvent);
  const destroyed = await renderWebhook(
    f.sim.world,
    { api: f.sim.url, html: f.sim.url },
    destroyedEvent,
    f.installation,
  );
  assert.equal(destroyed?.payload.reason, "dequeued");
  assert.equal((destroyed?.payload.merge_group as { head_sha: string }).head_sha, group.headSha);
});

test("the queue's GraphQL documents are checked against GitHub's schema, and a field the sim does not serve is an error", async (t) => {
  const f = await startQueueFixture();
  t.after(() => f.close());
  const pull = await f.openPull("feature-a", { "a.txt": "a\n" });
  const invalid = await f.graphql(
    `mutation($id: ID!) { enqueuePullRequest(input: { pullRequestId: $id, mergeMethod: SQUASH }) { clientMutationId } }`,
    { id: pull.nodeId },
  );
  assert.match(invalid.errors?.[0]?.message ?? "", /mergeMethod/);
  assert.equal(invalid.data, undefined, "an invalid document is not run");
  assert.equal(eventsOf(f, "pull_request", "enqueued").length, 0);
  const unserved = await f.graphql(
    `query { repository(owner: "acme", name: "widgets") { pullRequest(number: ${pull.number}) { number reviewDecision } } }`,
  );
  assert.match(unserved.errors?.[0]?.message ?? "", /does not serve PullRequest\.reviewDecision/);
  assert.deepEqual(
    f.sim.violations().map((v) => v.side),
    ["request", "unimplemented"],
  );
});
