import picomatch from "picomatch";
import { isGitInternal } from "./workspace-path.ts";
import type { RefusalRule } from "./refusal.ts";

/** Where the job may write: its file scope and the repository's protected paths, as globs. */
export type WritePolicyOptions = {
  /** Globs of workspace-relative paths the job may change. */
  readonly scope: readonly string[];
  /** Globs of paths no job may change, whatever its scope. */
  readonly protectedPaths: readonly string[];
};

/** The verdict on one path. */
export type WriteVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: RefusalRule; readonly reason: string };

/** Decides whether a workspace-relative path may be written. */
export type WritePolicy = {
  readonly check: (relative: string) => WriteVerdict;
};

/**
 * Build the write policy. Protected globs match case-insensitively (they must over-match on
 * case-insensitive file systems); scope globs match exactly. Both match dotfiles.
 */
export function createWritePolicy(options: WritePolicyOptions): WritePolicy {
  const inScope = options.scope.length === 0 ? () => false : picomatch([...options.scope], { dot: true });
  const isProtected =
    options.protectedPaths.length === 0
      ? () => false
      : picomatch([...options.protectedPaths], { dot: true, nocase: true });
  const scopeList = options.scope.join(", ") || "(empty)";
  return {
    check(relative) {
      if (relative === "")
        return { allowed: false, rule: "path.out-of-scope", reason: "the workspace root is not a file" };
      if (isGitInternal(relative)) {
        return {
          allowed: false,
          rule: "path.git-internal",
          reason: `"${relative}" is inside the repository's .git metadata`,
        };
      }
      if (isProtected(relative)) {
        return {
          allowed: false,
          rule: "path.protected",
          reason: `"${relative}" is a protected path of this repository; no agent job may change it`,
        };
      }
      if (!inScope(relative)) {
        return {
          allowed: false,
          rule: "path.out-of-scope",
          reason: `"${relative}" is outside this job's file scope (${scopeList})`,
        };
      }
      return { allowed: true };
    },
  };
}
