import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closingReferences } from "../../../src/sim/github/closing-keywords.ts";

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

  it("ignores words that only contain a keyword, and mentions without one", () => {
    assert.deepEqual(closingReferences("prefixes #1, enclosed #2, see #3", "acme/widgets"), []);
    assert.deepEqual(closingReferences(null, "acme/widgets"), []);
  });
});
