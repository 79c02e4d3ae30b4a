import { after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LedgerOpenError, openLedger } from "../../src/ledger/index.ts";

const dir = mkdtempSync(join(tmpdir(), "ledger-open-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("with nothing configured the ledger creates .swarm/ledger.db in the working directory", async () => {
  const cwd = join(dir, "project");
  mkdirSync(cwd);
  const ledger = await openLedger({ env: {}, cwd });
  try {
    assert.equal(ledger.backend, "sqlite");
    assert.equal(ledger.location, join(cwd, ".swarm", "ledger.db"));
    assert.ok(existsSync(join(cwd, ".swarm", "ledger.db")));
  } finally {
    await ledger.close();
  }
});

test("SWARM_DB in a folder that does not exist is refused with the path, and no folder is made", async () => {
  const path = join(dir, "missing", "ledger.db");
  await assert.rejects(openLedger({ env: { SWARM_DB: path }, cwd: dir }), (error: unknown) => {
    assert.ok(error instanceof LedgerOpenError);
    assert.ok(error.message.includes(path), error.message);
    return true;
  });
  assert.equal(existsSync(join(dir, "missing")), false);
});

test("a file that is not a SQLite database is refused and left as it was", async () => {
  const path = join(dir, "notes.db");
  writeFileSync(path, "these are notes, not a database\n".repeat(100));
  const before = readFileSync(path);
  await assert.rejects(openLedger({ url: path }), (error: unknown) => {
    assert.ok(error instanceof LedgerOpenError);
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, /not a database/);
    return true;
  });
  assert.deepEqual(readFileSync(path), before);
});

test("a folder given as the database path is refused with the path", async () => {
  const path = join(dir, "a-folder");
  mkdirSync(path);
  await assert.rejects(openLedger({ url: path }), (error: unknown) => {
    assert.ok(error instanceof LedgerOpenError);
    assert.ok(error.message.includes(path), error.message);
    return true;
  });
});

test("an unreachable PostgreSQL server is refused with its address and without the password", async () => {
  // Port 1 on the loopback address is closed, so the connection is refused at once.
  const url = "postgres://swarm:hunter2@127.0.0.1:1/swarm";
  await assert.rejects(openLedger({ env: { DATABASE_URL: url } }), (error: unknown) => {
    assert.ok(error instanceof LedgerOpenError);
    assert.match(error.message, /127\.0\.0\.1:1\/swarm/);
    assert.doesNotMatch(error.message, /hunter2/);
    return true;
  });
});
