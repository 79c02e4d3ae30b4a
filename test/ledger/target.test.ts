import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { defaultLedgerPath, resolveLedgerTarget } from "../../src/ledger/target.ts";

const cwd = "/srv/app";

test("with nothing configured the ledger is .swarm/ledger.db under the working directory", () => {
  assert.deepEqual(resolveLedgerTarget({}, cwd), {
    backend: "sqlite",
    path: join(cwd, ".swarm", "ledger.db"),
    isDefault: true,
  });
  assert.equal(defaultLedgerPath, join(".swarm", "ledger.db"));
});

test("a postgres DATABASE_URL selects PostgreSQL; one for another engine is left alone", () => {
  const url = "postgresql://swarm:secret@db.internal:5432/swarm";
  assert.deepEqual(resolveLedgerTarget({ DATABASE_URL: url }, cwd), { backend: "postgres", url });
  assert.equal(resolveLedgerTarget({ DATABASE_URL: "mysql://x@y/z" }, cwd).backend, "sqlite");
});

test("SWARM_DB wins over DATABASE_URL and may be a relative path, an absolute path or a URL", () => {
  const env = { DATABASE_URL: "postgres://a@b/c" };
  assert.deepEqual(resolveLedgerTarget({ ...env, SWARM_DB: "data/l.db" }, cwd), {
    backend: "sqlite",
    path: join(cwd, "data", "l.db"),
    isDefault: false,
  });
  assert.equal(resolveLedgerTarget({ SWARM_DB: "/var/lib/swarm.db" }, cwd).backend, "sqlite");
  assert.deepEqual(resolveLedgerTarget({ SWARM_DB: "/var/lib/swarm.db" }, cwd), {
    backend: "sqlite",
    path: "/var/lib/swarm.db",
    isDefault: false,
  });
  assert.deepEqual(resolveLedgerTarget({ SWARM_DB: "postgres://x@y/z" }, cwd), {
    backend: "postgres",
    url: "postgres://x@y/z",
  });
});

test("an explicit url overrides the environment", () => {
  assert.deepEqual(resolveLedgerTarget({ SWARM_DB: "a.db" }, cwd, ":memory:"), {
    backend: "sqlite",
    path: ":memory:",
    isDefault: false,
  });
});
