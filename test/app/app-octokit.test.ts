import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AppOctokit } from "../../src/app/server.ts";
import { startGitHubSim, type GitHubSim } from "../../src/sim/github/server.ts";

describe("the app's Octokit", () => {
  let sim: GitHubSim;
  let octokit: InstanceType<typeof AppOctokit>;
  const warnings: string[] = [];
  const total = () => sim.requests().total;

  before(async () => {
    sim = await startGitHubSim();
    const app = sim.world.createApp({ slug: "swarm", events: [] });
    const installation = sim.world.installApp(app.id, "acme");
    await sim.world.createRepo({ owner: "acme", name: "widgets" });
    sim.world.createIssue("acme/widgets", { title: "One", body: "", author: "alice" });
    const { token } = sim.world.mintInstallationToken(installation.id);
    const log = {
      debug: () => {},
      info: () => {},
      warn: (line: string) => warnings.push(line),
      error: () => {},
    };
    octokit = new AppOctokit({ auth: { token }, baseUrl: sim.url, log, throttle: { enabled: false } });
  });
  after(() => sim.close());

  it("retries a secondary rate limit after the retry-after GitHub sends, and says so", async () => {
    sim.injectFault(
      { kind: "secondary-rate-limit", status: 403, retryAfterSeconds: 0 },
      { operationId: "issues/get" },
    );
    const before = total();
    const { data } = await octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: 1 });
    assert.equal(data.title, "One");
    assert.equal(total() - before, 2, "the refused request and its retry");
    assert.match(warnings.at(-1) ?? "", /GitHub answered 403 to GET .*retry 1 in 0 s/);
  });

  it("does not retry what retrying cannot mend", async () => {
    const before = total();
    await assert.rejects(octokit.rest.issues.get({ owner: "acme", repo: "widgets", issue_number: 99 }), {
      status: 404,
    });
    assert.equal(total() - before, 1);
  });
});
