import { test } from "node:test";
import assert from "node:assert/strict";
import { codeSpan, proseLines } from "../../src/core/markdown.ts";

const texts = (body: string) => proseLines(body).map((l) => l.text);

test("prose lines keep their line numbers and skip fenced code", () => {
  assert.deepEqual(proseLines("a\n```js\nb\n```\nc"), [
    { text: "a", line: 1 },
    { text: "c", line: 5 },
  ]);
});

test("HTML comments are cut out, within a line and across lines", () => {
  assert.deepEqual(texts("keep <!-- hidden --> this"), ["keep  this"]);
  assert.deepEqual(texts("<!-- only hidden -->\nshown"), ["shown"]);
  assert.deepEqual(texts("before <!-- open\nhidden\nstill --> after\nnext"), ["before ", " after", "next"]);
  assert.deepEqual(texts("<!-- never closed\nhidden"), []);
});

test("a fence inside an HTML comment opens nothing", () => {
  assert.deepEqual(texts("<!--\n```\n-->\nshown"), ["shown"]);
});

test("blank lines stay, so sections keep their shape", () => {
  assert.deepEqual(texts("a\n\nb"), ["a", "", "b"]);
});

test("a code span of user text is cut, cleaned and cannot be escaped", () => {
  assert.equal(codeSpan("abc"), "`abc`");
  assert.equal(codeSpan("a`b"), "`a'b`");
  assert.equal(codeSpan("x".repeat(50), 10), `\`${"x".repeat(10)}…\``);
  assert.equal(codeSpan("\u200b\u0007"), "an invisible value");
  assert.equal(codeSpan(""), "an empty value");
});
