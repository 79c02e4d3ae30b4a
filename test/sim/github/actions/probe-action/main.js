// The probe action: reads its inputs, calls the offline GitHub with its token, writes outputs.
import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";

const env = process.env;
const outputFile = env.GITHUB_OUTPUT ?? "";
const summaryFile = env.GITHUB_STEP_SUMMARY ?? "";

/** @param {string} name @param {string} value */
const output = (name, value) => {
  const delimiter = `ghadelimiter_${Math.random().toString(36).slice(2)}`;
  appendFileSync(outputFile, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
};

/** @param {string} method @param {string} path @param {unknown} [body] */
const api = (method, path, body) =>
  fetch(`${env.GITHUB_API_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${env.INPUT_TOKEN}`, "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
  });

const mode = env.INPUT_MODE;
console.log(`probe running in ${mode} mode; api key ${env["INPUT_API-KEY"]}`);
output("greeting", env.INPUT_GREETING ?? "");
output("env", JSON.stringify(env));
const repo = await api("GET", `/repos/${env.GITHUB_REPOSITORY}`);
output("repo-status", String(repo.status));
appendFileSync(summaryFile, `### probe ${mode}\n`);

if (mode === "fail") {
  console.error("probe failing on purpose");
  process.exitCode = 1;
} else if (mode === "hang") {
  const grandchild = spawn("sleep", ["600"], { stdio: "ignore" });
  await api("POST", `/repos/${env.GITHUB_REPOSITORY}/issues/1/comments`, {
    body: `probe ${process.pid} ${grandchild.pid}`,
  });
  setInterval(() => undefined, 1000);
}
