import type { RefusalRule } from "./refusal.ts";
import type { WritePolicy } from "./write-policy.ts";

/** One changed path from `git status --porcelain -z`: its two-letter status, and for a rename or copy its source. */
export type ChangedPath = {
  /** Two-letter status, index then worktree (" M", "??", "R ", "D "…). */
  readonly status: string;
  readonly path: string;
  /** The path a rename or copy came from. */
  readonly from?: string;
};

/** A changed path the commit must not carry, and why; the commit step reverts it. */
export type RefusedChange = ChangedPath & {
  readonly rule: RefusalRule | "commit.symlink";
  readonly reason: string;
};

/** The changes a job may commit and the ones it must revert. */
export type CommitScope = { readonly allowed: ChangedPath[]; readonly refused: RefusedChange[] };

/**
 * The second wall: judge every path a job changed (as `git status --porcelain -z --untracked-files=all`
 * prints them) against the write policy, so a command that wrote outside the scope (`npm test`,
 * a formatter) cannot smuggle that change into the commit. A rename needs both its ends allowed,
 * since removing the source is a change too. Symlinks are refused: committing one would let the
 * commit step read, or the repository later point at, a file outside the workspace.
 */
export function partitionChangedPaths(
  porcelainZ: string,
  policy: WritePolicy,
  isSymlink: (path: string) => boolean,
): CommitScope {
  const allowed: ChangedPath[] = [];
  const refused: RefusedChange[] = [];
  for (const change of parsePorcelainZ(porcelainZ)) {
    if (change.status === "!!") continue;
    let verdict: { rule: RefusedChange["rule"]; reason: string } | undefined;
    for (const path of change.from === undefined ? [change.path] : [change.path, change.from]) {
      const check = policy.check(path);
      if (!check.allowed) {
        verdict = { rule: check.rule, reason: check.reason };
        break;
      }
    }
    if (verdict === undefined && !change.status.includes("D") && isSymlink(change.path)) {
      verdict = {
        rule: "commit.symlink",
        reason: `"${change.path}" is a symbolic link; agent commits carry no links`,
      };
    }
    if (verdict === undefined) allowed.push(change);
    else refused.push({ ...change, ...verdict });
  }
  return { allowed, refused };
}

/** Parse `git status --porcelain -z` (v1) output into changed paths. */
export function parsePorcelainZ(output: string): ChangedPath[] {
  const fields = output.split("\0");
  if (fields.at(-1) === "") fields.pop();
  const changes: ChangedPath[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? "";
    if (field.length < 4 || field[2] !== " ") {
      throw new Error(`git status --porcelain -z: entry ${i + 1} "${field}" is not "XY path"`);
    }
    const status = field.slice(0, 2);
    const path = field.slice(3);
    if (path.endsWith("/")) {
      throw new Error(
        `git status listed the folder "${path}" as one entry; run it with --untracked-files=all so each file is judged`,
      );
    }
    if (status.includes("R") || status.includes("C")) {
      const from = fields[++i];
      if (from === undefined)
        throw new Error(`git status --porcelain -z: rename of "${path}" has no source path`);
      changes.push({ status, path, from });
    } else {
      changes.push({ status, path });
    }
  }
  return changes;
}
