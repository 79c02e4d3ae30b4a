import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node as YamlNode, Pair } from "yaml";
import type * as z from "zod";
import { configSchema } from "./schema.ts";
import type { SwarmConfig } from "./schema.ts";
import { didYouMean } from "./did-you-mean.ts";
import { formatPath } from "./key-path.ts";

/** One thing wrong in a config file, located in its text. */
export interface ConfigProblem {
  /** 1-based line of the offending key or value. */
  line: number;
  /** 1-based column of the offending key or value. */
  column: number;
  /** Key path such as `models.routing[0].tier`; empty for the document as a whole. */
  path: string;
  /** What the schema wants there. */
  expected: string;
  /** What the file has there, as written. */
  found: string;
  /** A likely fix, such as the key that an unknown key probably meant. */
  hint?: string;
}

/** A parsed config, or every problem found in it. */
export type ConfigResult = { ok: true; config: SwarmConfig } | { ok: false; problems: ConfigProblem[] };

type Path = readonly PropertyKey[];

/** Parses and validates the text of `.github/swarm.yml`; an empty file gives the defaults. */
export function parseConfig(text: string): ConfigResult {
  const lines = new LineCounter();
  // Duplicate keys are errors: a second `maxAgents` must not silently replace the first.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0)
    return {
      ok: false,
      problems: doc.errors.map((error) => {
        const line = error.linePos?.[0].line ?? 1;
        const column = error.linePos?.[0].col ?? 1;
        if (error.code === "DUPLICATE_KEY") {
          const key = (text.split("\n")[line - 1] ?? "")
            .slice(column - 1)
            .split(":", 1)[0]
            ?.trim();
          return {
            line,
            column,
            path: "",
            expected: "each key once",
            found: `a second ${JSON.stringify(key)}`,
          };
        }
        const what = firstLine(error.message).replace(/ at line \d+, column \d+:?$/, "");
        return { line, column, path: "", expected: "valid YAML", found: `a syntax error: ${what}` };
      }),
    };
  let data: unknown;
  try {
    // The default alias limit stops a "billion laughs" document from expanding without bound.
    data = doc.toJS() ?? {};
  } catch (error) {
    return {
      ok: false,
      problems: [{ line: 1, column: 1, path: "", expected: "valid YAML", found: firstLine(String(error)) }],
    };
  }
  const result = configSchema.safeParse(data);
  if (result.success) return { ok: true, config: result.data };
  const problems = result.error.issues.flatMap((issue) => problemsOf(issue, { text, doc, lines }));
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { ok: false, problems };
}

/** One problem as `file:line:column  path: expected …, found …`, the form `config check` prints. */
export function formatProblem(file: string, problem: ConfigProblem): string {
  const where = problem.path === "" ? "" : `${problem.path}: `;
  const hint = problem.hint === undefined ? "" : ` (${problem.hint})`;
  return `${file}:${problem.line}:${problem.column}  ${where}expected ${problem.expected}, found ${problem.found}${hint}`;
}

interface Source {
  text: string;
  doc: Document;
  lines: LineCounter;
}

function problemsOf(issue: z.core.$ZodIssue, source: Source): ConfigProblem[] {
  const { doc, lines } = source;
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    const known = keysAt(configSchema, path);
    return issue.keys.map((key) => {
      const suggestion = didYouMean(key, known);
      return {
        ...positionOf(keyNode(doc, [...path, key]) ?? nearestNode(doc, path), lines),
        path: formatPath([...path, key]),
        expected: known.length > 0 ? `one of the keys ${known.join(", ")}` : "no key here",
        found: `unknown key "${key}"`,
        ...(suggestion === undefined ? {} : { hint: `did you mean "${suggestion}"?` }),
      };
    });
  }
  if (issue.code === "invalid_key") {
    const inner = issue.issues[0];
    return [
      {
        ...positionOf(keyNode(doc, path) ?? nearestNode(doc, path), lines),
        path: formatPath(path),
        expected: `a key that is ${inner === undefined ? "valid" : expectedOf(inner)}`,
        found: JSON.stringify(String(path.at(-1))),
      },
    ];
  }
  const node = doc.getIn(path as unknown[], true) as YamlNode | undefined;
  return [
    {
      ...positionOf(node ?? nearestNode(doc, path), lines),
      path: formatPath(path),
      expected: expectedOf(issue),
      found: node === undefined ? "nothing (the key is missing)" : describe(node, source.text),
    },
  ];
}

/** Describes in words what a zod issue wanted. */
function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return typeName(issue.expected);
    case "too_small":
    case "too_big": {
      const small = issue.code === "too_small";
      const bound = small ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      if (issue.origin === "string") return `text of ${small ? "at least" : "at most"} ${bound} characters`;
      if (issue.origin === "array" || issue.origin === "set")
        return `a list of ${small ? "at least" : "at most"} ${bound} items`;
      const op = small ? (inclusive ? "≥" : ">") : inclusive ? "≤" : "<";
      return `a number ${op} ${bound}`;
    }
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    default:
      // Formats and refinements carry the schema's own wording of what it wants.
      return issue.message;
  }
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    number: "a number",
    int: "a whole number",
    string: "text",
    boolean: "true or false",
    array: "a list",
    object: "a mapping of keys to values",
    record: "a mapping of keys to values",
  };
  return names[expected] ?? expected;
}

/** What a YAML node holds, as the person wrote it. */
function describe(node: YamlNode, text: string): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    if (node.value === null) return "nothing";
    const source = node.range ? text.slice(node.range[0], node.range[1]) : String(node.value);
    return source.length > 60 ? `${source.slice(0, 57)}...` : source;
  }
  return "an alias";
}

/** The key node of the pair at `path`, for problems that are about the key itself. */
function keyNode(doc: Document, path: Path): YamlNode | undefined {
  const parent =
    doc.getIn(path.slice(0, -1) as unknown[], true) ?? (path.length === 1 ? doc.contents : undefined);
  const map = path.length === 1 ? doc.contents : parent;
  if (!isMap(map)) return undefined;
  const key = path.at(-1);
  const pair = (map.items as Pair[]).find(
    (item) => isScalar(item.key) && String(item.key.value) === String(key),
  );
  return pair?.key as YamlNode | undefined;
}

/** The deepest node that exists along `path`, so a missing key is reported at its parent. */
function nearestNode(doc: Document, path: Path): YamlNode | undefined {
  for (let depth = path.length - 1; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as YamlNode | undefined;
    if (node !== undefined) return node;
  }
  return (doc.contents as YamlNode | null) ?? undefined;
}

function positionOf(node: YamlNode | undefined, lines: LineCounter): { line: number; column: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/** The keys an object schema accepts at `path`, for "did you mean" suggestions. */
function keysAt(schema: z.core.$ZodType, path: Path): string[] {
  let current: z.core.$ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (current === undefined) return [];
    const def = current._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    if (def.type === "object") current = (def.shape as Record<string, z.core.$ZodType>)[String(segment)];
    else if (def.type === "array") current = def.element as z.core.$ZodType;
    else if (def.type === "record") current = def.valueType as z.core.$ZodType;
    else return [];
    current = current === undefined ? undefined : unwrap(current);
  }
  if (current === undefined) return [];
  const def = current._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  return def.type === "object" ? Object.keys(def.shape as object) : [];
}

/** Looks through defaults, optionals and transforms to the schema that shapes the data. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    if ("innerType" in def) current = def.innerType as z.core.$ZodType;
    else if (def.type === "pipe") current = def.in as z.core.$ZodType;
    else return current;
  }
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0] ?? text;
}
