import { clampText, MAX_FINDINGS, toFinding, type Finding } from "./finding.ts";
import type { Rejection } from "./lifecycle/rejection.ts";

// What people and the repository's checks say about an agent's work, condensed into the rejection
// a rework job carries: findings with file and line where the source gives them, most useful first.

/** An inline comment of a review, as GitHub lists it. */
export interface ReviewComment {
  path: string;
  /** The line in the new version the comment is on; null on an outdated or file-level comment. */
  line: number | null;
  body: string;
}

/** A review that requested changes: who, what they wrote, and their inline comments. */
export interface ChangesRequested {
  actor: string;
  body: string;
  comments: readonly ReviewComment[];
}

/** The rejection a review requesting changes makes: one finding per inline comment, else the review's text. */
export function reviewRejection(review: ChangesRequested): Rejection {
  const body = review.body.trim();
  const findings = review.comments.map((c) =>
    toFinding({
      gate: "review",
      file: c.path,
      line: c.line ?? undefined,
      expected: `what @${review.actor} asks for here`,
      found: c.body.trim() || "(an empty comment)",
      ...(body === "" ? {} : { hint: body }),
    }),
  );
  if (findings.length === 0)
    findings.push(
      toFinding({
        gate: "review",
        expected: `the changes @${review.actor} asked for`,
        found: body || `@${review.actor} requested changes without a comment`,
        hint: "Read the review on the pull request and address each point.",
      }),
    );
  return {
    source: "review",
    summary: summaryLine(`@${review.actor} requested changes${body === "" ? "" : `: ${body}`}`),
    findings: capped(findings),
  };
}

/** A check-run annotation, as GitHub lists it. */
export interface CheckAnnotationInfo {
  path: string;
  startLine: number | null;
  level: string | null;
  title: string | null;
  message: string;
}

/** A required check that did not pass, with its output. */
export interface FailedCheck {
  name: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  annotations: readonly CheckAnnotationInfo[];
}

/**
 * The rejection red required checks make: each failure annotation becomes a finding on its file
 * and line (warnings and notices after failures); a check without annotations gives one finding
 * with its title and summary. `source` says whether the checks ran on the head or in the merge queue.
 */
export function checksRejection(
  source: "checks" | "merge-queue",
  lead: string,
  checks: readonly FailedCheck[],
): Rejection {
  const findings: Finding[] = [];
  for (const check of checks) {
    const gate = checkGate(check.name);
    const expected = `the required check ${check.name} passes`;
    const annotations = [...check.annotations].sort((a, b) => levelRank(a.level) - levelRank(b.level));
    for (const a of annotations)
      findings.push(
        toFinding({
          gate,
          file: a.path,
          line: a.startLine ?? undefined,
          expected,
          found: a.title ? `${a.title}: ${a.message}` : a.message,
        }),
      );
    if (annotations.length === 0)
      findings.push(
        toFinding({
          gate,
          expected,
          found: [`concluded ${check.conclusion ?? "without a conclusion"}`, check.title, check.summary]
            .filter((part): part is string => typeof part === "string" && part.trim() !== "")
            .join(": "),
          hint: `Run what ${check.name} runs and fix what fails.`,
        }),
      );
  }
  if (findings.length === 0)
    findings.push(
      toFinding({
        gate: "checks",
        expected: "every required check passes",
        found: lead,
        hint: "Look at the checks of the pull request and the merge queue on GitHub.",
      }),
    );
  const names = checks.map((c) => c.name);
  return {
    source,
    summary: summaryLine(names.length === 0 ? lead : `${lead}: ${names.join(", ")}`),
    findings: capped(findings),
  };
}

/** The gate name of a check's findings: `check:` and the check's name, in the finding contract's letters. */
export function checkGate(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9:_-]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-+$/, "");
  return `check:${slug}`.slice(0, 64).replace(/-+$/, "");
}

function levelRank(level: string | null): number {
  return level === "failure" ? 0 : level === "warning" ? 1 : 2;
}

/** At most the job's number of findings; the last one counts what was left out. */
function capped(findings: Finding[]): Finding[] {
  if (findings.length <= MAX_FINDINGS) return findings;
  const kept = findings.slice(0, MAX_FINDINGS - 1);
  const left = findings.length - kept.length;
  return [
    ...kept,
    toFinding({
      gate: kept[0]?.gate ?? "checks",
      expected: "every finding fixed",
      found: `${left} more finding(s) not listed here`,
      hint: "Fix the listed findings and look for the same problems elsewhere.",
    }),
  ];
}

/** One line of at most 200 characters, as a rejection's summary must be. */
function summaryLine(text: string): string {
  const line = clampText(text.replace(/\s+/g, " ").trim());
  const chars = Array.from(line);
  return chars.length <= 200 ? line : `${chars.slice(0, 199).join("")}…`;
}
