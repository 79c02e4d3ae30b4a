import { test } from "node:test";
import assert from "node:assert/strict";
import { buildChildEnv } from "../../../src/agent/sandbox/child-env.ts";

const dirs = { workspace: "/w/repo", home: "/t/agent/home", tmp: "/t/agent/tmp" };

test("only allowlisted variables pass; secrets under any name stay behind", () => {
  const parent = {
    PATH: "/usr/bin:/bin",
    LANG: "C.UTF-8",
    CI: "true",
    HOME: "/home/runner",
    ANTHROPIC_API_KEY: "sk-ant-x",
    GITHUB_TOKEN: "ghs_x",
    ACTIONS_RUNTIME_TOKEN: "x",
    MY_DEPLOY_THING: "not-obviously-secret",
    NODE_OPTIONS: "--require ./evil.js",
    GIT_CONFIG_PARAMETERS: "'core.pager'='sh'",
    npm_config_script_shell: "/bin/sh",
  };
  const env = buildChildEnv(parent, dirs);
  assert.deepEqual(Object.keys(env).sort(), [
    "CI",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_PAGER",
    "GIT_TERMINAL_PROMPT",
    "HOME",
    "LANG",
    "NO_COLOR",
    "PAGER",
    "PATH",
    "TEMP",
    "TMP",
    "TMPDIR",
  ]);
  assert.equal(env["HOME"], dirs.home);
  assert.equal(env["TMPDIR"], dirs.tmp);
  for (const value of Object.values(env)) assert.doesNotMatch(value, /sk-ant|ghs_|evil|not-obviously/);
});

test("PATH keeps only absolute folders outside the workspace", () => {
  const env = buildChildEnv(
    { PATH: ["", ".", "bin", "/w/repo/node_modules/.bin", "/w/repo", "/usr/bin"].join(":") },
    dirs,
  );
  assert.equal(env["PATH"], "/usr/bin");
});
