import { opendir } from "node:fs/promises";
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
 */
export async function* walkWorkspace(root: string, start: string): AsyncGenerator<WalkEntry> {
  const directory = path.join(root, start);
  const entries = [];
  for await (const entry of await opendir(directory)) entries.push(entry);
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
