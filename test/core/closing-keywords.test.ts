import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closingReferences, issuesClosedByMerge } from "../../src/core/closing-keywords.ts";

describe("closing keywords", () => {
  it("finds every keyword GitHub documents, in any case and with a colon", () => {
    const body =
      "Closes #1, fixes: #2 and RESOLVED #3.\nclose #4 fix #5 resolve #6 closed #7 fixed #8 resolves #9";
    assert.deepEqual(closingReferences(body, "acme/widgets"), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("needs a keyword before each issue and counts an issue once", () => {
    assert.deepEqual(closingReferences("Closes #1, #2 and closes #1", "acme/widgets"), [1]);
  });

  it("takes this repository's full references and ignores other repositories'", () => {
    assert.deepEqual(closingReferences("Fixes Acme/Widgets#4 and fixes other/repo#5", "acme/widgets"), [4]);
  });

  it("reads the issue's URL, and not a keyword shown in a code block or an HTML comment", () => {
    const body = "Fixed https://github.com/acme/widgets/issues/6\n```\nCloses #7\n```\n<!-- Closes #8 -->";
    assert.deepEqual(closingReferences(body, "acme/widgets"), [6]);
  });

  it("ignores words that only contain a keyword, and mentions without one", () => {
    assert.deepEqual(closingReferences("prefixes #1, enclosed #2, see #3", "acme/widgets"), []);
    assert.deepEqual(closingReferences(null, "acme/widgets"), []);
  });
});

describe("issues closed by a merge", () => {
  const repository = { fullName: "acme/widgets", defaultBranch: "main" };

  it("are the body's closing references when the pull request merges into the default branch", () => {
    assert.deepEqual(
      issuesClosedByMerge({ body: "Closes #7\n\nFixes #9", base: "main" }, repository),
      [7, 9],
    );
  });

  it("are none when it merges into another branch, whatever its body says", () => {
    assert.deepEqual(issuesClosedByMerge({ body: "Closes #7", base: "release" }, repository), []);
  });

  it("are none when the body names the issue without a keyword", () => {
    assert.deepEqual(issuesClosedByMerge({ body: "Part of #7", base: "main" }, repository), []);
  });
});
