import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AppSettingsError, readAppSettings } from "../../src/app/settings.ts";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
const secret = "0123456789abcdef-secret";

describe("readAppSettings", () => {
  it("names every missing variable in one error", () => {
    assert.throws(
      () => readAppSettings({}),
      (error: unknown) => {
        assert.ok(error instanceof AppSettingsError);
        for (const name of ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET"])
          assert.match(error.message, new RegExp(name));
        return true;
      },
    );
  });

  it("accepts the key inline with escaped newlines, as .env files hold it", () => {
    const settings = readAppSettings({
      APP_ID: "42",
      PRIVATE_KEY: privateKey.replace(/\n/g, "\\n"),
      WEBHOOK_SECRET: secret,
    });
    assert.equal(settings.privateKey, privateKey);
    assert.equal(settings.APP_ID, "42");
    assert.equal(settings.PORT, 3000);
    assert.equal(settings.RECONCILE_INTERVAL_SECONDS, 300);
    assert.equal(settings.GITHUB_WRITE_PACING, "on", "writes are paced unless told otherwise");
  });

  it("reads the key from PRIVATE_KEY_PATH", () => {
    const dir = mkdtempSync(join(tmpdir(), "swarm-settings-"));
    try {
      const path = join(dir, "app.pem");
      writeFileSync(path, privateKey);
      const settings = readAppSettings({
        APP_ID: "7",
        PRIVATE_KEY_PATH: path,
        WEBHOOK_SECRET: secret,
        PORT: "8080",
      });
      assert.equal(settings.privateKey, privateKey);
      assert.equal(settings.PORT, 8080);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says which file cannot be read and which values are malformed", () => {
    assert.throws(
      () =>
        readAppSettings({
          APP_ID: "my-app",
          PRIVATE_KEY_PATH: "/nonexistent/app.pem",
          WEBHOOK_SECRET: "short",
          GITHUB_WRITE_PACING: "sometimes",
        }),
      (error: unknown) => {
        assert.ok(error instanceof AppSettingsError);
        assert.match(error.message, /GITHUB_WRITE_PACING must be on or off/);
        assert.match(error.message, /APP_ID must be the numeric App ID/);
        assert.match(error.message, /\/nonexistent\/app\.pem/);
        assert.match(error.message, /WEBHOOK_SECRET is too short/);
        return true;
      },
    );
  });

  it("refuses a private key that is not PEM", () => {
    assert.throws(
      () => readAppSettings({ APP_ID: "1", PRIVATE_KEY: "not a key", WEBHOOK_SECRET: secret }),
      /PRIVATE_KEY is not a PEM private key/,
    );
  });
});
