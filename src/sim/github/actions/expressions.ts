// GitHub Actions expressions (`${{ … }}`), as far as workflows run by the offline runner use them:
// literals, contexts and their properties, `!`, comparisons, `&&`, `||`, and the functions
// fromJSON, toJSON, contains, startsWith, endsWith, format and the status checks. Anything else is
// an error naming the expression, so a workflow never runs on a silently empty value.

/** A value an expression can produce (JSON-like, as on GitHub). */
export type ExpressionValue =
  null | boolean | number | string | ExpressionValue[] | { [key: string]: ExpressionValue };

/** The contexts an expression may read (`inputs`, `github`, `secrets`, …) and the job's status. */
export interface ExpressionContext {
  contexts: Record<string, ExpressionValue>;
  /** The job's status so far, for success(), failure(), cancelled() and always(). */
  jobStatus?: "success" | "failure" | "cancelled";
}

/** An expression the evaluator cannot read or evaluate; the message names the expression. */
export class ExpressionError extends Error {
  constructor(expression: string, problem: string) {
    super(`expression \`${expression}\`: ${problem}`);
    this.name = "ExpressionError";
  }
}

type Token =
  | { kind: "literal"; value: ExpressionValue }
  | { kind: "name"; value: string }
  | { kind: "op"; value: string };

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ".", ","];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    if (rest.startsWith("'")) {
      let value = "";
      let j = 1;
      for (;;) {
        if (j >= rest.length) throw new ExpressionError(source, "a string is not closed");
        if (rest[j] === "'") {
          if (rest[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += rest[j];
        j++;
      }
      tokens.push({ kind: "literal", value });
      i += j + 1;
      continue;
    }
    const number = /^(0x[0-9a-fA-F]+|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(rest);
    if (number && !(tokens.at(-1)?.kind === "op" && tokens.at(-1)?.value === ".")) {
      tokens.push({ kind: "literal", value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (name) {
      const word = name[0];
      if (word === "true" || word === "false") tokens.push({ kind: "literal", value: word === "true" });
      else if (word === "null") tokens.push({ kind: "literal", value: null });
      else tokens.push({ kind: "name", value: word });
      i += word.length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new ExpressionError(source, `unexpected "${rest[0] ?? ""}" at ${i + 1}`);
    tokens.push({ kind: "op", value: op });
    i += op.length;
  }
  return tokens;
}

type Node =
  | { kind: "literal"; value: ExpressionValue }
  | { kind: "context"; name: string }
  | { kind: "member"; object: Node; key: Node }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "not"; operand: Node }
  | { kind: "binary"; op: string; left: Node; right: Node };

// Precedence climbing over GitHub's operators: || < && < == != < < <= > >= < ! < member access.
function parse(source: string): Node {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const isOp = (value: string) => peek()?.kind === "op" && peek()?.value === value;
  const expect = (value: string) => {
    if (!isOp(value)) throw new ExpressionError(source, `expected "${value}"`);
    at++;
  };
  const binary = (ops: string[], next: () => Node) => (): Node => {
    let left = next();
    while (peek()?.kind === "op" && ops.includes(peek()?.value as string)) {
      const op = (tokens[at++] as Token).value as string;
      left = { kind: "binary", op, left, right: next() };
    }
    return left;
  };
  const primary = (): Node => {
    const token = tokens[at++];
    if (!token) throw new ExpressionError(source, "ends too early");
    if (token.kind === "literal") return { kind: "literal", value: token.value };
    if (token.kind === "op" && token.value === "(") {
      const inner = or();
      expect(")");
      return inner;
    }
    if (token.kind === "name") {
      if (!isOp("(")) return { kind: "context", name: token.value };
      at++;
      const args: Node[] = [];
      if (!isOp(")"))
        for (;;) {
          args.push(or());
          if (!isOp(",")) break;
          at++;
        }
      expect(")");
      return { kind: "call", name: token.value, args };
    }
    throw new ExpressionError(source, `unexpected "${String(token.value)}"`);
  };
  const member = (): Node => {
    let node = primary();
    for (;;) {
      if (isOp(".")) {
        at++;
        const key = tokens[at++];
        if (key?.kind !== "name") throw new ExpressionError(source, "expected a property name after '.'");
        node = { kind: "member", object: node, key: { kind: "literal", value: key.value } };
      } else if (isOp("[")) {
        at++;
        const key = or();
        expect("]");
        node = { kind: "member", object: node, key };
      } else return node;
    }
  };
  const unary = (): Node => {
    if (isOp("!")) {
      at++;
      return { kind: "not", operand: unary() };
    }
    return member();
  };
  const comparison = binary(["<", "<=", ">", ">="], unary);
  const equality = binary(["==", "!="], comparison);
  const and = binary(["&&"], equality);
  const or = binary(["||"], and);
  const node = or();
  if (at < tokens.length) throw new ExpressionError(source, `unexpected "${String(peek()?.value)}"`);
  return node;
}

/** GitHub's truthiness: false, 0, NaN, '' and null are false. */
export function truthy(value: ExpressionValue): boolean {
  if (typeof value === "number") return value !== 0 && !Number.isNaN(value);
  return !(value === false || value === null || value === "");
}

/** A value as it appears inside a string (null is empty; objects are JSON). */
export function asString(value: ExpressionValue): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value, null, 2);
}

function asNumber(value: ExpressionValue): number {
  if (value === null) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") return value;
  if (typeof value === "string") return value.trim() === "" ? 0 : Number(value);
  return Number.NaN;
}

// Strings compare ignoring case; anything else is compared as numbers (objects only equal themselves).
function compare(op: string, a: ExpressionValue, b: ExpressionValue): boolean {
  if (typeof a === "object" && a !== null) return a === b ? op.includes("=") && op !== "!=" : op === "!=";
  const bothStrings = typeof a === "string" && typeof b === "string";
  const l = bothStrings ? a.toLowerCase() : asNumber(a);
  const r = bothStrings ? b.toLowerCase() : asNumber(b);
  switch (op) {
    case "==":
      return l === r;
    case "!=":
      return l !== r;
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    default:
      return l >= r;
  }
}

function property(object: ExpressionValue, key: ExpressionValue): ExpressionValue {
  if (Array.isArray(object)) {
    const index = asNumber(key);
    return Number.isInteger(index) ? (object[index] ?? null) : null;
  }
  if (object === null || typeof object !== "object") return null;
  const name = asString(key);
  // Context and property names are case-insensitive on GitHub.
  const match = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return match === undefined ? null : (object[match] ?? null);
}

/** A JSON-like value (workflow inputs, an event payload) as an expression value. */
export function expressionValue(value: unknown): ExpressionValue {
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string")
    return value;
  if (Array.isArray(value)) return value.map(expressionValue);
  if (typeof value === "object")
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, expressionValue(v)]));
  return null;
}

function evaluateNode(node: Node, source: string, context: ExpressionContext): ExpressionValue {
  const run = (n: Node) => evaluateNode(n, source, context);
  switch (node.kind) {
    case "literal":
      return node.value;
    case "context": {
      const key = Object.keys(context.contexts).find((k) => k.toLowerCase() === node.name.toLowerCase());
      if (key === undefined)
        throw new ExpressionError(
          source,
          `unknown context "${node.name}" (available: ${Object.keys(context.contexts).join(", ")})`,
        );
      return context.contexts[key] ?? null;
    }
    case "member":
      return property(run(node.object), run(node.key));
    case "not":
      return !truthy(run(node.operand));
    case "binary": {
      if (node.op === "&&") {
        const left = run(node.left);
        return truthy(left) ? run(node.right) : left;
      }
      if (node.op === "||") {
        const left = run(node.left);
        return truthy(left) ? left : run(node.right);
      }
      return compare(node.op, run(node.left), run(node.right));
    }
    case "call":
      return call(node, source, context, node.args.map(run));
  }
}

function call(
  node: Extract<Node, { kind: "call" }>,
  source: string,
  context: ExpressionContext,
  args: ExpressionValue[],
): ExpressionValue {
  const name = node.name.toLowerCase();
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max)
      throw new ExpressionError(
        source,
        `${node.name}() takes ${min === max ? min : `${min}-${max}`} argument(s)`,
      );
  };
  const status = context.jobStatus ?? "success";
  switch (name) {
    case "fromjson": {
      arity(1);
      const text = asString(args[0] ?? null);
      try {
        return expressionValue(JSON.parse(text));
      } catch (error) {
        throw new ExpressionError(source, `fromJSON: not JSON (${(error as Error).message})`);
      }
    }
    case "tojson":
      arity(1);
      return JSON.stringify(args[0] ?? null, null, 2);
    case "contains": {
      arity(2);
      const [hay = null, needle = null] = args;
      if (Array.isArray(hay)) return hay.some((item) => compare("==", item, needle));
      return asString(hay).toLowerCase().includes(asString(needle).toLowerCase());
    }
    case "startswith":
      arity(2);
      return asString(args[0] ?? null)
        .toLowerCase()
        .startsWith(asString(args[1] ?? null).toLowerCase());
    case "endswith":
      arity(2);
      return asString(args[0] ?? null)
        .toLowerCase()
        .endsWith(asString(args[1] ?? null).toLowerCase());
    case "format": {
      if (args.length < 1) throw new ExpressionError(source, "format() needs a format string");
      const values = args.slice(1);
      return asString(args[0] ?? null).replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index: string | undefined) => {
        if (match === "{{") return "{";
        if (match === "}}") return "}";
        const value = values[Number(index)];
        if (value === undefined) throw new ExpressionError(source, `format(): no argument {${index}}`);
        return asString(value);
      });
    }
    case "success":
      arity(0);
      return status === "success";
    case "failure":
      arity(0);
      return status === "failure";
    case "cancelled":
      arity(0);
      return status === "cancelled";
    case "always":
      arity(0);
      return true;
    default:
      throw new ExpressionError(source, `the function ${node.name}() is not supported by the offline runner`);
  }
}

/** Evaluates one expression (the text inside `${{ }}`). */
export function evaluate(expression: string, context: ExpressionContext): ExpressionValue {
  return evaluateNode(parse(expression), expression, context);
}

/**
 * The `${{ }}` parts of a text, in order: where each starts and ends and the expression inside.
 * A `}}` inside a quoted string does not end an expression.
 */
function expressionsIn(text: string): Array<{ start: number; end: number; inner: string }> {
  const found: Array<{ start: number; end: number; inner: string }> = [];
  let at = text.indexOf("${{");
  while (at !== -1) {
    let i = at + 3;
    let quoted = false;
    for (; i < text.length; i++) {
      if (text[i] === "'") quoted = !quoted;
      else if (!quoted && text.startsWith("}}", i)) break;
    }
    if (i >= text.length) throw new ExpressionError(text.slice(at), "is not closed with }}");
    found.push({ start: at, end: i + 2, inner: text.slice(at + 3, i) });
    at = text.indexOf("${{", i + 2);
  }
  return found;
}

/**
 * A workflow value with its `${{ }}` parts evaluated: a value that is one whole expression keeps
 * its type; text around expressions makes a string. Non-string values pass unchanged.
 */
export function interpolate(value: unknown, context: ExpressionContext): ExpressionValue {
  if (typeof value !== "string") return expressionValue(value);
  const parts = expressionsIn(value);
  const [only] = parts;
  if (
    parts.length === 1 &&
    only &&
    value.slice(0, only.start).trim() === "" &&
    value.slice(only.end).trim() === ""
  )
    return evaluate(only.inner, context);
  let out = "";
  let last = 0;
  for (const part of parts) {
    out += value.slice(last, part.start) + asString(evaluate(part.inner, context));
    last = part.end;
  }
  return out + value.slice(last);
}

/**
 * A step's or job's `if:`: an expression with or without `${{ }}`; without a status function it
 * means `success() && (…)`, as on GitHub.
 */
export function condition(value: unknown, context: ExpressionContext): boolean {
  if (value === undefined) return (context.jobStatus ?? "success") === "success";
  if (typeof value === "boolean") return value && (context.jobStatus ?? "success") === "success";
  const text = String(value).trim();
  const inner = /^\$\{\{([\s\S]*)\}\}$/.exec(text)?.[1] ?? text;
  const result = evaluate(inner, context);
  const usesStatus = /\b(success|failure|cancelled|always)\s*\(/i.test(inner);
  return usesStatus ? truthy(result) : (context.jobStatus ?? "success") === "success" && truthy(result);
}
