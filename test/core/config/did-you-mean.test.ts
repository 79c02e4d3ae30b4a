import { test } from "node:test";
import assert from "node:assert/strict";
import { didYouMean } from "../../../src/core/config/did-you-mean.ts";

const keys = ["maxAgents", "namePrefix"];

test("a one-letter typo suggests the key it was meant to be", () => {
  assert.equal(didYouMean("maxAgent", keys), "maxAgents");
  assert.equal(didYouMean("namePrefx", keys), "namePrefix");
});

test("case differences do not hide the suggestion", () => {
  assert.equal(didYouMean("maxagents", keys), "maxAgents");
});

test("a word unlike every candidate gets no suggestion", () => {
  assert.equal(didYouMean("colour", keys), undefined);
  assert.equal(didYouMean("anything", []), undefined);
});
