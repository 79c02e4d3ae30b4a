import { test } from "node:test";
import assert from "node:assert/strict";
import { startFixture } from "./sim-fixture.ts";

test("GraphQL answers a valid query and refuses an invalid document with 200 and errors, recorded", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  const post = (path: string, query: string) =>
    fetch(`${f.sim.url}${path}`, {
      method: "POST",
      headers: { authorization: `bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query, variables: { owner: "acme", name: "widgets" } }),
    });
  const ok = await post(
    "/graphql",
    "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) { nameWithOwner defaultBranchRef { name } } }",
  );
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("x-ratelimit-resource"), "graphql");
  const data = (await ok.json()) as {
    data: { repository: { nameWithOwner: string; defaultBranchRef: { name: string } } };
  };
  assert.deepEqual(data.data.repository, {
    nameWithOwner: "acme/widgets",
    defaultBranchRef: { name: "main" },
  });
  f.sim.assertNoViolations();

  const bad = await post("/api/graphql", '{ repository(owner: "acme", name: "widgets") { noSuchField } }');
  assert.equal(bad.status, 200);
  const errors = ((await bad.json()) as { errors: { message: string }[] }).errors;
  assert.match(errors[0]?.message ?? "", /Cannot query field "noSuchField" on type "Repository"/);
  assert.equal(f.sim.violations().length, 1);
});

test("GraphQL without a token is refused with 401", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const res = await fetch(`${f.sim.url}/graphql`, {
    method: "POST",
    body: JSON.stringify({ query: "{ viewer { login } }" }),
  });
  assert.equal(res.status, 401);
});
