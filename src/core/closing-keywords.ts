import { proseLines } from "./markdown.ts";

// GitHub closes the issues a pull request names with a closing keyword when it merges into the
// default branch: "Closes #12", "fixes: #3", "Resolves acme/widgets#7", "Fixed <issue URL>". Each
// issue needs its own keyword, and one shown in a code block or an HTML comment does not count.
// Only the repository's own issues are closed here: GitHub also closes issues of other
// repositories the merger can write to, which neither the app nor the offline GitHub needs.

// A keyword, optionally followed by a colon, then `#N`, `owner/name#N` or the issue's URL. One
// pass, no nested quantifiers.
const CLOSING =
  /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(?::[ \t]*|[ \t]+)(?:([A-Za-z0-9-]+\/[A-Za-z0-9._-]+)?#(\d+)|https:\/\/github\.com\/([A-Za-z0-9-]+\/[A-Za-z0-9._-]+)\/issues\/(\d+))\b/gi;

/** An issue a closing keyword names: its repository's full name, lowercase, and its number. */
export interface ClosingReference {
  repository: string;
  number: number;
}

/** Every issue a pull request body names with a closing keyword, in order; `#N` is `repository`'s. */
export function closingKeywordReferences(body: string | null, repository: string): ClosingReference[] {
  const found: ClosingReference[] = [];
  for (const { text } of proseLines(body ?? ""))
    for (const m of text.matchAll(CLOSING))
      found.push({ repository: (m[1] ?? m[3] ?? repository).toLowerCase(), number: Number(m[2] ?? m[4]) });
  return found;
}

/** The issue numbers of `repository` that a pull request body closes with a keyword, in order, once each. */
export function closingReferences(body: string | null, repository: string): number[] {
  const numbers: number[] = [];
  for (const ref of closingKeywordReferences(body, repository))
    if (ref.repository === repository.toLowerCase() && !numbers.includes(ref.number))
      numbers.push(ref.number);
  return numbers;
}

/**
 * The issues of `repository` GitHub closes itself when this pull request merges: those its body
 * names with a closing keyword, and none unless it merges into the default branch.
 */
export function issuesClosedByMerge(
  pull: { body: string | null; base: string },
  repository: { fullName: string; defaultBranch: string },
): number[] {
  return pull.base === repository.defaultBranch ? closingReferences(pull.body, repository.fullName) : [];
}
