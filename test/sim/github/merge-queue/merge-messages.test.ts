import { test } from "node:test";
import assert from "node:assert/strict";
import {
  mergeCommitMessage,
  squashCommitMessage,
  type MergeSource,
} from "../../../../src/sim/github/merge-queue/merge-messages.ts";
import { DEFAULT_MERGE_SETTINGS } from "../../../../src/sim/github/merge-queue/merge-settings.ts";

const ada = { name: "ada", email: "1+ada@users.noreply.github.com" };
const bob = { name: "bob", email: "2+bob@users.noreply.github.com" };
const source: MergeSource = {
  number: 7,
  title: "Add widgets",
  body: "Adds the widgets.",
  headLabel: "acme/feature",
  author: ada,
  commits: [
    {
      message: "First step\n\nDetail one.\n\nCo-authored-by: carol <3+carol@users.noreply.github.com>\n",
      author: ada,
    },
    { message: "Second step\n", author: bob },
  ],
};

test("the default squash message lists every commit as a bullet and gathers co-authors after a rule", () => {
  assert.equal(
    squashCommitMessage(DEFAULT_MERGE_SETTINGS, source),
    [
      "Add widgets (#7)",
      "",
      "* First step",
      "",
      "Detail one.",
      "",
      "* Second step",
      "",
      "---------",
      "",
      "Co-authored-by: carol <3+carol@users.noreply.github.com>",
      "Co-authored-by: bob <2+bob@users.noreply.github.com>",
    ].join("\n"),
  );
});

test("a single commit gives the squash its own title and body under COMMIT_OR_PR_TITLE", () => {
  const one = { ...source, commits: [{ message: "Only step\n\nWhy it matters.\n", author: ada }] };
  assert.equal(squashCommitMessage(DEFAULT_MERGE_SETTINGS, one), "Only step (#7)\n\nWhy it matters.");
});

test("a PR_BODY squash keeps the body and adds only co-authors it does not already name", () => {
  const settings = {
    ...DEFAULT_MERGE_SETTINGS,
    squash_merge_commit_title: "PR_TITLE" as const,
    squash_merge_commit_message: "PR_BODY" as const,
  };
  const named = {
    ...source,
    body: "Adds the widgets.\n\nCo-authored-by: bob <2+bob@users.noreply.github.com>",
  };
  assert.equal(
    squashCommitMessage(settings, named),
    "Add widgets (#7)\n\nAdds the widgets.\n\nCo-authored-by: bob <2+bob@users.noreply.github.com>\n\n---------\n\nCo-authored-by: carol <3+carol@users.noreply.github.com>",
  );
  const blank = { ...settings, squash_merge_commit_message: "BLANK" as const };
  assert.equal(squashCommitMessage(blank, source), "Add widgets (#7)");
});

test("merge commit messages follow merge_commit_title and merge_commit_message", () => {
  assert.equal(
    mergeCommitMessage(DEFAULT_MERGE_SETTINGS, source),
    "Merge pull request #7 from acme/feature\n\nAdd widgets",
  );
  const body = {
    ...DEFAULT_MERGE_SETTINGS,
    merge_commit_title: "PR_TITLE" as const,
    merge_commit_message: "PR_BODY" as const,
  };
  assert.equal(mergeCommitMessage(body, source), "Add widgets (#7)\n\nAdds the widgets.");
  const blank = { ...DEFAULT_MERGE_SETTINGS, merge_commit_message: "BLANK" as const };
  assert.equal(mergeCommitMessage(blank, source), "Merge pull request #7 from acme/feature");
});
