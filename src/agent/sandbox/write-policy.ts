import { firstMatchingGlob, globMatcher } from "../../core/globs.ts";
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
 * Build the write policy with the same glob semantics as the app's gates (src/core/globs.ts).
 * Protected globs also match case-insensitively: on a case-insensitive file system
 * `.GitHub/Workflows/ci.yml` is the workflow, so protection must over-match; scope matches exactly.
 */
export function createWritePolicy(options: WritePolicyOptions): WritePolicy {
  const inScope = globMatcher(options.scope);
  const protectedLower = options.protectedPaths.map((glob) => glob.toLowerCase());
  const exactlyProtected = globMatcher(options.protectedPaths);
  const caselessProtected = globMatcher(protectedLower);
  const protectingGlob = (relative: string) =>
    exactlyProtected(relative)
      ? firstMatchingGlob(options.protectedPaths, relative)
      : caselessProtected(relative.toLowerCase())
        ? firstMatchingGlob(protectedLower, relative.toLowerCase())
        : undefined;
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
      const glob = protectingGlob(relative);
      if (glob !== undefined) {
        return {
          allowed: false,
          rule: "path.protected",
          reason: `"${relative}" is a protected path of this repository (${glob}); no agent job may change it`,
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
