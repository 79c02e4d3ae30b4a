import type { RestEndpointMethodTypes } from "@octokit/rest";
import type { SwarmConfig } from "./config/schema.ts";
import { MAX_FINDINGS, toFinding, type Finding } from "./finding.ts";
import { firstMatchingGlob, globMatcher, isRepoPath } from "./globs.ts";
import { agentNameSchema, type Job } from "./job.ts";
import { closingKeywordReferences } from "./closing-keywords.ts";
import { codeSpan } from "./markdown.ts";
import { parseSwarmTrailers, SWARM_TRAILER_KEYS } from "./trailers.ts";

/** The app's own gates, in the order they are reported and kept for rework (most important first). */
export const GATES = ["protected-paths", "scope", "attribution", "budget", "issue-link"] as const;
export type GateName = (typeof GATES)[number];

const GATE_TITLES: Record<GateName, string> = {
  "protected-paths": "Protected paths",
  scope: "Scope",
  attribution: "Attribution",
  budget: "Budget",
  "issue-link": "Issue link",
};

/** A file the pull request changes, with the line of its first change in the new version. */
export interface ChangedFile {
  path: string;
  /** The old path of a renamed file: the rename changes it too. */
  previousPath?: string | undefined;
  /** 1-based line of the first change, when the file has one (not for a deletion or a binary file). */
  firstChangedLine?: number | undefined;
}

/** A commit of the pull request. */
export interface PullRequestCommit {
  sha: string;
  message: string;
  /** Parent shas, first parent first, when the caller has them. */
  parents?: readonly string[] | undefined;
}

/** What the gates judge: the job, the pull request as GitHub lists it, and the agent's usage report. */
export interface GateInput {
  job: Pick<
    Job,
    | "repository"
    | "issue"
    | "taskId"
    | "attempt"
    | "agent"
    | "sessionId"
    | "scope"
    | "protectedPaths"
    | "limits"
  >;
  ownership: SwarmConfig["ownership"];
  /** Sessions of this task's earlier attempts by the same agent, whose commits a rework keeps. */
  earlierSessions: readonly string[];
  changedFiles: readonly ChangedFile[];
  commits: readonly PullRequestCommit[];
  /**
   * Heads the app brought up to date with GitHub's "Update branch": the merge commit on top of
   * each carries no trailers and is the app's, not the agent's, so attribution does not judge it.
   */
  branchUpdates?: readonly string[] | undefined;
  /** What the agent reported using; undefined when it reported nothing. */
  usage: Pick<Job["limits"], "tokens" | "usd"> | undefined;
  pullRequestBody: string;
}

/** One gate's verdict: a one-line summary and its findings. */
export interface GateResult {
  gate: GateName;
  passed: boolean;
  summary: string;
  findings: Finding[];
}

/** Every gate's verdict on a pull request. */
export interface GateReport {
  passed: boolean;
  gates: GateResult[];
  findings: Finding[];
}

/** One check-run annotation, as GitHub's API takes it. */
export type CheckAnnotation = NonNullable<
  NonNullable<RestEndpointMethodTypes["checks"]["update"]["parameters"]["output"]>["annotations"]
>[number];

/** GitHub takes at most 50 annotations per check-run request; more are sent in further updates. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** Runs every gate on an agent pull request; pure, and never throws on odd input. */
export function evaluateGates(input: GateInput): GateReport {
  const gates = [protectedPaths(input), scope(input), attribution(input), budget(input), issueLink(input)];
  const findings = gates.flatMap((g) => g.findings);
  return { passed: findings.length === 0, gates, findings };
}

/** Every path a change touches: the file and, for a rename, its old path. */
function touched(files: readonly ChangedFile[]): { path: string; line: number | undefined }[] {
  return files.flatMap((f) => [
    { path: f.path, line: f.firstChangedLine },
    ...(f.previousPath !== undefined && f.previousPath !== f.path
      ? [{ path: f.previousPath, line: undefined }]
      : []),
  ]);
}

function protectedPaths({ job, changedFiles }: GateInput): GateResult {
  const findings: Finding[] = [];
  for (const { path, line } of touched(changedFiles)) {
    const glob = firstMatchingGlob(job.protectedPaths, path);
    if (glob === undefined) continue;
    findings.push(
      finding({
        gate: "protected-paths",
        file: path,
        line,
        expected: `no change to a protected path (protectedPaths: ${glob})`,
        found: `${path} is changed`,
        hint: "Revert the change to this file; protected paths are changed by people only.",
      }),
    );
  }
  return result(
    "protected-paths",
    findings,
    `no protected path touched (${job.protectedPaths.length} globs)`,
  );
}

function scope({ job, ownership, changedFiles }: GateInput): GateResult {
  const inScope = globMatcher(job.scope);
  const owned = Object.keys(ownership);
  const shown = listed(job.scope);
  const findings: Finding[] = [];
  const paths = touched(changedFiles);
  for (const { path, line } of paths) {
    if (!isRepoPath(path)) {
      findings.push(
        finding({
          gate: "scope",
          file: path,
          line,
          expected: "a plain path inside the repository",
          found: `the path ${JSON.stringify(path)}`,
          hint: "Remove this file; paths with empty, `.` or `..` segments, backslashes or control characters are refused.",
        }),
      );
      continue;
    }
    if (!inScope(path)) {
      findings.push(
        finding({
          gate: "scope",
          file: path,
          line,
          expected: `changes inside the job's scope: ${shown}`,
          found: `${path} is outside it`,
          hint: "Revert the change to this file, or ask for the scope to be widened in the issue's Files section.",
        }),
      );
      continue;
    }
    // The ownership map may give a path to one agent; another agent's job may not change it.
    const glob = firstMatchingGlob(owned, path);
    const owner = glob === undefined ? undefined : ownership[glob];
    if (owner !== undefined && owner !== job.agent && agentNameSchema.safeParse(owner).success)
      findings.push(
        finding({
          gate: "scope",
          file: path,
          line,
          expected: `only files ${job.agent} may change`,
          found: `${path} belongs to ${owner} (ownership: ${glob})`,
          hint: `Revert the change to this file; ask ${owner}'s task for it instead.`,
        }),
      );
  }
  return result("scope", findings, `${paths.length} changed path(s) inside the scope ${shown}`);
}

function attribution({ job, commits: all, earlierSessions, branchUpdates = [] }: GateInput): GateResult {
  const findings: Finding[] = [];
  const sessions = new Set([job.sessionId, ...earlierSessions]);
  const commits = all.filter((c) => !isBranchUpdate(c, branchUpdates));
  if (commits.length === 0)
    findings.push(
      finding({
        gate: "attribution",
        expected: "at least one commit with Swarm trailers",
        found: "the pull request has no commits",
      }),
    );
  for (const commit of commits) {
    const sha = commit.sha.slice(0, 12);
    const parsed = parseSwarmTrailers(commit.message);
    if (!parsed.ok) {
      findings.push(
        finding({
          gate: "attribution",
          expected: `the trailers ${SWARM_TRAILER_KEYS.join(", ")} in the commit message's last paragraph`,
          found: `commit ${sha}: ${parsed.problems.join("; ")}`,
          hint: "Commit through the agent runtime, which adds the trailers; drop or rewrite commits made any other way.",
        }),
      );
      continue;
    }
    const t = parsed.trailers;
    const wrong: string[] = [];
    if (t["Swarm-Agent"] !== job.agent) wrong.push(`Swarm-Agent ${t["Swarm-Agent"]} (expected ${job.agent})`);
    if (t["Swarm-Task"] !== job.taskId) wrong.push(`Swarm-Task ${t["Swarm-Task"]} (expected ${job.taskId})`);
    if (!sessions.has(t["Swarm-Session"]))
      wrong.push(`Swarm-Session ${t["Swarm-Session"]} (expected ${job.sessionId} or an earlier attempt's)`);
    else if (t["Swarm-Session"] === job.sessionId && t["Swarm-Attempt"] !== job.attempt)
      wrong.push(`Swarm-Attempt ${t["Swarm-Attempt"]} (expected ${job.attempt} for this session)`);
    if (wrong.length > 0)
      findings.push(
        finding({
          gate: "attribution",
          expected: `commits by ${job.agent} for task ${job.taskId}, session ${job.sessionId}`,
          found: `commit ${sha}: ${wrong.join("; ")}`,
          hint: "Only this job's own commits may be on its branch; drop the others.",
        }),
      );
  }
  return result("attribution", findings, `${commits.length} commit(s) by ${job.agent} with Swarm trailers`);
}

/** A merge of the base into a head the app updated: two parents, the first that head, GitHub's message. */
function isBranchUpdate(commit: PullRequestCommit, updatedHeads: readonly string[]): boolean {
  const parents = commit.parents ?? [];
  return (
    parents.length === 2 &&
    updatedHeads.includes(parents[0] ?? "") &&
    /^Merge branch '[^'\n]+' into /.test(commit.message)
  );
}

function budget({ job, usage }: GateInput): GateResult {
  const { limits } = job;
  if (usage === undefined)
    return result(
      "budget",
      [
        finding({
          gate: "budget",
          expected: "a usage report from the agent",
          found: "no usage was reported",
        }),
      ],
      "",
    );
  const findings: Finding[] = [];
  const valid = (n: number) => Number.isFinite(n) && n >= 0;
  if (!valid(usage.tokens) || !valid(usage.usd))
    findings.push(
      finding({
        gate: "budget",
        expected: "usage as non-negative numbers",
        found: `tokens ${usage.tokens}, USD ${usage.usd}`,
      }),
    );
  else {
    if (usage.tokens > limits.tokens)
      findings.push(
        finding({
          gate: "budget",
          expected: `at most ${limits.tokens} tokens`,
          found: `${usage.tokens} tokens used`,
          hint: "Split the task into smaller issues, or raise budgets.agentTokens.",
        }),
      );
    if (usage.usd > limits.usd)
      findings.push(
        finding({
          gate: "budget",
          expected: `at most ${usd(limits.usd)}`,
          found: `${usd(usage.usd)} spent`,
          hint: "Split the task into smaller issues, or raise budgets.taskUsd.",
        }),
      );
  }
  return result(
    "budget",
    findings,
    `${usage.tokens} of ${limits.tokens} tokens, ${usd(usage.usd)} of ${usd(limits.usd)}`,
  );
}

function issueLink({ job, pullRequestBody }: GateInput): GateResult {
  const repo = job.repository.toLowerCase();
  const closes: string[] = [];
  let linked = false;
  for (const { repository, number } of closingKeywordReferences(pullRequestBody, repo)) {
    if (repository === repo && number === job.issue) linked = true;
    else closes.push(repository === repo ? `#${number}` : `${repository}#${number}`);
  }
  const findings = linked
    ? []
    : [
        finding({
          gate: "issue-link",
          expected: `"Closes #${job.issue}" in the pull request body`,
          found:
            closes.length > 0
              ? `it closes ${closes.slice(0, 5).join(", ")} instead`
              : "no closing keyword for the issue",
          hint: `Add the line "Closes #${job.issue}" to the pull request body, outside code blocks, so merging closes the issue.`,
        }),
      ];
  return result("issue-link", findings, `closes #${job.issue}`);
}

function result(gate: GateName, findings: Finding[], passSummary: string): GateResult {
  if (findings.length === 0) return { gate, passed: true, summary: passSummary, findings };
  const files = new Set(findings.map((f) => f.file).filter((f) => f !== undefined)).size;
  const where = files > 0 ? ` in ${files} file(s)` : "";
  return { gate, passed: false, summary: `${findings.length} finding(s)${where}`, findings };
}

/**
 * Builds a finding that always satisfies the contract: texts are cut to the schema's length and
 * stripped of control characters, and a path the schema would refuse moves from `file` into `found`.
 */
function finding(raw: {
  gate: GateName;
  file?: string | undefined;
  line?: number | undefined;
  expected: string;
  found: string;
  hint?: string;
}): Finding {
  return toFinding(raw);
}

function listed(globs: readonly string[]): string {
  return globs.length <= 5
    ? globs.join(", ")
    : `${globs.slice(0, 5).join(", ")} and ${globs.length - 5} more`;
}

function usd(amount: number): string {
  return `$${amount.toFixed(2)}`;
}

/** The Markdown summary of a gate report for the check run: a table with one row per gate, then the findings. */
export function renderGateSummary(report: GateReport, maxFindings = 50): string {
  const rows = report.gates.map(
    (g) => `| ${GATE_TITLES[g.gate]} | ${g.passed ? "✅ passed" : "❌ failed"} | ${inline(g.summary)} |`,
  );
  const lines = [
    `### Swarm gates: ${report.passed ? "passed" : "failed"}`,
    "",
    "| Gate | Result | Details |",
    "| --- | --- | --- |",
    ...rows,
  ];
  if (report.findings.length > 0) {
    lines.push("", "#### Findings", "");
    for (const f of report.findings.slice(0, maxFindings)) {
      const where =
        f.file === undefined
          ? ""
          : ` ${codeSpan(f.line === undefined ? f.file : `${f.file}:${f.line}`, 120)}`;
      const hint = f.hint === undefined ? "" : ` ${inline(f.hint)}`;
      lines.push(`- **${f.gate}**${where}: expected ${inline(f.expected)}; found ${inline(f.found)}.${hint}`);
    }
    const rest = report.findings.length - maxFindings;
    if (rest > 0) lines.push(`- … and ${rest} more finding(s), in the annotations.`);
  }
  return lines.join("\n");
}

// Finding texts hold paths, trailer values and other text an agent wrote: shown as plain text with
// Markdown, HTML and mentions neutralised, so the check run reads as the gate meant it.
function inline(text: string): string {
  return text.replace(/\s+/g, " ").replace(/[\\`*_{}[\]<>|~@]/g, (c) => `\\${c}`);
}

/** Check-run annotations for the findings that name a file, in batches of at most 50 (one request each). */
export function annotationBatches(findings: readonly Finding[]): CheckAnnotation[][] {
  const annotations: CheckAnnotation[] = findings.flatMap((f) => {
    if (f.file === undefined) return [];
    const line = f.line ?? 1;
    const message = [`Expected: ${f.expected}`, `Found: ${f.found}`, ...(f.hint ? [`Hint: ${f.hint}`] : [])];
    return [
      {
        path: f.file,
        start_line: line,
        end_line: line,
        annotation_level: "failure" as const,
        title: `Swarm gate: ${f.gate}`,
        message: message.join("\n"),
      },
    ];
  });
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return batches;
}

/**
 * The findings a rework job carries: all of them when they fit the job's limit, else the most
 * important (gate order, then as found) and one last finding that counts what was left out.
 */
export function reworkFindings(report: GateReport): Finding[] {
  const { findings } = report;
  if (findings.length <= MAX_FINDINGS) return findings;
  const kept = findings.slice(0, MAX_FINDINGS - 1);
  const left = findings.slice(MAX_FINDINGS - 1);
  const byGate = GATES.map((g) => [g, left.filter((f) => f.gate === g).length] as const)
    .filter(([, n]) => n > 0)
    .map(([g, n]) => `${n} ${g}`);
  const gate = GATES.find((g) => g === left[0]?.gate) ?? "scope";
  return [
    ...kept,
    finding({
      gate,
      expected: "every finding fixed",
      found: `${left.length} more finding(s) not listed here (${byGate.join(", ")})`,
      hint: "Fix the listed findings and look for the same problems elsewhere; the gates run again on the next push.",
    }),
  ];
}
