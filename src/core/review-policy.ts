import { createHash } from "node:crypto";
import type { SwarmConfig } from "./config/schema.ts";
import { ownersOf, type Codeowners } from "./codeowners.ts";
import { firstMatchingGlob, globMatcher } from "./globs.ts";

/** What the review policy needs to know about one agent pull request. */
export interface ReviewInput {
  review: SwarmConfig["review"];
  /** The repository's parsed CODEOWNERS, when it has one; used when the config names no reviewers. */
  codeowners?: Codeowners;
  /** owner/name of the repository. */
  repo: string;
  /** The task's issue number. */
  issue: number;
  changedFiles: readonly string[];
}

/**
 * How a pull request is reviewed: `full` (a sensitive path), `spot-check` (drawn by the sample),
 * `none` (not drawn) or `skip` (every file is one the gates are trusted with).
 */
export type ReviewDecision =
  | { mode: "full" | "spot-check"; reviewers: string[]; reason: string }
  | { mode: "none" | "skip"; reason: string };

/** Decides how an agent pull request is reviewed; the same inputs always decide the same. */
export function decideReview(input: ReviewInput): ReviewDecision {
  const { review, changedFiles } = input;
  // Sensitive paths come first: a change that is both trusted and sensitive gets the full review.
  const sensitive = changedFiles.filter(globMatcher(review.alwaysReview));
  const first = sensitive[0];
  if (first !== undefined) {
    const glob = firstMatchingGlob(review.alwaysReview, first) ?? "";
    const more = sensitive.length > 1 ? ` and ${sensitive.length - 1} more sensitive file(s)` : "";
    return withReviewers(
      input,
      "full",
      sensitive,
      `full review: ${first} matches alwaysReview \`${glob}\`${more}`,
    );
  }
  const trusted = globMatcher(review.trustGates);
  if (changedFiles.length > 0 && changedFiles.every(trusted))
    return {
      mode: "skip",
      reason: `no review: all ${changedFiles.length} changed file(s) match trustGates, so the gates decide`,
    };
  const draw = reviewDraw(review.seed, input.repo, input.issue);
  const odds = `draw ${draw.toFixed(4)} against sampleRate ${review.sampleRate}`;
  if (draw < review.sampleRate)
    return withReviewers(input, "spot-check", changedFiles, `spot-check: picked by the sample (${odds})`);
  return { mode: "none", reason: `no review: not picked by the sample (${odds})` };
}

/**
 * The task's draw in [0, 1): the first 48 bits of SHA-256 over seed, repository and issue. A
 * rerun, a redelivered webhook or another replica of the app draws the same; changing the seed
 * draws anew. Repository names are compared as GitHub does, ignoring case.
 */
export function reviewDraw(seed: string, repo: string, issue: number): number {
  const digest = createHash("sha256").update(`${seed}\0${repo.toLowerCase()}\0${issue}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** Reviewers from the config, or else the CODEOWNERS owners of the files that call for review. */
function withReviewers(
  input: ReviewInput,
  mode: "full" | "spot-check",
  files: readonly string[],
  reason: string,
): ReviewDecision {
  if (input.review.reviewers.length > 0) return { mode, reviewers: [...input.review.reviewers], reason };
  const owners = new Set(files.flatMap((file) => (input.codeowners ? ownersOf(input.codeowners, file) : [])));
  // GitHub requests reviews from logins and teams only; an e-mail owner cannot be asked through the API.
  const reviewers = [...owners].filter((owner) => !owner.includes("@")).sort();
  const emails = owners.size - reviewers.length;
  const source =
    reviewers.length > 0
      ? `; reviewers from CODEOWNERS`
      : `; no reviewer in review.reviewers or CODEOWNERS, so a person must pick one`;
  const skipped = emails > 0 ? ` (${emails} e-mail owner(s) cannot be requested)` : "";
  return { mode, reviewers, reason: `${reason}${source}${skipped}` };
}
