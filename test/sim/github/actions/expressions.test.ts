import assert from "node:assert/strict";
import { test } from "node:test";
import {
  condition,
  evaluate,
  ExpressionError,
  interpolate,
  type ExpressionContext,
} from "../../../../src/sim/github/actions/expressions.ts";

const context: ExpressionContext = {
  contexts: {
    inputs: { job: '{"taskId":"acme/widgets#7","limits":{"jobMinutes":30}}', flag: true },
    secrets: { API_KEY: "sk-1" },
    github: { ref_name: "main", event: { inputs: null } },
  },
};

test("reads contexts, properties (ignoring case) and the JSON inside an input", () => {
  assert.equal(evaluate("fromJSON(inputs.job).taskId", context), "acme/widgets#7");
  assert.equal(evaluate("fromJSON(inputs.job).limits['jobMinutes']", context), 30);
  assert.equal(evaluate("Secrets.api_key", context), "sk-1");
  assert.equal(evaluate("secrets.MISSING", context), null, "an unset secret is empty, as on GitHub");
  assert.equal(evaluate("github.event.inputs.job", context), null);
});

test("operators and functions follow GitHub's rules", () => {
  assert.equal(evaluate("github.ref_name == 'MAIN'", context), true, "strings compare ignoring case");
  assert.equal(evaluate("inputs.flag && 'yes' || 'no'", context), "yes");
  assert.equal(evaluate("!inputs.flag", context), false);
  assert.equal(evaluate("'3' == 3", context), true);
  assert.equal(evaluate("format('{0}-{1} {{x}}', 'a', 1)", context), "a-1 {x}");
  assert.equal(evaluate("contains(fromJSON('[\"a\",\"b\"]'), 'B')", context), true);
  assert.equal(evaluate("startsWith(github.ref_name, 'ma') && endsWith('x.ts', '.TS')", context), true);
  assert.equal(evaluate("toJSON(fromJSON('{\"a\":[1]}'))", context), '{\n  "a": [\n    1\n  ]\n}');
  assert.equal(evaluate("'it''s'", context), "it's");
});

test("a whole expression keeps its type; text around expressions makes a string", () => {
  assert.equal(interpolate("${{ fromJSON(inputs.job).limits.jobMinutes }}", context), 30);
  assert.equal(interpolate("group-${{ fromJSON(inputs.job).taskId }}", context), "group-acme/widgets#7");
  assert.equal(
    interpolate("${{ format('{{{0}}}', 'x') }}!", context),
    "{x}!",
    "a }} inside a string does not end it",
  );
  assert.equal(interpolate(70, context), 70);
});

test("a step condition means success() && … unless it names a status function", () => {
  assert.equal(condition(undefined, { ...context, jobStatus: "failure" }), false);
  assert.equal(condition("${{ inputs.flag }}", { ...context, jobStatus: "failure" }), false);
  assert.equal(condition("always()", { ...context, jobStatus: "failure" }), true);
  assert.equal(condition("failure() && inputs.flag", { ...context, jobStatus: "failure" }), true);
  assert.equal(condition("cancelled()", { ...context, jobStatus: "success" }), false);
});

test("what the evaluator cannot read is an error naming the expression, never an empty value", () => {
  assert.throws(
    () => evaluate("nosuch.thing", context),
    /expression `nosuch.thing`: unknown context "nosuch"/,
  );
  assert.throws(() => evaluate("hashFiles('**/x')", context), /hashFiles\(\) is not supported/);
  assert.throws(() => evaluate("fromJSON('{')", context), /fromJSON: not JSON/);
  assert.throws(() => evaluate("inputs.job ==", context), ExpressionError);
  assert.throws(() => interpolate("${{ inputs.job", context), /is not closed/);
});
