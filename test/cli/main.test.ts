import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { main } from "../../src/cli/main.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

test("--help prints usage and exits 0", async () => {
  const { io, out } = capture();
  assert.equal(await main(["--help"], io), 0);
  assert.match(out.join("\n"), /Usage: swarm-foreman <command>/);
});

test("an unknown command is named in the error and exits 1", async () => {
  const { io, err } = capture();
  assert.equal(await main(["frobnicate"], io), 1);
  assert.match(err.join("\n"), /unknown command "frobnicate"/);
});

test("the bin runs under the project's Node and prints help", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["bin/swarm-foreman.js", "--help"]);
  assert.match(stdout, /swarm-foreman: run a swarm/);
});
