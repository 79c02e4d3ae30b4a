import { test } from "node:test";
import assert from "node:assert/strict";
import { Octokit } from "@octokit/rest";
import { startFixture } from "../sim-fixture.ts";

const o = { owner: "acme", repo: "widgets" };
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

test("a ruleset round-trips through the REST API, every answer valid against GitHub's description", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.createUser("admin-ada");
  f.sim.world.addCollaborator("acme/widgets", "admin-ada", "admin");
  const admin = new Octokit({ baseUrl: f.sim.url, auth: token, log: quiet });

  const created = await admin.rest.repos.createRepoRuleset({
    ...o,
    name: "swarm",
    enforcement: "active",
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [
      {
        type: "merge_queue",
        parameters: {
          check_response_timeout_minutes: 30,
          grouping_strategy: "ALLGREEN",
          max_entries_to_build: 5,
          max_entries_to_merge: 5,
          merge_method: "SQUASH",
          min_entries_to_merge: 1,
          min_entries_to_merge_wait_minutes: 5,
        },
      },
      {
        type: "required_status_checks",
        parameters: {
          required_status_checks: [{ context: "ci" }, { context: "swarm/gate" }],
          strict_required_status_checks_policy: false,
        },
      },
      { type: "non_fast_forward" },
      { type: "deletion" },
    ],
  });
  assert.equal(created.status, 201);
  const id = created.data.id;
  const got = await admin.rest.repos.getRepoRuleset({ ...o, ruleset_id: id });
  assert.deepEqual(got.data.rules, created.data.rules);
  assert.deepEqual(got.data.conditions, { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } });
  const list = await f.octokit.rest.repos.getRepoRulesets(o);
  assert.deepEqual(
    list.data.map((r) => [r.id, r.name]),
    [[id, "swarm"]],
  );

  const onMain = await f.octokit.rest.repos.getBranchRules({ ...o, branch: "main" });
  assert.deepEqual(
    onMain.data.map((r) => [r.type, r.ruleset_id]),
    [
      ["merge_queue", id],
      ["required_status_checks", id],
      ["non_fast_forward", id],
      ["deletion", id],
    ],
  );
  assert.deepEqual((await f.octokit.rest.repos.getBranchRules({ ...o, branch: "feature/x" })).data, []);

  // Pushing to the branch goes through the queue now, and the branch cannot be deleted.
  const main = await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" });
  await assert.rejects(
    f.octokit.rest.git.deleteRef({ ...o, ref: "heads/main" }),
    (error: { status: number; message: string }) => {
      assert.equal(error.status, 422);
      assert.match(error.message, /Repository rule violations found[\s\S]*Cannot delete this branch/);
      return true;
    },
  );
  await assert.rejects(
    f.octokit.rest.repos.createOrUpdateFileContents({
      ...o,
      path: "direct.txt",
      message: "Direct push",
      content: Buffer.from("x").toString("base64"),
      branch: "main",
    }),
    /Changes must be made through the merge queue/,
  );
  assert.equal(
    (await f.octokit.rest.git.getRef({ ...o, ref: "heads/main" })).data.object.sha,
    main.data.object.sha,
  );

  const updated = await admin.rest.repos.updateRepoRuleset({ ...o, ruleset_id: id, enforcement: "disabled" });
  assert.equal(updated.data.enforcement, "disabled");
  assert.deepEqual(updated.data.rules, created.data.rules, "an update keeps what it does not name");
  assert.deepEqual((await f.octokit.rest.repos.getBranchRules({ ...o, branch: "main" })).data, []);
  await assert.rejects(f.octokit.rest.repos.deleteRepoRuleset({ ...o, ruleset_id: id }), { status: 403 });
  assert.equal((await admin.rest.repos.deleteRepoRuleset({ ...o, ruleset_id: id })).status, 204);
  await assert.rejects(admin.rest.repos.getRepoRuleset({ ...o, ruleset_id: id }), { status: 404 });
  f.sim.assertNoViolations();
});

test("a rule the offline GitHub does not enforce is refused rather than silently kept", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  assert.throws(
    () =>
      f.sim.world.createRuleset("acme/widgets", {
        name: "linear",
        enforcement: "active",
        conditions: { ref_name: { include: ["~ALL"], exclude: [] } },
        rules: [{ type: "required_linear_history" }],
      }),
    /does not enforce|Not implemented by the offline GitHub: the required_linear_history rule/,
  );
});

test("repository merge settings show on repos/get and change through repos/update", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.createUser("admin-ada");
  f.sim.world.addCollaborator("acme/widgets", "admin-ada", "admin");
  const admin = new Octokit({ baseUrl: f.sim.url, auth: token, log: quiet });
  const before = await f.octokit.rest.repos.get(o);
  assert.equal(before.data.squash_merge_commit_message, "COMMIT_MESSAGES");
  assert.equal(before.data.delete_branch_on_merge, false);
  const after = await admin.rest.repos.update({
    ...o,
    squash_merge_commit_title: "PR_TITLE",
    squash_merge_commit_message: "PR_BODY",
    allow_auto_merge: true,
    delete_branch_on_merge: true,
  });
  assert.equal(after.data.squash_merge_commit_message, "PR_BODY");
  assert.equal(after.data.use_squash_pr_title_as_default, true);
  assert.equal((await f.octokit.rest.repos.get(o)).data.allow_auto_merge, true);
  await assert.rejects(f.octokit.rest.repos.update({ ...o, allow_auto_merge: false }), { status: 403 });
  await assert.rejects(admin.rest.repos.update({ ...o, description: "x" }), { status: 501 });
  f.sim.assertNoViolations();
});
