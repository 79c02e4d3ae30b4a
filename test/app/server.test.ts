import assert from "node:assert/strict";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { ApplicationFunction } from "probot";
import { startAppServer, type AppServer } from "../../src/app/server.ts";
import { webhookExample } from "./webhook-examples.ts";

const secret = "a-webhook-secret-for-tests";
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

// A real `issues.opened` delivery; the app function below only records what reaches it.
const opened = webhookExample("issues", "opened");

function sign(body: string, key: string): string {
  return `sha256=${createHmac("sha256", key).update(body).digest("hex")}`;
}

async function post(server: AppServer, body: string, signature: string, id: string): Promise<Response> {
  return fetch(`${server.url}/api/github/webhooks`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": id,
      "x-hub-signature-256": signature,
    },
    body,
  });
}

describe("app server", () => {
  const received: string[] = [];
  const appFn: ApplicationFunction = (app) => {
    app.on("issues.opened", async (context) => {
      received.push(context.id);
    });
  };
  let server: AppServer;
  before(async () => {
    server = await startAppServer(
      {
        APP_ID: "1",
        privateKey,
        WEBHOOK_SECRET: secret,
        PORT: 0,
        HOST: "127.0.0.1",
        WEBHOOK_PATH: "/api/github/webhooks",
        LOG_LEVEL: "fatal",
      },
      appFn,
    );
  });
  after(() => server.close());

  it("runs the handlers of a delivery signed with the webhook secret", async () => {
    const body = JSON.stringify(opened);
    const response = await post(server, body, sign(body, secret), "delivery-good");
    assert.equal(response.status, 200);
    assert.deepEqual(received, ["delivery-good"]);
  });

  it("refuses a delivery signed with another secret before any handler runs", async () => {
    const body = JSON.stringify(opened);
    const response = await post(server, body, sign(body, "not-the-secret"), "delivery-bad");
    assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
    assert.ok(!received.includes("delivery-bad"));
  });

  it("refuses a delivery whose body was changed after signing", async () => {
    const body = JSON.stringify(opened);
    const tampered = body.replace('"opened"', '"closed"');
    assert.notEqual(tampered, body);
    const response = await post(server, tampered, sign(body, secret), "delivery-tampered");
    assert.ok(response.status >= 400 && response.status < 500, `status ${response.status}`);
    assert.ok(!received.includes("delivery-tampered"));
  });

  it("answers health checks and 404 elsewhere", async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), "ok\n");
    const other = await fetch(`${server.url}/elsewhere`);
    assert.equal(other.status, 404);
    await other.text();
  });
});
