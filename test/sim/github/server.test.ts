import { test } from "node:test";
import assert from "node:assert/strict";
import { createSign, generateKeyPairSync } from "node:crypto";
import { startFixture } from "./sim-fixture.ts";

function jwt(appId: number, privateKey: string, iat: number, exp: number): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const data = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iss: appId, iat, exp })}`;
  return `${data}.${createSign("RSA-SHA256").update(data).sign(privateKey, "base64url")}`;
}

test("@octokit/auth-app mints an installation token and Octokit reads the repository and an issue", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  f.sim.world.createIssue("acme/widgets", {
    title: "Add a widget",
    body: "Acceptance: it exists",
    author: "alice",
  });
  const repo = await f.octokit.rest.repos.get({ owner: "acme", repo: "widgets" });
  assert.equal(repo.data.full_name, "acme/widgets");
  assert.equal(repo.data.default_branch, "main");
  assert.equal(repo.data.html_url, `${f.sim.url}/acme/widgets`);
  const issue = await f.octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: 1 });
  assert.equal(issue.data.title, "Add a widget");
  assert.equal(issue.data.user?.login, "alice");
  f.sim.assertNoViolations();
});

test("the REST API is also served under /api/v3, as GitHub Enterprise paths are", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  const res = await f.call("GET", "/api/v3/repos/acme/widgets", token);
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { name: string }).name, "widgets");
  f.sim.assertNoViolations();
});

test("a body field of the wrong type is refused with 422 and recorded as a request violation", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  const res = await f.call("POST", "/repos/acme/widgets/labels", token, { name: 7 });
  assert.equal(res.status, 422);
  const body = (await res.json()) as { message: string; documentation_url: string };
  assert.match(body.message, /name/);
  assert.match(body.documentation_url, /^https:\/\/docs\.github\.com\/rest\/issues\/labels/);
  const [violation] = f.sim.violations();
  assert.equal(violation?.side, "request");
  assert.equal(violation?.operationId, "issues/create-label");
  assert.throws(() => f.sim.assertNoViolations(), /issues\/create-label/);
});

test("a missing required field and an unknown field the schema forbids are both refused", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  const missing = await f.call("POST", "/repos/acme/widgets/issues", token, { body: "no title" });
  assert.equal(missing.status, 422);
  assert.match(((await missing.json()) as { message: string }).message, /"title" wasn't supplied/);
  const unknown = await f.call("POST", "/repos/acme/widgets/issues", token, {
    title: "t",
    issue_field_values: [{ field_id: 1, value: "x", colour: "red" }],
  });
  assert.equal(unknown.status, 422);
  assert.match(((await unknown.json()) as { message: string }).message, /"colour" is not a permitted key/);
  assert.equal(f.sim.violations().length, 2);
  assert.equal(f.sim.world.repo("acme/widgets")?.issues.size, 0);
});

test("malformed JSON gets GitHub's 400 Problems parsing JSON", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  const res = await f.call("POST", "/repos/acme/widgets/issues", token, "{not json");
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { message: string }).message, "Problems parsing JSON");
});

test("a path no operation of api.github.com has is a recorded 404", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  const res = await f.call("GET", "/repos/acme/widgets/no-such-thing", token);
  assert.equal(res.status, 404);
  assert.equal(f.sim.violations()[0]?.side, "request");
});

test("missing and wrong tokens are refused with 401, and a revoked token stops working", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const none = await f.call("GET", "/repos/acme/widgets", undefined);
  assert.equal(none.status, 401);
  assert.equal(((await none.json()) as { message: string }).message, "Requires authentication");
  const wrong = await f.call("GET", "/repos/acme/widgets", "ghs_not_a_token");
  assert.equal(wrong.status, 401);
  assert.equal(((await wrong.json()) as { message: string }).message, "Bad credentials");
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  assert.equal((await f.call("GET", "/repos/acme/widgets", token)).status, 200);
  f.sim.world.revokeToken(token);
  assert.equal((await f.call("GET", "/repos/acme/widgets", token)).status, 401);
});

test("an app JWT signed with another key, or expired, cannot mint installation tokens", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const now = Math.floor(Date.now() / 1000);
  const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const path = `/app/installations/${f.installation.id}/access_tokens`;
  const forged = await f.call("POST", path, jwt(f.app.id, otherKey, now - 30, now + 500));
  assert.equal(forged.status, 401);
  const expired = await f.call("POST", path, jwt(f.app.id, f.app.privateKey, now - 900, now - 300));
  assert.equal(expired.status, 401);
  assert.match(((await expired.json()) as { message: string }).message, /'Expiration time' claim/);
  const good = await f.call("POST", path, jwt(f.app.id, f.app.privateKey, now - 30, now + 500));
  assert.equal(good.status, 201);
  const { token } = (await good.json()) as { token: string };
  assert.equal((await f.call("GET", "/repos/acme/widgets", token)).status, 200);
  // An installation token is not an app credential, and a JWT reaches no repository.
  assert.equal((await f.call("POST", path, token)).status, 401);
  const asApp = await f.call(
    "GET",
    "/repos/acme/widgets",
    jwt(f.app.id, f.app.privateKey, now - 30, now + 500),
  );
  assert.equal(asApp.status, 403);
  f.sim.assertNoViolations();
});

test("an installation sees only its account's repositories", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  await f.sim.world.createRepo({ owner: "other", name: "secret" });
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  assert.equal((await f.call("GET", "/repos/other/secret", token)).status, 404);
});

test("rate limits count per installation, report x-ratelimit-* headers and refuse when exhausted", async (t) => {
  const f = await startFixture(undefined, { rateLimits: { installation: 3 } });
  t.after(() => f.close());
  const first = f.sim.world.mintInstallationToken(f.installation.id).token;
  const second = f.sim.world.mintInstallationToken(f.installation.id).token;
  const remaining: string[] = [];
  for (const token of [first, second, first]) {
    const res = await f.call("GET", "/repos/acme/widgets", token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-ratelimit-limit"), "3");
    assert.equal(res.headers.get("x-ratelimit-resource"), "core");
    remaining.push(res.headers.get("x-ratelimit-remaining") ?? "");
  }
  assert.deepEqual(remaining, ["2", "1", "0"]);
  const refused = await f.call("GET", "/repos/acme/widgets", second);
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get("x-ratelimit-remaining"), "0");
  assert.equal(refused.headers.get("x-ratelimit-used"), "3");
  assert.ok(Number(refused.headers.get("x-ratelimit-reset")) > Date.now() / 1000);
  const body = (await refused.json()) as { message: string };
  assert.equal(body.message, `API rate limit exceeded for installation ID ${f.installation.id}.`);
  // GET /rate_limit itself does not count.
  const status = await f.call("GET", "/rate_limit", first);
  assert.equal(status.status, 200);
  assert.equal(((await status.json()) as { rate: { remaining: number } }).rate.remaining, 0);
  f.sim.assertNoViolations();
});

test("a workflow's GITHUB_TOKEN shares its repository's 1,000 an hour, apart from the installation", async (t) => {
  const f = await startFixture(undefined, { rateLimits: { githubToken: 2 } });
  t.after(() => f.close());
  const a = f.sim.world.mintWorkflowToken("acme/widgets", 1);
  const b = f.sim.world.mintWorkflowToken("acme/widgets", 2);
  assert.equal((await f.call("GET", "/repos/acme/widgets", a)).status, 200);
  assert.equal((await f.call("GET", "/repos/acme/widgets", b)).status, 200);
  const refused = await f.call("GET", "/repos/acme/widgets", a);
  assert.equal(refused.status, 403);
  assert.match(((await refused.json()) as { message: string }).message, /repository acme\/widgets/);
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  assert.equal((await f.call("GET", "/repos/acme/widgets", token)).status, 200);
});

test("If-None-Match with the ETag answers 304 without spending the rate limit", async (t) => {
  const f = await startFixture();
  t.after(() => f.close());
  const { token } = f.sim.world.mintInstallationToken(f.installation.id);
  const first = await f.call("GET", "/repos/acme/widgets", token);
  const etag = first.headers.get("etag") ?? "";
  assert.match(etag, /^W\/".+"$/);
  const remaining = first.headers.get("x-ratelimit-remaining");
  const again = await f.call("GET", "/repos/acme/widgets", token, undefined, { "if-none-match": etag });
  assert.equal(again.status, 304);
  assert.equal(again.headers.get("x-ratelimit-remaining"), remaining);
  const counts = f.sim.requests();
  assert.equal(counts.total, 2);
  assert.equal(counts.notModified, 1);
});
