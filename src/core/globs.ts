import picomatch from "picomatch";

// Config globs are picomatch globs relative to the repository root. Options chosen for the gates:
// `dot` so `**` reaches dot directories (`.github/`, `.vscode/`), where the most sensitive files
// live; `nonegate` so a glob starting with `!` is a literal name rather than "everything except",
// which in a scope list would silently grant the whole repository.
const OPTIONS: picomatch.PicomatchOptions = { dot: true, nonegate: true };

/** Compiles a list of config globs into one test: does a path match any of them. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const match = picomatch([...globs], OPTIONS);
  return (path) => isRepoPath(path) && match(path);
}

/** The first glob of a list that a path matches, for messages that say which rule applied. */
export function firstMatchingGlob(globs: readonly string[], path: string): string | undefined {
  if (!isRepoPath(path)) return undefined;
  return globs.find((glob) => picomatch(glob, OPTIONS)(path));
}

/**
 * Whether a path is a plain path inside the repository as GitHub lists it: relative, `/`-separated,
 * no empty, `.` or `..` segment, no backslash or control character. Anything else matches no glob.
 */
export function isRepoPath(path: string): boolean {
  if (path === "" || path.length > 4096 || /[\\\p{Cc}]/u.test(path)) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
