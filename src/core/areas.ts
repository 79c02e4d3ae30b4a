import { firstMatchingGlob } from "./globs.ts";

/** How deep a path-prefix area goes: `src/auth/` rather than `src/` (too coarse) or every folder. */
const PREFIX_DEPTH = 2;

// A segment with any of these is a glob pattern, not a folder name.
const GLOB_CHARS = /[*?[\]{}()!+@]/;

/**
 * The areas a task's scope falls in, which routing weighs agents' records by. Each scope entry
 * (a path or glob) belongs to the ownership map's area when the map names it (a glob of the map is
 * its own area's; a path takes the first glob that covers it, as spec lint reads the map);
 * otherwise to its folder prefix, at most two folders deep, written with a trailing `/`
 * (`src/auth/session.ts` and `src/auth/**` → `src/auth/`, `README.md` → `./`). Sorted, unique.
 */
export function areasOfScope(
  scope: readonly string[],
  ownership: Readonly<Record<string, string>>,
): string[] {
  const owned = Object.keys(ownership);
  const areas = new Set<string>();
  for (const entry of scope) {
    const glob = Object.hasOwn(ownership, entry) ? entry : firstMatchingGlob(owned, entry);
    const owner = glob === undefined ? undefined : ownership[glob];
    areas.add(owner ?? prefixArea(entry));
  }
  return [...areas].sort();
}

/** A scope entry's folder prefix: its literal folders before any glob segment, at most two deep. */
function prefixArea(entry: string): string {
  const segments = entry.split("/");
  const literal: string[] = [];
  // The last segment is a file name or a pattern, never a folder of its own.
  for (const segment of segments.slice(0, -1)) {
    if (GLOB_CHARS.test(segment) || literal.length === PREFIX_DEPTH) break;
    literal.push(segment);
  }
  return literal.length === 0 ? "./" : `${literal.join("/")}/`;
}
