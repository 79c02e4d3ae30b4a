import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { overlay } from "../../../../src/sim/github/webhooks/overlay.ts";

describe("overlay", () => {
  it("keeps the example's fields the world lacks and takes the world's values", () => {
    const out = overlay({ a: 1, nested: { keep: "x", set: "old" } }, { a: 2, nested: { set: "new" } });
    assert.deepEqual(out, { a: 2, nested: { keep: "x", set: "new" } });
  });

  it("replaces lists and nulls whole", () => {
    const out = overlay({ list: [{ a: 1 }, { a: 2 }], gone: { a: 1 } }, { list: [{ b: 1 }], gone: null });
    assert.deepEqual(out, { list: [{ b: 1 }], gone: null });
  });

  it("adds the world's fields the example predates", () => {
    assert.deepEqual(overlay({ a: 1 }, { b: 2 }), { a: 1, b: 2 });
  });
});
