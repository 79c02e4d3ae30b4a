import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maySteer, PermissionCache } from "../../src/app/permission-cache.ts";
import type { RepoPermission } from "../../src/github/gateway.ts";

describe("PermissionCache", () => {
  it("asks GitHub once per person within the time to live, and again after it", async () => {
    let now = 1_000;
    const cache = new PermissionCache(() => now, 60_000);
    let lookups = 0;
    const lookup = async (): Promise<RepoPermission> => {
      lookups += 1;
      return "write";
    };
    assert.equal(await cache.get("o/r", "octocat", lookup), "write");
    assert.equal(await cache.get("o/r", "OctoCat", lookup), "write");
    assert.equal(lookups, 1);
    now += 60_001;
    await cache.get("o/r", "octocat", lookup);
    assert.equal(lookups, 2);
  });

  it("keeps repositories apart", async () => {
    const cache = new PermissionCache(() => 0);
    assert.equal(await cache.get("o/a", "u", async () => "admin"), "admin");
    assert.equal(await cache.get("o/b", "u", async () => "read"), "read");
  });
});

describe("maySteer", () => {
  it("obeys write and admin, not read or none", () => {
    const obeyed = (["admin", "write", "read", "none"] as const).filter(maySteer);
    assert.deepEqual(obeyed, ["admin", "write"]);
  });
});
