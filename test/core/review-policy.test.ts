import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { configSchema, type SwarmConfigInput } from "../../src/core/config/schema.ts";
import { parseCodeowners } from "../../src/core/codeowners.ts";
import { decideReview, reviewDraw, type ReviewInput } from "../../src/core/review-policy.ts";

function review(section: NonNullable<SwarmConfigInput["review"]> = {}) {
  return configSchema.parse({ review: section }).review;
}

function input(overrides: Partial<ReviewInput> = {}): ReviewInput {
  return { review: review(), repo: "octo/app", issue: 7, changedFiles: ["src/a.ts"], ...overrides };
}

test("a file under an always-review glob gets a full review by the configured reviewers", () => {
  const d = decideReview(
    input({
      review: review({ alwaysReview: ["src/auth/**"], reviewers: ["@octo/security", "alice"] }),
      changedFiles: ["src/a.ts", "src/auth/token.ts", "src/auth/session.ts"],
    }),
  );
  assert.equal(d.mode, "full");
  assert.deepEqual(d.mode === "full" && d.reviewers, ["octo/security", "alice"]);
  assert.match(d.reason, /src\/auth\/token\.ts matches alwaysReview `src\/auth\/\*\*` and 1 more/);
});

test("without configured reviewers the full review goes to the CODEOWNERS owners of the sensitive files", () => {
  const codeowners = parseCodeowners(
    "* @everyone\nsrc/auth/ @octo/security\nsrc/auth/legal.ts legal@example.com",
  );
  const d = decideReview(
    input({
      review: review({ alwaysReview: ["src/auth/**"] }),
      codeowners,
      changedFiles: ["README.md", "src/auth/token.ts", "src/auth/legal.ts"],
    }),
  );
  assert.equal(d.mode, "full");
  assert.deepEqual(d.mode === "full" && d.reviewers, ["octo/security"], "README's owner is not asked");
  assert.match(d.reason, /from CODEOWNERS \(1 e-mail owner/);
});

test("with no reviewer anywhere the decision says a person must pick one", () => {
  const d = decideReview(input({ review: review({ alwaysReview: ["**"] }) }));
  assert.deepEqual(d.mode === "full" && d.reviewers, []);
  assert.match(d.reason, /a person must pick one/);
});

test("changes only to trusted paths skip review", () => {
  const d = decideReview(
    input({
      review: review({ trustGates: ["**/*.md", "docs/**"] }),
      changedFiles: ["README.md", "docs/x/y.png"],
    }),
  );
  assert.equal(d.mode, "skip");
});

test("one untrusted file, or no file at all, means no skip", () => {
  const cfg = review({ trustGates: ["docs/**"], sampleRate: 1 });
  assert.equal(
    decideReview(input({ review: cfg, changedFiles: ["docs/a.md", "src/a.ts"] })).mode,
    "spot-check",
  );
  assert.equal(decideReview(input({ review: cfg, changedFiles: [] })).mode, "spot-check");
});

test("a sensitive path wins over a trusted one", () => {
  const cfg = review({ trustGates: ["**"], alwaysReview: ["src/auth/**"] });
  assert.equal(decideReview(input({ review: cfg, changedFiles: ["src/auth/a.ts"] })).mode, "full");
});

test("sample rates of 0 and 1 never and always pick", () => {
  for (let issue = 1; issue <= 200; issue++) {
    assert.equal(decideReview(input({ review: review({ sampleRate: 0 }), issue })).mode, "none");
    assert.equal(decideReview(input({ review: review({ sampleRate: 1 }), issue })).mode, "spot-check");
  }
});

test("the observed spot-check rate over many tasks is near the configured rate", () => {
  const tasks = 10_000;
  for (const sampleRate of [0.25, 0.6]) {
    const cfg = review({ sampleRate });
    let picked = 0;
    for (let issue = 1; issue <= tasks; issue++)
      if (decideReview(input({ review: cfg, issue })).mode === "spot-check") picked++;
    // Five standard deviations of a binomial draw: a sound hash never fails this, a biased one does.
    const tolerance = 5 * Math.sqrt((sampleRate * (1 - sampleRate)) / tasks);
    assert.ok(Math.abs(picked / tasks - sampleRate) < tolerance, `rate ${picked / tasks} for ${sampleRate}`);
  }
});

test("the default sample rate is a quarter", () => {
  assert.equal(review().sampleRate, 0.25);
});

test("the same task decides the same, whatever the case of the repository name", () => {
  for (let issue = 1; issue <= 300; issue++) {
    const a = decideReview(input({ issue }));
    assert.deepEqual(decideReview(input({ issue })), a);
    assert.deepEqual(decideReview(input({ issue, repo: "Octo/App" })), a);
  }
});

test("another seed, repository or issue draws anew", () => {
  let differs = 0;
  for (let issue = 1; issue <= 100; issue++) {
    const base = reviewDraw("s", "octo/app", issue);
    if (base !== reviewDraw("t", "octo/app", issue)) differs++;
    assert.notEqual(base, reviewDraw("s", "octo/other", issue));
    assert.notEqual(base, reviewDraw("s", "octo/app", issue + 100_000));
  }
  assert.equal(differs, 100);
});

test("fuzz: every draw lies in [0, 1)", () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.nat(), (seed, repo, issue) => {
      const draw = reviewDraw(seed, repo, issue);
      assert.ok(draw >= 0 && draw < 1);
    }),
    { seed: 20261122, numRuns: 500 },
  );
});
