import { distance } from "fastest-levenshtein";
import { type SwarmConfig } from "./config/schema.ts";
import { globSchema } from "./config/fields.ts";
import { firstMatchingGlob, isRepoPath } from "./globs.ts";
import { codeSpan, proseLines, type MarkdownLine } from "./markdown.ts";

/** The items of the decomposition checklist, in the order the comment shows them. */
export const SPEC_CHECKS = ["acceptance-criteria", "file-scope", "dependencies", "not-duplicate"] as const;
export type SpecCheck = (typeof SPEC_CHECKS)[number];

const CHECK_TITLES: Record<SpecCheck, string> = {
  "acceptance-criteria": "Acceptance criteria",
  "file-scope": "File scope",
  dependencies: "Dependencies resolved",
  "not-duplicate": "Not a duplicate of a running task",
};

/** A task the swarm is working on now, as the duplicate check sees it. */
export interface RunningTask {
  issue: number;
  title: string;
  scope: readonly string[];
}

/** What the spec lint reads: the issue, the ownership map, and what the caller looked up for it. */
export interface SpecLintInput {
  issue: { number: number; title: string; body: string; labels: readonly string[] };
  ownership: SwarmConfig["ownership"];
  /** The state of each issue `dependencyReferences` found; a missing one counts as unresolved. */
  dependencyStates: ReadonlyMap<number, "open" | "closed">;
  running: readonly RunningTask[];
}

/** One checklist item's outcome; a failed one says what to do. */
export interface SpecCheckResult {
  check: SpecCheck;
  passed: boolean;
  message: string;
}

/** The spec lint's verdict with the checklist comment to post on the issue. */
export type SpecLintResult = {
  checks: SpecCheckResult[];
  /** Markdown for the issue comment: the checklist with a box per item. */
  comment: string;
} & (
  | {
      ok: true;
      /** Globs the job may change: declared in the issue, or the globs of the areas it maps to. */
      scope: string[];
      /** Owners (areas or agents) from the ownership map that the scope falls in. */
      areas: string[];
    }
  | { ok: false; failures: SpecCheckResult[] }
);

/** Checks an issue against the decomposition checklist; never throws. */
export function lintSpec(input: SpecLintInput): SpecLintResult {
  const lines = proseLines(input.issue.body);
  const scope = fileScope(lines, input.issue.labels, input.ownership);
  const checks: SpecCheckResult[] = [
    acceptanceCriteria(lines),
    scope.result,
    dependencies(input.issue.number, lines, input.dependencyStates),
    notDuplicate(input.issue, scope.globs, input.running),
  ];
  const failures = checks.filter((c) => !c.passed);
  const comment = renderChecklist(checks);
  if (failures.length > 0) return { ok: false, failures, checks, comment };
  return { ok: true, scope: scope.globs, areas: scope.areas, checks, comment };
}

/** The issue numbers a body says it depends on or is blocked by, so the caller can look up their states. */
export function dependencyReferences(body: string): number[] {
  return dependencyNumbers(proseLines(body));
}

const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(.*)$/;
const TASK_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])\s+\[[ xX]\]\s+\S/;
const ACCEPTANCE_HEADING =
  /\b(acceptance\s+criteria|acceptance|done\s+when|definition\s+of\s+done|success\s+criteria)\b/i;
const SCOPE_HEADING = /^(files?|file\s+scope|scope|paths?|touches)$/i;

function acceptanceCriteria(lines: MarkdownLine[]): SpecCheckResult {
  const tasks = lines.filter((l) => TASK_ITEM.test(l.text)).length;
  const section = sections(lines).find((s) => ACCEPTANCE_HEADING.test(s.heading) && s.content.length > 0);
  if (section)
    return pass("acceptance-criteria", `${codeSpan(section.heading)} section (line ${section.line})`);
  if (tasks > 0) return pass("acceptance-criteria", `task list with ${tasks} item(s)`);
  return fail(
    "acceptance-criteria",
    'Add a "## Acceptance criteria" (or "Done when") section, or a task list of `- [ ] …` items, that says how to tell the task is done.',
  );
}

interface ScopeFinding {
  result: SpecCheckResult;
  globs: string[];
  areas: string[];
}

function fileScope(
  lines: MarkdownLine[],
  labels: readonly string[],
  ownership: Record<string, string>,
): ScopeFinding {
  const owned = Object.keys(ownership);
  const areaOf = (path: string) => {
    const glob = firstMatchingGlob(owned, path);
    return glob === undefined ? undefined : ownership[glob];
  };
  const section = sections(lines).find((s) => SCOPE_HEADING.test(s.heading.replace(/[:*_]/g, "").trim()));
  if (section) {
    const globs: string[] = [];
    const problems: string[] = [];
    for (const line of section.content) {
      const item = LIST_ITEM.exec(line.text)?.[1];
      if (item === undefined) continue;
      const spans = [...item.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
      const entries = spans.length > 0 ? spans : [item.trim().split(/\s+/)[0] ?? ""];
      for (const entry of entries) {
        const glob = scopeGlob(entry);
        if (glob === undefined) problems.push(`line ${line.line}: ${codeSpan(entry)}`);
        else globs.push(glob);
      }
    }
    if (problems.length > 0)
      return {
        result: fail(
          "file-scope",
          `These ${codeSpan(section.heading)} entries are not paths or globs relative to the repository root (write each in backticks, e.g. \`src/auth/**\`): ${problems.slice(0, 5).join(", ")}${problems.length > 5 ? ", …" : ""}.`,
        ),
        globs: [],
        areas: [],
      };
    if (globs.length === 0)
      return {
        result: fail(
          "file-scope",
          `The ${codeSpan(section.heading)} section (line ${section.line}) lists no path or glob: list each as a bullet with the path in backticks, e.g. \`src/auth/**\`.`,
        ),
        globs: [],
        areas: [],
      };
    const unique = [...new Set(globs)];
    const areas = unique.map(areaOf).filter((a) => a !== undefined);
    return {
      result: pass(
        "file-scope",
        `declared in ${codeSpan(section.heading)}: ${unique.length} path(s) or glob(s)`,
      ),
      globs: unique,
      areas: [...new Set(areas)].sort(),
    };
  }
  // No declared scope: infer it from the ownership map, by label first, then by mentioned paths.
  const areaNames = [...new Set(Object.values(ownership))];
  const byLabel = labels
    .map((label) => label.toLowerCase().replace(/^area[:/]\s*/, ""))
    .flatMap((label) => areaNames.filter((area) => area.toLowerCase() === label));
  const mentioned = lines.flatMap((l) => [...l.text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1] ?? ""));
  const byPath = mentioned
    .filter(isRepoPath)
    .map(areaOf)
    .filter((a) => a !== undefined);
  const areas = [...new Set(byLabel.length > 0 ? byLabel : byPath)].sort();
  if (areas.length > 0) {
    const globs = owned.filter((glob) => areas.includes(ownership[glob] ?? ""));
    const how = byLabel.length > 0 ? "the issue's labels" : "the paths it mentions";
    return {
      result: pass(
        "file-scope",
        `inferred from ${how}: area(s) ${areas.map((a) => codeSpan(a)).join(", ")} of the ownership map`,
      ),
      globs,
      areas,
    };
  }
  const known =
    areaNames.length > 0
      ? ` or label it with an area of the ownership map (${areaNames
          .slice(0, 8)
          .map((a) => codeSpan(a))
          .join(", ")}${areaNames.length > 8 ? ", …" : ""})`
      : "";
  return {
    result: fail(
      "file-scope",
      `Add a "## Files" section listing the paths or globs the change may touch (e.g. \`src/auth/**\`)${known}.`,
    ),
    globs: [],
    areas: [],
  };
}

/** A scope entry as a config glob: `./` dropped, a trailing `/` meaning everything below; undefined when invalid. */
function scopeGlob(entry: string): string | undefined {
  let glob = entry.trim().replace(/^\.\//, "");
  if (glob.endsWith("/")) glob = `${glob}**`;
  if (!globSchema.safeParse(glob).success) return undefined;
  // A scope must not climb out of the repository or be a bare word that is no path.
  if (glob.split("/").some((s) => s === ".." || s === "." || s === "")) return undefined;
  return /[/.*]/.test(glob) ? glob : undefined;
}

function dependencyNumbers(lines: MarkdownLine[]): number[] {
  const numbers = new Set<number>();
  for (const { text } of lines)
    for (const m of text.matchAll(
      /\b(?:depends\s+on|blocked\s+by)\s*(?::\s*)?((?:#\d{1,9}(?:\s*(?:,|and|&)?\s*))+)/gi,
    ))
      for (const n of (m[1] ?? "").matchAll(/#(\d{1,9})/g)) numbers.add(Number(n[1]));
  return [...numbers].sort((a, b) => a - b);
}

function dependencies(
  self: number,
  lines: MarkdownLine[],
  states: ReadonlyMap<number, "open" | "closed">,
): SpecCheckResult {
  const refs = dependencyNumbers(lines).filter((n) => n !== self);
  if (refs.length === 0) return pass("dependencies", "none declared");
  const open = refs.filter((n) => states.get(n) === "open");
  const unknown = refs.filter((n) => !states.has(n));
  if (open.length === 0 && unknown.length === 0)
    return pass("dependencies", `${refs.map((n) => `#${n}`).join(", ")} closed`);
  const parts = [];
  if (open.length > 0) parts.push(`${open.map((n) => `#${n}`).join(", ")} still open`);
  if (unknown.length > 0) parts.push(`${unknown.map((n) => `#${n}`).join(", ")} not found`);
  return fail(
    "dependencies",
    `Depends on ${parts.join("; ")}: wait until they are closed, or remove the "depends on" / "blocked by" line if the task can start now.`,
  );
}

/**
 * A duplicate, conservatively: a running task with the same title once case, punctuation and
 * spacing are set aside, or with the very same scope and a title at least 80% alike. Similar work
 * in different files is not a duplicate; merging conflicts there is the merge queue's job.
 */
function notDuplicate(
  issue: { number: number; title: string },
  scope: readonly string[],
  running: readonly RunningTask[],
): SpecCheckResult {
  const title = normaliseTitle(issue.title);
  const ownScope = [...new Set(scope)].sort().join("\n");
  for (const task of running) {
    if (task.issue === issue.number) continue;
    const other = normaliseTitle(task.title);
    const sameTitle = title !== "" && other === title;
    const sameScope = ownScope !== "" && [...new Set(task.scope)].sort().join("\n") === ownScope;
    if (sameTitle || (sameScope && similarity(title, other) >= 0.8))
      return fail(
        "not-duplicate",
        `Looks like a duplicate of #${task.issue} ${codeSpan(task.title, 60)} (${sameTitle ? "same title" : "same scope, similar title"}): close one, or say in the title and scope how they differ.`,
      );
  }
  return pass("not-duplicate", `no running task has the same title or scope (${running.length} running)`);
}

function normaliseTitle(title: string): string {
  return title
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - distance(a, b) / longest;
}

interface Section {
  heading: string;
  line: number;
  content: MarkdownLine[];
}

/** Splits prose into sections under ATX headings, bold lines and "Label:" lines. */
function sections(lines: MarkdownLine[]): Section[] {
  const found: Section[] = [];
  let current: Section | undefined;
  for (const line of lines) {
    const heading = headingText(line.text);
    if (heading !== undefined) {
      current = { heading, line: line.line, content: [] };
      found.push(current);
    } else if (current && line.text.trim() !== "") {
      current.content.push(line);
    }
  }
  return found;
}

// Written with string operations rather than one regular expression: a lazy group followed by
// optional blanks backtracks quadratically or worse on long lines, and issue bodies are user input.
function headingText(text: string): string | undefined {
  const atx = /^ {0,3}#{1,6}(?:[ \t]|$)/.exec(text);
  if (atx)
    return (
      text
        .slice(atx[0].length)
        .trim()
        .replace(/[ \t]#+$/, "")
        .trim() || undefined
    );
  const line = text.trim().replace(/:$/, "");
  for (const mark of ["**", "__"])
    if (line.length > 4 && line.startsWith(mark) && line.endsWith(mark))
      return line.slice(2, -2).replace(/:$/, "").trim() || undefined;
  const label = /^([A-Za-z][A-Za-z ]{1,40}):$/.exec(text.trim());
  return label?.[1];
}

function pass(check: SpecCheck, message: string): SpecCheckResult {
  return { check, passed: true, message };
}

function fail(check: SpecCheck, message: string): SpecCheckResult {
  return { check, passed: false, message };
}

function renderChecklist(checks: SpecCheckResult[]): string {
  const ok = checks.every((c) => c.passed);
  return [
    `### Swarm spec check: ${ok ? "ready" : "needs work"}`,
    "",
    ...checks.map((c) => `- [${c.passed ? "x" : " "}] **${CHECK_TITLES[c.check]}**: ${c.message}`),
    "",
    ok
      ? "The task meets the decomposition checklist."
      : "Edit the issue to fix the unchecked items; the swarm takes the task once every box is ticked.",
  ].join("\n");
}
