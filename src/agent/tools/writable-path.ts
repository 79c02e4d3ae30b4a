import { closeSync, constants, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { SandboxRefusal } from "../sandbox/refusal.ts";
import type { Sandbox } from "../sandbox/sandbox.ts";
import { resolveWorkspacePath, type WorkspacePath } from "../sandbox/workspace-path.ts";

/**
 * Resolve a path the model wants to write and check it against the write policy, both as asked and
 * as it really resolves, so a symlink inside the workspace cannot carry a write into another place.
 */
export function resolveWritablePath(sandbox: Sandbox, input: string): WorkspacePath {
  const target = resolveWorkspacePath(sandbox.root, input);
  for (const candidate of new Set([target.requested, target.relative])) {
    const verdict = sandbox.writePolicy.check(candidate);
    if (!verdict.allowed) throw new SandboxRefusal(verdict.rule, verdict.reason);
  }
  return target;
}

/**
 * Write `content` to `real`, creating parent folders; the final component is opened with O_NOFOLLOW
 * so a symlink swapped in after the check is not followed. Returns whether the file was created.
 * Synchronous: the loop runs one tool at a time, and a thread-pool round trip per step costs more
 * than the write.
 */
export function writeNoFollow(real: string, content: string): boolean {
  mkdirSync(path.dirname(real), { recursive: true });
  let created = true;
  let fd: number;
  try {
    fd = openSync(
      real,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o644,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    created = false;
    fd = openSync(real, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  }
  try {
    writeSync(fd, content, null, "utf8");
  } finally {
    closeSync(fd);
  }
  return created;
}
