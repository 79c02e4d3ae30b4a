import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, verify } from "node:crypto";
import { appJwtSigner, connectGitHub, type ConnectedClient } from "../../src/agent/github-client.ts";
import { startAttemptFixture, type AttemptFixture } from "./attempt-fixture.ts";

describe("the action's GitHub client on the offline GitHub", () => {
  let fx: AttemptFixture;
  let github: ConnectedClient;
  const waits: number[] = [];
  const warnings: string[] = [];
  before(async () => {
    fx = await startAttemptFixture();
    github = await connectGitHub(
      fx.github.url,
      "acme/widgets",
      { kind: "app", appId: String(fx.app.id), privateKey: fx.app.privateKey },
      { sleep: async (ms) => void waits.push(ms), warn: (line) => warnings.push(line) },
    );
  });
  after(() => fx.close());
  const getIssue = () => github.octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: 1 });

  test("mints an installation token and counts every request it sends, as GitHub counts them", async () => {
    assert.match(github.token, /^ghs_/);
    const before = fx.github.requests().total;
    const sent = github.requests();
    await getIssue();
    assert.equal(github.requests() - sent, 1);
    assert.equal(fx.github.requests().total - before, 1);
  });

  test("server errors are retried with exponential backoff, and each try is counted", async () => {
    waits.length = 0;
    fx.github.injectFault({ kind: "server-error", status: 502 }, { operationId: "issues/get", times: 2 });
    const sent = github.requests();
    const { data } = await getIssue();
    assert.equal(data.number, 1);
    assert.deepEqual(waits, [1000, 2000]);
    assert.equal(github.requests() - sent, 3);
    assert.match(
      warnings.at(-1) ?? "",
      /GitHub answered 502 to GET .*issues\/{issue_number}; retry 2 in 2 s/,
    );
  });

  test("a secondary rate limit is retried after the retry-after GitHub sends", async () => {
    waits.length = 0;
    fx.github.injectFault(
      { kind: "secondary-rate-limit", status: 403, retryAfterSeconds: 5 },
      { operationId: "issues/get" },
    );
    await getIssue();
    assert.deepEqual(waits, [5000]);
  });

  test("a server error that outlasts the retries fails the request, saying so", async () => {
    waits.length = 0;
    fx.github.injectFault({ kind: "server-error", status: 503 }, { operationId: "issues/get", times: 5 });
    await assert.rejects(getIssue(), (error: Error & { status?: number }) => {
      assert.equal(error.status, 503);
      assert.match(error.message, /still failing after 4 retries/);
      return true;
    });
    assert.deepEqual(waits, [1000, 2000, 4000, 8000]);
  });

  test("a refusal is not retried", async () => {
    waits.length = 0;
    await assert.rejects(
      github.octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: 999 }),
      (error: Error & { status?: number }) => error.status === 404 && !/retries/.test(error.message),
    );
    assert.deepEqual(waits, []);
  });
});

describe("the app's JWTs", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const decode = (jwt: string) => {
    const [header = "", payload = "", signature = ""] = jwt.split(".");
    const valid = verify(
      "sha256",
      Buffer.from(`${header}.${payload}`),
      publicKey,
      Buffer.from(signature, "base64url"),
    );
    const json = (part: string) =>
      JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>;
    return { valid, header: json(header), claims: json(payload) };
  };

  test("are RS256, issued 30 s back, valid 10 minutes, and signed with the app's key", async () => {
    const sign = appJwtSigner(pem, () => 1_700_000_000_000);
    const { jwt, expiresAt } = await sign("1005");
    const { valid, header, claims } = decode(jwt);
    assert.ok(valid);
    assert.deepEqual(header, { alg: "RS256", typ: "JWT" });
    assert.deepEqual(claims, { iat: 1_699_999_970, exp: 1_700_000_570, iss: "1005" });
    assert.equal(expiresAt, new Date(1_700_000_570_000).toISOString());
  });

  test("one is reused until a minute before it expires, and a clock correction signs afresh", async () => {
    let now = 1_700_000_000_000;
    const sign = appJwtSigner(pem, () => now);
    const first = (await sign("1005")).jwt;
    now += 8 * 60_000;
    assert.equal((await sign("1005")).jwt, first);
    now += 60_000;
    const second = (await sign("1005")).jwt;
    assert.notEqual(second, first);
    assert.equal(decode(second).claims.iat, Math.floor(now / 1000) - 30);
    const corrected = decode((await sign("1005", -120)).jwt);
    assert.ok(corrected.valid);
    assert.equal(corrected.claims.iat, Math.floor(now / 1000) - 120 - 30);
  });

  test("take a key whose line breaks were kept as \\n", async () => {
    const sign = appJwtSigner(pem.replaceAll("\n", "\\n"));
    assert.ok(decode((await sign(7)).jwt).valid);
  });
});
