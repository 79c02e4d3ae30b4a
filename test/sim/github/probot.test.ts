import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { Probot, ProbotOctokit } from "probot";
import { startFixture } from "./sim-fixture.ts";

type LabeledPayload = {
  action: string;
  issue: { number: number };
  repository: { name: string; owner: { login: string } };
};

test("an unmodified Probot app handles a real issues.labeled payload and comments through the sim", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const examples = createRequire(import.meta.url)("@octokit/webhooks-examples/api.github.com/index.json") as {
    name: string;
    examples: LabeledPayload[];
  }[];
  const labeled = examples.find((e) => e.name === "issues")?.examples.find((e) => e.action === "labeled");
  assert.ok(labeled);
  // The example names its own repository; set up that world, and the installation it lacks.
  const owner = labeled.repository.owner.login;
  const installation = f.sim.world.installApp(f.app.id, owner);
  await f.sim.world.createRepo({ owner, name: labeled.repository.name });
  f.sim.world.createIssue(`${owner}/${labeled.repository.name}`, { title: "Spelling", author: owner });
  const probot = new Probot({
    appId: f.app.id,
    privateKey: f.app.privateKey,
    baseUrl: f.sim.url,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
  await probot.load((app) => {
    app.on("issues.labeled", async (context) => {
      await context.octokit.rest.issues.createComment(context.issue({ body: "Queued." }));
    });
  });
  await probot.receive({
    id: "delivery-1",
    name: "issues",
    payload: { ...labeled, installation: { id: installation.id, node_id: "x" } } as never,
  });
  const repo = f.sim.world.repo(`${owner}/${labeled.repository.name}`);
  const comments = [...(repo?.comments.values() ?? [])];
  assert.deepEqual(
    comments.map((c) => [c.issueNumber, c.body, c.user.login, c.causedBy.kind]),
    [[labeled.issue.number, "Queued.", "swarm-foreman[bot]", "installation"]],
  );
  f.sim.assertNoViolations();
});
