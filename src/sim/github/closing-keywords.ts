// GitHub closes the issues a pull request names with a closing keyword when it merges into the
// default branch: "Closes #12", "fixes: #3", "Resolves acme/widgets#7". Each issue needs its
// own keyword; a reference to another repository closes nothing here (the sim holds one world,
// but GitHub only closes across repositories the merger can write to, which tests do not need).

const KEYWORD =
  /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?\s+(?:([A-Za-z0-9-]+\/[A-Za-z0-9_.-]+))?#(\d+)\b/gi;

/** The issue numbers of `repository` that a pull request body closes with a keyword, in order, once each. */
export function closingReferences(body: string | null, repository: string): number[] {
  const numbers: number[] = [];
  for (const m of (body ?? "").matchAll(KEYWORD)) {
    if (m[1] !== undefined && m[1].toLowerCase() !== repository.toLowerCase()) continue;
    const n = Number(m[2]);
    if (!numbers.includes(n)) numbers.push(n);
  }
  return numbers;
}
