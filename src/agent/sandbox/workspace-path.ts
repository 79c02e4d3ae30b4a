import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { SandboxRefusal } from "./refusal.ts";

/** A path the sandbox accepted: its real absolute location and its workspace-relative form. */
export type WorkspacePath = {
  /** Real absolute path, symlinks resolved (for a missing file, through its nearest existing parent). */
  readonly real: string;
  /** Real path relative to the workspace root, with `/` separators; "" is the root itself. */
  readonly relative: string;
  /** The path as asked, normalised and relative to the root; "" is the root itself. */
  readonly requested: string;
};

const MAX_SYMLINK_HOPS = 40;

/**
 * Resolve `input` inside the workspace whose real root is `root`, refusing `..` segments, absolute
 * paths that lead out, symlinks that lead out, and the repository's own `.git` metadata.
 */
export function resolveWorkspacePath(root: string, input: string): WorkspacePath {
  if (input.includes("\0")) throw new Error(`path "${input.replaceAll("\0", "\\0")}" contains a NUL byte`);
  const segments = input.split(/[\\/]/);
  if (segments.includes("..")) {
    throw new SandboxRefusal(
      "path.parent-segment",
      `path "${input}" contains "..": give a path relative to the workspace root without ".." segments`,
    );
  }
  const absolute = path.resolve(root, input);
  const requested = path.relative(root, absolute);
  if (path.isAbsolute(input) && !isInside(root, absolute)) {
    throw new SandboxRefusal(
      "path.absolute-outside",
      `path "${input}" is outside the workspace: give a path relative to the workspace root`,
    );
  }
  const real = realPathAllowingMissing(absolute, 0);
  if (!isInside(root, real)) {
    throw new SandboxRefusal(
      "path.symlink-outside",
      `path "${input}" goes through a symbolic link that leads outside the workspace`,
    );
  }
  const relative = toPosix(path.relative(root, real));
  if (isGitInternal(relative) || isGitInternal(toPosix(requested))) {
    throw new SandboxRefusal(
      "path.git-internal",
      `path "${input}" is inside the repository's .git metadata, which the agent may not read or write`,
    );
  }
  return { real, relative, requested: toPosix(requested) };
}

/** True when `candidate` is `root` or lies below it. */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** True for `.git` or anything below a `.git` segment, in any letter case (case-insensitive file systems). */
export function isGitInternal(relative: string): boolean {
  return relative.split("/").some((segment) => segment.toLowerCase() === ".git");
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

// realpath for paths that may not exist yet: a missing tail is resolved through its nearest existing
// parent, and a dangling symlink through its target, so a write cannot be aimed out by either.
function realPathAllowingMissing(p: string, hops: number): string {
  try {
    return realpathSync(p);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  const realParent = realPathAllowingMissing(parent, hops);
  const here = path.join(realParent, path.basename(p));
  let link: string | undefined;
  try {
    if (lstatSync(here).isSymbolicLink()) link = readlinkSync(here);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  if (link === undefined) return here;
  if (hops >= MAX_SYMLINK_HOPS)
    throw new SandboxRefusal("path.symlink-outside", `too many symbolic links in "${p}"`);
  return realPathAllowingMissing(path.resolve(realParent, link), hops + 1);
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}
