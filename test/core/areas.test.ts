import { test } from "node:test";
import assert from "node:assert/strict";
import { areasOfScope } from "../../src/core/areas.ts";

const OWNERSHIP = { "src/auth/**": "auth", "src/billing/**": "billing", "infra/**": "builder-03" };

test("a scope entry the ownership map covers belongs to that area, a map glob to its own", () => {
  assert.deepEqual(areasOfScope(["src/auth/login.ts"], OWNERSHIP), ["auth"]);
  assert.deepEqual(areasOfScope(["src/auth/**", "src/billing/**"], OWNERSHIP), ["auth", "billing"]);
  assert.deepEqual(areasOfScope(["infra/main.tf"], OWNERSHIP), ["builder-03"]);
});

test("an entry outside the map belongs to its folder prefix, at most two folders deep", () => {
  assert.deepEqual(areasOfScope(["src/widgets/deep/x.ts"], {}), ["src/widgets/"]);
  assert.deepEqual(areasOfScope(["src/greet.ts"], {}), ["src/"]);
  assert.deepEqual(areasOfScope(["lib/**/*.js", "lib/a/*.js"], {}), ["lib/", "lib/a/"]);
  assert.deepEqual(areasOfScope(["README.md", "**/*.md"], {}), ["./"]);
});

test("areas are unique and sorted, and an empty scope has none", () => {
  assert.deepEqual(areasOfScope(["src/auth/a.ts", "docs/x.md", "src/auth/b.ts"], OWNERSHIP), [
    "auth",
    "docs/",
  ]);
  assert.deepEqual(areasOfScope([], OWNERSHIP), []);
});
