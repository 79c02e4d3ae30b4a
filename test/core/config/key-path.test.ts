import { test } from "node:test";
import assert from "node:assert/strict";
import { formatPath } from "../../../src/core/config/key-path.ts";

test("identifiers join with dots and list indexes with brackets", () => {
  assert.equal(formatPath(["models", "routing", 0, "tier"]), "models.routing[0].tier");
});

test("keys that are not identifiers are quoted in brackets", () => {
  assert.equal(formatPath(["ownership", "src/**"]), 'ownership["src/**"]');
  assert.equal(formatPath(["models", "pricing", "claude-x"]), 'models.pricing["claude-x"]');
});

test("the empty path is the empty string", () => {
  assert.equal(formatPath([]), "");
});
