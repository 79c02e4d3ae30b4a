import { test } from "node:test";
import assert from "node:assert/strict";
import { createRedactor, REDACTED, secretValuesFromEnv } from "../../../src/agent/sandbox/redactor.ts";

// Secret-shaped fixtures are assembled at run time so this file holds no token-looking literal.
const alnum = (n: number) => "aB3".repeat(n).slice(0, n);
const GHP = `ghp_${alnum(36)}`;
const GHS = `ghs_${alnum(36)}`;
const PAT = `github_pat_${alnum(22)}_${alnum(59)}`;
const ANT = `sk-ant-api03-${alnum(80)}-${alnum(6)}AA`;
const KEY = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIIEow" + alnum(60),
  alnum(64),
  "-----END RSA PRIVATE KEY-----",
].join("\n");

test("the job's actual secret values are redacted wherever they appear", () => {
  const secret = "s3cr3t-value-without-a-known-shape";
  const redact = createRedactor([secret]);
  assert.equal(redact(`a ${secret} b ${secret}`), `a ${REDACTED} b ${REDACTED}`);
  assert.equal(
    redact(`url?key=${encodeURIComponent("p@ss w0rd/+=")}`),
    `url?key=${encodeURIComponent("p@ss w0rd/+=")}`,
  );
  const encoded = createRedactor(["p@ss w0rd/+="]);
  assert.equal(encoded(`url?key=${encodeURIComponent("p@ss w0rd/+=")}`), `url?key=${REDACTED}`);
});

test("a secret inside base64 is redacted at every byte alignment", () => {
  const token = GHS;
  const redact = createRedactor([token]);
  for (const prefix of ["x-access-token:", "x-access-token:a", "x-access-token:ab"]) {
    const blob = Buffer.from(prefix + token).toString("base64");
    const out = redact(`extraheader = ${blob}`);
    assert.ok(out.includes(REDACTED), `alignment of ${prefix.length}: ${out}`);
    // What is left of the encoded blob no longer decodes to the token.
    assert.ok(!Buffer.from(out.replace(REDACTED, ""), "base64").toString().includes(token));
  }
});

test("secret-shaped text is redacted without knowing the value", () => {
  const redact = createRedactor([]);
  for (const secret of [
    GHP,
    GHS,
    `gho_${alnum(36)}`,
    `ghu_${alnum(36)}`,
    `ghr_${alnum(36)}`,
    PAT,
    ANT,
    KEY,
  ]) {
    const out = redact(`before ${secret} after`);
    assert.equal(out, `before ${REDACTED} after`, secret.slice(0, 12));
  }
  assert.equal(redact(`AKIA${"ABCDEFGHIJKLMNOP"}`), REDACTED);
  assert.equal(redact(`v1.${"0123456789abcdef".repeat(3).slice(0, 40)}`), REDACTED);
});

test("header and bearer credentials keep their label", () => {
  const redact = createRedactor([]);
  assert.equal(redact(`Authorization: token ${alnum(40)}`), `Authorization: token ${REDACTED}`);
  assert.equal(
    redact(`authorization: Basic ${Buffer.from("u:p").toString("base64")}`),
    `authorization: Basic ${REDACTED}`,
  );
  assert.equal(redact(`curl -H "Bearer ${alnum(32)}"`), `curl -H "Bearer ${REDACTED}"`);
});

test("an unterminated private key block is redacted to the end", () => {
  const redact = createRedactor([]);
  assert.equal(redact(`x\n-----BEGIN OPENSSH PRIVATE KEY-----\n${alnum(70)}\n`), `x\n${REDACTED}`);
});

test("ordinary text, short values and prose about tokens are left alone", () => {
  const redact = createRedactor(["true", "1234567"]);
  const prose = "Set the token in the Bearer header; true, 1234567 is not a secret. ghp_short";
  assert.equal(redact(prose), prose);
});

test("secretValuesFromEnv picks variables whose names look secret", () => {
  const env = {
    ANTHROPIC_API_KEY: ANT,
    GITHUB_TOKEN: GHS,
    INPUT_GITHUB_TOKEN: GHS,
    DB_PASSWORD: "hunter2-hunter2",
    PATH: "/usr/bin:/bin",
    HOME: "/home/runner",
    SHORT_TOKEN: "abc",
  };
  assert.deepEqual(secretValuesFromEnv(env).sort(), [ANT, GHS, GHS, "hunter2-hunter2"].sort());
});
