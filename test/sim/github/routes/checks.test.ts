import { test } from "node:test";
import assert from "node:assert/strict";
import { startFixture } from "../sim-fixture.ts";

const o = { owner: "acme", repo: "widgets" };

test("check runs: create, complete only with a conclusion, list for a ref, people may not create them", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const completed: number[] = [];
  f.sim.world.events.on("event", (e) => {
    if (e.payload.name === "check_run" && e.payload.action === "completed")
      completed.push(e.payload.checkRunId);
  });
  const sha = (await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" })).data.object.sha;
  const run = await f.octokit.rest.checks.create({
    ...o,
    name: "swarm/gate",
    head_sha: sha,
    status: "in_progress",
  });
  assert.equal(run.data.app?.slug, "swarm-foreman");
  await assert.rejects(
    f.octokit.rest.checks.update({ ...o, check_run_id: run.data.id, status: "completed" }),
    (e: { status: number; message: string }) => e.status === 422 && /conclusion/.test(e.message),
  );
  // The description itself ties status "completed" to a conclusion: an off-spec request.
  assert.deepEqual(
    f.sim.violations().map((v) => [v.side, v.operationId]),
    [["request", "checks/update"]],
  );
  const done = await f.octokit.rest.checks.update({
    ...o,
    check_run_id: run.data.id,
    conclusion: "failure",
    output: { title: "Scope", summary: "src/x.ts is out of scope" },
  });
  assert.equal(done.data.status, "completed");
  assert.deepEqual(completed, [run.data.id]);
  const listed = await f.octokit.rest.checks.listForRef({ ...o, ref: "main" });
  assert.deepEqual(
    listed.data.check_runs.map((c) => [c.name, c.conclusion]),
    [["swarm/gate", "failure"]],
  );
  await assert.rejects(f.octokit.rest.checks.create({ ...o, name: "x", head_sha: "f".repeat(40) }), {
    status: 422,
  });

  f.sim.world.addCollaborator("acme/widgets", "alice", "admin");
  const { token } = f.sim.world.createUser("alice");
  const refused = await f.call("POST", "/repos/acme/widgets/check-runs", token, { name: "x", head_sha: sha });
  assert.equal(refused.status, 403);
  assert.equal(
    ((await refused.json()) as { message: string }).message,
    "You must authenticate via a GitHub App.",
  );
  assert.equal(f.sim.violations().length, 1);
});
