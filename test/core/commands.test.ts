import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { TIERS } from "../../src/core/config/fields.ts";
import { HELP_TEXT, ModelRef, SwarmCommand, parseCommandComment } from "../../src/core/commands.ts";

const SEED = 20261122;
const NO_ARG_NAMES = ["cancel", "status", "pause", "resume", "escalate", "approve", "help"] as const;

function command(body: string): SwarmCommand {
  const r = parseCommandComment(body);
  assert.equal(
    r.kind,
    "command",
    `expected a command from ${JSON.stringify(body)}, got ${JSON.stringify(r)}`,
  );
  return r.command;
}

function error(body: string): string {
  const r = parseCommandComment(body);
  assert.equal(r.kind, "error", `expected an error from ${JSON.stringify(body)}, got ${JSON.stringify(r)}`);
  assert.equal(r.help, HELP_TEXT);
  return r.error;
}

// An oracle written apart from the parser: what the grammar says a model value may be.
function isModelRef(value: string): boolean {
  const ok = (c: string, edge: boolean) => /[A-Za-z0-9]/.test(c) || (!edge && (c === "." || c === "-"));
  return (
    value.length > 0 &&
    value.length <= 100 &&
    [...value].every((c, i, all) => ok(c, i === 0 || i === all.length - 1) && c.length === 1)
  );
}

test("every argument-free command parses to its name", () => {
  for (const name of NO_ARG_NAMES) assert.deepEqual(command(`/swarm ${name}`), { name });
});

test("the help text names every command the schema knows", () => {
  for (const option of SwarmCommand.options)
    assert.match(HELP_TEXT, new RegExp(`/swarm ${option.shape.name.value}`));
});

test("retry without arguments is not fresh and names no model", () => {
  assert.deepEqual(command("/swarm retry"), { name: "retry", fresh: false });
});

test("retry takes a tier or a model id and fresh, in either order", () => {
  assert.deepEqual(command("/swarm retry model=frontier"), {
    name: "retry",
    model: "frontier",
    fresh: false,
  });
  assert.deepEqual(command("/swarm retry fresh model=claude-sonnet-4.5"), {
    name: "retry",
    model: "claude-sonnet-4.5",
    fresh: true,
  });
  assert.deepEqual(command("/swarm retry model=claude-opus-4-1-20250805 fresh"), {
    name: "retry",
    model: "claude-opus-4-1-20250805",
    fresh: true,
  });
});

test("command names and keywords are case-insensitive but model values keep their case", () => {
  assert.deepEqual(command("/SWARM Retry MODEL=Fast FRESH"), { name: "retry", model: "Fast", fresh: true });
});

test("a model value outside letters, digits, dots and dashes is refused with the help", () => {
  const hostile = [
    "model=",
    "model=$(rm -rf /)",
    "model=a;b",
    'model="fast"',
    "model=a/b",
    "model=a_b",
    "model=-fast",
    "model=fast.",
    "model=fa\u0000st",
    "model=fаst", // Cyrillic а
    "model=fast%0a",
    "model=`fast`",
    `model=${"a".repeat(101)}`,
  ];
  for (const arg of hostile) assert.match(error(`/swarm retry ${arg}`), /not a tier name or model id/);
  assert.deepEqual(command(`/swarm retry model=${"a".repeat(100)}`), {
    name: "retry",
    model: "a".repeat(100),
    fresh: false,
  });
});

test("an unknown command is named in the error", () => {
  assert.match(error("/swarm deploy"), /Unknown command `deploy`/);
  assert.match(error("/swarm"), /needs a command/);
});

test("an argument a command does not take is refused, so approve cannot carry a rider", () => {
  assert.match(error("/swarm approve looks good"), /takes no arguments; found `looks`/);
  assert.match(error("/swarm retry now"), /does not take `now`/);
  assert.match(error("/swarm retry fresh fresh"), /`fresh` is given twice/);
  assert.match(error("/swarm retry model=fast model=frontier"), /`model=` is given twice/);
  assert.match(error("/swarm retry fresh=yes"), /does not take `fresh=yes`/);
});

test("only the first command line runs and the others are counted", () => {
  const r = parseCommandComment("thanks!\n/swarm pause\nand then\n/swarm resume\n/swarm cancel");
  assert.deepEqual(r, { kind: "command", command: { name: "pause" }, line: 2, ignored: 2 });
});

test("a bad first command wins over a good second one", () => {
  const r = parseCommandComment("/swarm retyr\n/swarm retry");
  assert.equal(r.kind, "error");
  assert.equal(r.kind === "error" && r.ignored, 1);
});

test("a comment without a command line asks for nothing", () => {
  for (const body of [
    "",
    "lgtm",
    "please /swarm retry",
    "/swarmy retry",
    "/swarm\u00a0retry",
    "x /swarm help",
  ])
    assert.deepEqual(parseCommandComment(body), { kind: "none" });
});

test("up to three spaces of indentation still count; four make a code block", () => {
  assert.deepEqual(command("   /swarm status"), { name: "status" });
  assert.deepEqual(parseCommandComment("    /swarm status"), { kind: "none" });
  assert.deepEqual(parseCommandComment("\t/swarm status"), { kind: "none" });
});

test("quoted lines do not run", () => {
  for (const body of ["> /swarm cancel", "  > /swarm cancel", ">/swarm cancel", "> > /swarm cancel"])
    assert.deepEqual(parseCommandComment(body), { kind: "none" });
  assert.deepEqual(command("> /swarm cancel\n\n/swarm status"), { name: "status" });
});

test("lines in fenced code blocks do not run, whatever the fence", () => {
  assert.deepEqual(parseCommandComment("```\n/swarm cancel\n```"), { kind: "none" });
  assert.deepEqual(parseCommandComment("~~~sh\n/swarm cancel\n~~~"), { kind: "none" });
  assert.deepEqual(
    parseCommandComment("```\n/swarm cancel"),
    { kind: "none" },
    "an unclosed fence runs to the end",
  );
  // A longer fence is not closed by a shorter one, nor by the other fence character.
  assert.deepEqual(parseCommandComment("````md\n```\n/swarm cancel\n```\n~~~\n/swarm pause\n````"), {
    kind: "none",
  });
  // A closing fence may carry no info string, so "```js" inside a block does not close it.
  assert.deepEqual(parseCommandComment("```\n```js\n/swarm cancel\n```"), { kind: "none" });
  assert.deepEqual(command("```\n/swarm cancel\n```\n/swarm status"), { name: "status" });
});

test("an inline code span of backticks on its own line opens no fence", () => {
  assert.deepEqual(command("```not a fence```\n/swarm status"), { name: "status" });
});

test("lines in HTML comments do not run", () => {
  assert.deepEqual(parseCommandComment("<!--\n/swarm approve\n-->"), { kind: "none" });
  assert.deepEqual(command("<!-- note -->\n/swarm status"), { name: "status" });
});

test("line numbers count CRLF and CR line ends", () => {
  const r = parseCommandComment("a\r\nb\r/swarm help");
  assert.equal(r.kind === "command" && r.line, 3);
});

test("user text echoed in an error is cut short, cannot leave its code span and mentions no one", () => {
  const e = error(`/swarm @org/admins\`\u0007\u200b${"x".repeat(200)}`);
  assert.doesNotMatch(e, /[\p{Cc}\u200b]/u);
  assert.equal(e.split("`").length - 1, 2, "exactly one code span");
  assert.match(e, /`@org\/admins'x+…`/);
  assert.ok(e.length < 100);
  assert.match(error("/swarm retry model=\u200b"), /an invisible value/);
});

test("fuzz: any input parses without throwing to a valid result", () => {
  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 300 }),
    fc.string({ unit: "grapheme", maxLength: 300 }),
    fc
      .array(
        fc.constantFrom(
          "/swarm ",
          "retry",
          "model=",
          "fresh",
          "```",
          "~~~",
          "> ",
          "<!--",
          "-->",
          "\n",
          "\r",
          " ",
          "\t",
          "`",
          "\u0000",
          "\u202e",
          "é",
          "🐝",
          "cancel",
          "approve",
          "$(",
          ";",
          "|",
        ),
        { maxLength: 80 },
      )
      .map((parts) => parts.join("")),
  );
  fc.assert(
    fc.property(text, (body) => {
      const r = parseCommandComment(body);
      if (r.kind === "command") {
        assert.ok(SwarmCommand.safeParse(r.command).success);
        assert.ok(r.line >= 1 && r.ignored >= 0);
      } else if (r.kind === "error") {
        assert.equal(r.help, HELP_TEXT);
        assert.doesNotMatch(r.error, /\p{Cc}/u);
        assert.ok(r.error.length < 250);
      }
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

test("fuzz: a model value is accepted exactly when it is letters, digits, dots and dashes", () => {
  const value = fc.oneof(
    fc.string({ unit: fc.constantFrom(..."aZ09.-_/;$`'\"é\u0000+:@"), maxLength: 12 }),
    fc.string({ unit: "binary", maxLength: 120 }),
    fc.stringMatching(/^[A-Za-z0-9.-]{1,110}$/),
  );
  fc.assert(
    fc.property(
      value.filter((v) => !/[\s]/.test(v)),
      (v) => {
        const r = parseCommandComment(`/swarm retry model=${v}`);
        assert.equal(r.kind === "command", isModelRef(v), `value ${JSON.stringify(v)}`);
        if (r.kind === "command") assert.deepEqual(r.command, { name: "retry", model: v, fresh: false });
        assert.equal(ModelRef.safeParse(v).success, isModelRef(v));
      },
    ),
    { seed: SEED, numRuns: 1000 },
  );
});

test("fuzz: a command inside a fence or a quote never runs", () => {
  const anyCommand = fc.constantFrom(...NO_ARG_NAMES, "retry", "retry model=frontier fresh");
  const noise = fc.array(fc.string({ unit: fc.constantFrom(..."ab /`>~-\n"), maxLength: 20 }), {
    maxLength: 4,
  });
  fc.assert(
    fc.property(anyCommand, noise, fc.constantFrom("```", "````", "~~~", "> ", ">"), (name, lines, wrap) => {
      const inner = [...lines.filter((l) => !/^ {0,3}(`{3,}|~{3,})/m.test(l)), `/swarm ${name}`];
      const body = wrap.startsWith(">")
        ? inner.map((l) => `${wrap}${l.replace(/\n/g, `\n${wrap}`)}`).join("\n")
        : `${wrap}\n${inner.join("\n")}\n${wrap}`;
      assert.deepEqual(parseCommandComment(body), { kind: "none" }, JSON.stringify(body));
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

test("fuzz: valid retry commands round-trip through the grammar", () => {
  const tokens = fc.record({
    model: fc.option(fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,20}[A-Za-z0-9])?$/), {
      nil: undefined,
    }),
    fresh: fc.boolean(),
    modelFirst: fc.boolean(),
    gap: fc.stringMatching(/^[ \t]{1,3}$/),
  });
  fc.assert(
    fc.property(tokens, ({ model, fresh, modelFirst, gap }) => {
      const args = [model === undefined ? [] : [`model=${model}`], fresh ? ["fresh"] : []];
      if (!modelFirst) args.reverse();
      const line = ["/swarm", "retry", ...args.flat()].join(gap);
      const expected = model === undefined ? { name: "retry", fresh } : { name: "retry", model, fresh };
      assert.deepEqual(command(`${line}${gap}`), expected);
    }),
    { seed: SEED, numRuns: 1000 },
  );
});

test("hostile sizes parse without throwing", () => {
  const huge = [
    "`".repeat(200_000),
    `/swarm retry model=${"a".repeat(500_000)}`,
    `/swarm ${"x ".repeat(100_000)}`,
    "<!--".repeat(50_000),
    "\n".repeat(200_000) + "/swarm help",
  ];
  for (const body of huge) parseCommandComment(body);
  const last = parseCommandComment("\n".repeat(200_000) + "/swarm help");
  assert.equal(last.kind === "command" && last.line, 200_001);
});

test("the help text names every model tier the config knows", () => {
  for (const tier of TIERS) assert.match(HELP_TEXT, new RegExp(`\`${tier}\``));
});
