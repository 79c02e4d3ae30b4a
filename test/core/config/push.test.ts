import assert from "node:assert/strict";
import { test } from "node:test";
import { configTouchedBy } from "../../../src/core/config/push.ts";

const commit = (paths: { added?: string[]; removed?: string[]; modified?: string[] }) => ({
  added: [],
  removed: [],
  modified: [],
  ...paths,
});

test("a push touches the config when a commit adds, modifies or removes the file", () => {
  for (const kind of ["added", "modified", "removed"] as const)
    assert.equal(
      configTouchedBy({ forced: false, commits: [commit({ [kind]: [".github/swarm.yml"] })] }),
      true,
      kind,
    );
});

test("a push of other files leaves the config alone", () => {
  const commits = [
    commit({ modified: ["src/a.ts", ".github/swarm.yaml"] }),
    commit({ added: ["docs/x.md"] }),
  ];
  assert.equal(configTouchedBy({ forced: false, commits }), false);
});

test("a forced push, or one listing as many commits as a payload holds, may hide a change", () => {
  assert.equal(configTouchedBy({ forced: true, commits: [] }), true);
  assert.equal(
    configTouchedBy({ forced: false, commits: Array.from({ length: 20 }, () => commit({})) }),
    true,
  );
  assert.equal(
    configTouchedBy({ forced: false, commits: Array.from({ length: 19 }, () => commit({})) }),
    false,
  );
});
