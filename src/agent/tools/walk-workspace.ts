import { readdirSync } from "node:fs";
import path from "node:path";

/** One entry met while walking: its path relative to the workspace root and its kind. */
export type WalkEntry = {
  readonly relative: string;
  readonly kind: "file" | "directory" | "symlink" | "other";
};

// Never descended into: the repository's metadata, and dependency trees that drown every listing.
const SKIPPED_DIRECTORIES = new Set([".git", "node_modules"]);

/**
 * Walk a directory depth-first in name order without following symlinks (they are reported, not
 * entered, so a walk never leaves the workspace). `.git` and `node_modules` are reported, not entered.
 * Synchronous and lazy: a bounded listing stops reading folders once it has enough.
 */
export function* walkWorkspace(root: string, start: string): Generator<WalkEntry> {
  const entries = readdirSync(path.join(root, start), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const relative = start === "" ? entry.name : `${start}/${entry.name}`;
    if (entry.isSymbolicLink()) yield { relative, kind: "symlink" };
    else if (entry.isDirectory()) {
      yield { relative, kind: "directory" };
      if (!SKIPPED_DIRECTORIES.has(entry.name.toLowerCase())) yield* walkWorkspace(root, relative);
    } else if (entry.isFile()) yield { relative, kind: "file" };
    else yield { relative, kind: "other" };
  }
}
