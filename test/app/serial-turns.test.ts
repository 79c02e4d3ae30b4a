import assert from "node:assert/strict";
import { test } from "node:test";
import { SerialTurns } from "../../src/app/serial-turns.ts";

/** A promise and the function that resolves it. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

test("work for one key runs one piece at a time, in the order asked", async () => {
  const turns = new SerialTurns();
  const log: string[] = [];
  const first = gate();
  const a = turns.run("acme/widgets", async () => {
    log.push("a starts");
    await first.opened;
    log.push("a ends");
  });
  const b = turns.run("acme/widgets", async () => {
    log.push("b runs");
    return 42;
  });
  await Promise.resolve();
  assert.deepEqual(log, ["a starts"], "b waits for a");
  first.open();
  assert.equal(await b, 42);
  await a;
  assert.deepEqual(log, ["a starts", "a ends", "b runs"]);
});

test("work for different keys does not wait, and a failure does not stop the next turn", async () => {
  const turns = new SerialTurns();
  const held = gate();
  const slow = turns.run("acme/one", () => held.opened);
  assert.equal(await turns.run("acme/two", async () => "two"), "two", "another repository runs at once");
  held.open();
  await slow;
  await assert.rejects(
    turns.run("acme/one", async () => {
      throw new Error("dispatch failed");
    }),
    /dispatch failed/,
  );
  assert.equal(await turns.run("acme/one", async () => "after"), "after");
});
