import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Webhooks } from "@octokit/webhooks";
import { WebhookDelivery, type FaultPlan } from "../../../../src/sim/github/webhooks/delivery.ts";
import { startFixture, type SimFixture } from "../sim-fixture.ts";
import { startReceiver, type Received } from "./receiver.ts";

describe("webhook delivery", () => {
  let fx: SimFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let delivery: WebhookDelivery | undefined;

  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => {
    delivery?.stop();
    await delivery?.idle();
    delivery = undefined;
    await receiver.close();
    const violations = fx.sim.violations();
    await fx.close();
    assert.deepEqual(violations, []);
  });

  async function deliverTo(status?: (n: number) => number, faults?: FaultPlan) {
    receiver = await startReceiver(status);
    delivery = new WebhookDelivery(fx.sim, {
      appId: fx.app.id,
      url: receiver.url,
      ...(faults ? { faults } : {}),
    });
    return delivery;
  }

  async function openAndLabelIssue() {
    const { data: issue } = await fx.octokit.issues.create({
      owner: "acme",
      repo: "widgets",
      title: "Add a widget",
    });
    await fx.octokit.issues.addLabels({
      owner: "acme",
      repo: "widgets",
      issue_number: issue.number,
      labels: ["swarm:ready"],
    });
    return issue;
  }

  it("signs each delivery so @octokit/webhooks verifies it with the app's secret", async () => {
    const d = await deliverTo();
    const issue = await openAndLabelIssue();
    await d.idle();
    const webhooks = new Webhooks({ secret: fx.app.webhookSecret });
    const seen: string[] = [];
    webhooks.onAny((e) => {
      seen.push(`${e.name}.${(e.payload as { action?: string }).action ?? ""}`);
    });
    assert.ok(receiver.received.length >= 2);
    for (const r of receiver.received)
      await webhooks.verifyAndReceive({
        id: r.headers["x-github-delivery"] as string,
        name: r.headers["x-github-event"] as "issues",
        signature: r.headers["x-hub-signature-256"] as string,
        payload: r.body,
      });
    assert.deepEqual(seen.slice(0, 2), ["issues.opened", "issues.labeled"]);
    const wrong = new Webhooks({ secret: "not-the-secret" });
    const first = receiver.received[0] as Received;
    assert.equal(await wrong.verify(first.body, first.headers["x-hub-signature-256"] as string), false);
    const labeled = receiver.received[1]?.payload as {
      issue: { number: number };
      label: { name: string };
      installation: { id: number; node_id: string };
      repository: { full_name: string };
    };
    assert.equal(labeled.issue.number, issue.number);
    assert.equal(labeled.label.name, "swarm:ready");
    assert.equal(labeled.installation.id, fx.installation.id);
    assert.equal(typeof labeled.installation.node_id, "string");
    assert.equal(labeled.repository.full_name, "acme/widgets");
  });

  it("renders comments, pull requests, pushes and check runs that pass the webhook schemas", async () => {
    fx.app.events.push("push");
    const d = await deliverTo();
    const issue = await openAndLabelIssue();
    await fx.octokit.issues.createComment({
      owner: "acme",
      repo: "widgets",
      issue_number: issue.number,
      body: "/swarm go",
    });
    const { data: main } = await fx.octokit.git.getRef({ owner: "acme", repo: "widgets", ref: "heads/main" });
    const { data: blob } = await fx.octokit.git.createBlob({
      owner: "acme",
      repo: "widgets",
      content: "x\n",
    });
    const { data: base } = await fx.octokit.git.getCommit({
      owner: "acme",
      repo: "widgets",
      commit_sha: main.object.sha,
    });
    const { data: tree } = await fx.octokit.git.createTree({
      owner: "acme",
      repo: "widgets",
      base_tree: base.tree.sha,
      tree: [{ path: "x.txt", mode: "100644", type: "blob", sha: blob.sha }],
    });
    const { data: commit } = await fx.octokit.git.createCommit({
      owner: "acme",
      repo: "widgets",
      message: "Add x",
      tree: tree.sha,
      parents: [main.object.sha],
    });
    await fx.octokit.git.createRef({
      owner: "acme",
      repo: "widgets",
      ref: "refs/heads/swarm/1-x",
      sha: commit.sha,
    });
    const { data: pull } = await fx.octokit.pulls.create({
      owner: "acme",
      repo: "widgets",
      head: "swarm/1-x",
      base: "main",
      title: "Add x",
    });
    await fx.octokit.checks.create({
      owner: "acme",
      repo: "widgets",
      name: "swarm/gate",
      head_sha: commit.sha,
    });
    await d.idle();
    const names = receiver.received.map(
      (r) => `${r.headers["x-github-event"] as string}.${String(r.payload.action)}`,
    );
    for (const expected of ["issue_comment.created", "pull_request.opened", "check_run.created"])
      assert.ok(names.includes(expected), `${expected} was delivered (got ${names.join(", ")})`);
    const opened = receiver.received.find(
      (r) => r.payload.action === "opened" && "pull_request" in r.payload,
    );
    assert.equal((opened?.payload.pull_request as { number: number }).number, pull.number);
    assert.equal((opened?.payload.pull_request as { head: { sha: string } }).head.sha, commit.sha);
    const pushed = receiver.received.find((r) => r.headers["x-github-event"] === "push")?.payload as
      | { ref: string; commits: { id: string; added: string[]; removed: string[]; modified: string[] }[] }
      | undefined;
    assert.equal(pushed?.ref, "refs/heads/swarm/1-x");
    assert.deepEqual(
      pushed?.commits.map((c) => [c.id, c.added, c.removed, c.modified]),
      [[commit.sha, ["x.txt"], [], []]],
      "the push lists the paths its commit added",
    );
    // Every payload was checked against @octokit/webhooks-schemas; afterEach asserts none broke it.
  });

  it("sends edited issues and comments with what changed, as the webhook schemas require", async () => {
    const d = await deliverTo();
    const issue = await openAndLabelIssue();
    const ref = { owner: "acme", repo: "widgets" };
    const { data: comment } = await fx.octokit.issues.createComment({
      ...ref,
      issue_number: issue.number,
      body: "first words",
    });
    await fx.octokit.issues.updateComment({ ...ref, comment_id: comment.id, body: "second words" });
    await fx.octokit.issues.update({ ...ref, issue_number: issue.number, title: "A better title" });
    await d.idle();
    const edited = (event: string) =>
      receiver.received.find((r) => r.headers["x-github-event"] === event && r.payload.action === "edited")
        ?.payload.changes;
    assert.deepEqual(edited("issue_comment"), { body: { from: "first words" } });
    assert.deepEqual(edited("issues"), { title: { from: "Add a widget" } });
  });

  it("delivers nothing for repositories the app is not installed on", async () => {
    const d = await deliverTo();
    await fx.sim.world.createRepo({ owner: "elsewhere", name: "thing" });
    const { token } = fx.sim.world.createUser("octocat");
    fx.sim.world.addCollaborator("elsewhere/thing", "octocat", "admin");
    const res = await fx.call("POST", "/repos/elsewhere/thing/issues", token, { title: "Hello" });
    assert.equal(res.status, 201);
    await d.idle();
    assert.equal(receiver.received.length, 0);
  });

  it("delivers a duplicate with the same delivery id", async () => {
    const d = await deliverTo(undefined, ({ index }) => (index === 0 ? { duplicate: true } : undefined));
    await fx.octokit.issues.create({ owner: "acme", repo: "widgets", title: "Once" });
    await d.idle();
    assert.equal(receiver.received.length, 2);
    assert.equal(
      receiver.received[0]?.headers["x-github-delivery"],
      receiver.received[1]?.headers["x-github-delivery"],
    );
  });

  it("reorders a held delivery behind the next one", async () => {
    const d = await deliverTo(undefined, ({ index }) => (index === 0 ? { reorder: true } : undefined));
    await openAndLabelIssue();
    await d.idle();
    assert.deepEqual(
      receiver.received.map((r) => r.payload.action),
      ["labeled", "opened"],
    );
  });

  it("sends a held delivery when nothing follows it", async () => {
    const d = await deliverTo(undefined, () => ({ reorder: true }));
    await fx.octokit.issues.create({ owner: "acme", repo: "widgets", title: "Alone" });
    await d.idle();
    assert.deepEqual(
      receiver.received.map((r) => r.payload.action),
      ["opened"],
    );
  });

  it("lets later deliveries overtake a delayed one", async () => {
    const d = await deliverTo(undefined, ({ index }) => (index === 0 ? { delay: 2 } : undefined));
    const issue = await openAndLabelIssue();
    await fx.octokit.issues.update({
      owner: "acme",
      repo: "widgets",
      issue_number: issue.number,
      state: "closed",
    });
    await d.idle();
    assert.deepEqual(
      receiver.received.map((r) => r.payload.action),
      ["labeled", "closed", "opened"],
    );
  });

  it("redelivers a failed delivery with the same delivery id", async () => {
    const d = await deliverTo(undefined, ({ index }) => (index === 0 ? { failAttempts: 1 } : undefined));
    await fx.octokit.issues.create({ owner: "acme", repo: "widgets", title: "Flaky network" });
    await d.idle();
    const [record] = d.deliveries();
    assert.equal(record?.attempts.length, 2);
    assert.match(record?.attempts[0]?.error ?? "", /injected/);
    assert.deepEqual(record?.attempts[1], { status: 200, error: undefined, redelivery: true });
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]?.headers["x-github-delivery"], record?.id);
  });

  it("redelivers when the receiver answers with an error, keeping the delivery id", async () => {
    const d = await deliverTo((n) => (n === 1 ? 500 : 202));
    await fx.octokit.issues.create({ owner: "acme", repo: "widgets", title: "Receiver hiccup" });
    await d.idle();
    assert.deepEqual(
      d.deliveries()[0]?.attempts.map((a) => a.status),
      [500, 202],
    );
    assert.equal(
      receiver.received[0]?.headers["x-github-delivery"],
      receiver.received[1]?.headers["x-github-delivery"],
    );
  });

  it("redelivers on request with the original id", async () => {
    const d = await deliverTo();
    await fx.octokit.issues.create({ owner: "acme", repo: "widgets", title: "Again" });
    await d.idle();
    const id = d.deliveries()[0]?.id as string;
    const attempt = await d.redeliver(id);
    assert.equal(attempt.status, 200);
    assert.equal(receiver.received[1]?.headers["x-github-delivery"], id);
  });
});
