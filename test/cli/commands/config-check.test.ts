import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../src/cli/main.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "config-check-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("a valid config prints ok and exits 0", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "swarm.yml");
    await writeFile(file, "agents:\n  maxAgents: 8\n");
    const { io, out } = capture();
    assert.equal(await main(["config", "check", file], io), 0);
    assert.deepEqual(out, ["ok"]);
  });
});

test("an invalid config prints every problem with file:line:column and exits 1", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "swarm.yml");
    await writeFile(file, "agents:\n  maxAgent: 3\nbudgets:\n  taskUsd: -1\n");
    const { io, out, err } = capture();
    assert.equal(await main(["config", "check", file], io), 1);
    assert.deepEqual(out, []);
    assert.match(
      err[0] ?? "",
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:3  agents\\.maxAgent:`),
    );
    assert.match(err[0] ?? "", /did you mean "maxAgents"/);
    assert.match(err[1] ?? "", /:4:12 {2}budgets\.taskUsd: expected a number > 0, found -1$/);
    assert.equal(err[2], `2 problems in ${file}`);
  });
});

test("without FILE it checks .github/swarm.yml in the working directory", async () => {
  await withDir(async (dir) => {
    await mkdir(join(dir, ".github"));
    await writeFile(join(dir, ".github", "swarm.yml"), "maxAttempts: 4\n");
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { io, out } = capture();
      assert.equal(await main(["config", "check"], io), 0);
      assert.deepEqual(out, ["ok"]);
    } finally {
      process.chdir(cwd);
    }
  });
});

test("a missing file is an error naming the file", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "absent.yml");
    const { io, err } = capture();
    assert.equal(await main(["config", "check", file], io), 1);
    assert.equal(err[0], `${file}: cannot read the config: no such file`);
  });
});

test("a wrong subcommand prints the usage", async () => {
  const { io, err } = capture();
  assert.equal(await main(["config", "frob"], io), 2);
  assert.match(err[0] ?? "", /config check \[FILE\]/);
});
