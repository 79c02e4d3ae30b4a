import { breaksATest } from "../anthropic/behaviours/breaks-a-test.ts";
import { fixesOnRework } from "../anthropic/behaviours/fixes-on-rework.ts";
import { implementsCorrectly } from "../anthropic/behaviours/implements-correctly.ts";
import { outOfScopeEdit } from "../anthropic/behaviours/out-of-scope-edit.ts";
import type { Script } from "../anthropic/script.ts";
import type { Edit } from "../anthropic/behaviours/steps.ts";

/** What the offline model does on an issue: a behaviour and the edits it makes. */
export type DemoPlan =
  | { behaviour: "implements correctly"; edits: Edit[]; summary: string }
  /** Breaks a test on every attempt, so the task ends with a person. */
  | { behaviour: "keeps breaking a test"; edits: Edit[]; summary: string }
  /** Breaks a test at first and applies `fix` when the rejection comes back as a rework. */
  | { behaviour: "fixes a broken test on rework"; edits: Edit[]; fix: Edit[]; summary: string }
  | { behaviour: "edits out of scope"; edits: Edit[]; outOfScope: Edit };

/** One issue of the demo and how the offline model behaves on it. */
export interface DemoIssue {
  title: string;
  body: string;
  plan: DemoPlan;
}

/** The offline Anthropic's script for a plan. */
export function scriptOf(plan: DemoPlan): Script {
  switch (plan.behaviour) {
    case "implements correctly":
      return implementsCorrectly({ edits: plan.edits, summary: plan.summary });
    case "keeps breaking a test":
      return breaksATest({ edits: plan.edits, summary: plan.summary });
    case "fixes a broken test on rework":
      return fixesOnRework({ edits: plan.edits, fix: plan.fix, summary: plan.summary });
    case "edits out of scope":
      return outOfScopeEdit({ edits: plan.edits, outOfScope: plan.outOfScope });
  }
}

function body(summary: string, criteria: string[], files: string[]): string {
  return [
    summary,
    "",
    "## Acceptance criteria",
    ...criteria.map((c) => `- [ ] ${c}`),
    "",
    "## Files",
    ...files.map((f) => `- \`${f}\``),
    "",
  ].join("\n");
}

/**
 * The five issues, of different kinds: two the agent implements correctly; one where it breaks a
 * test on every attempt (the task ends with a person); one where it breaks a test and fixes it
 * when the rejection comes back; one where it also tries to edit a file outside the issue's scope
 * (the sandbox refuses the write). Each has acceptance criteria and a file scope so the spec lint
 * passes.
 */
export function demoIssues(): DemoIssue[] {
  return [
    {
      title: "Show prices with a euro sign",
      body: body(
        "Prices read `12.34 EUR`; shoppers expect `€12.34`.",
        ["`formatPrice(1234)` returns `€12.34`", "the price test covers it"],
        ["src/price.js", "test/price.test.js"],
      ),
      plan: {
        behaviour: "implements correctly",
        edits: [
          {
            path: "src/price.js",
            oldString: "`${(cents / 100).toFixed(2)} EUR`",
            newString: "`€${(cents / 100).toFixed(2)}`",
          },
          { path: "test/price.test.js", oldString: '"12.34 EUR"', newString: '"€12.34"' },
        ],
        summary: "Prices now start with a euro sign.",
      },
    },
    {
      title: "Cart total ignores a discount",
      body: body(
        "A cart line may carry `discountCents`, taken off its line total.",
        ["a line's discount is subtracted from its total", "a test covers a discounted line"],
        ["src/cart.js", "test/cart.test.js"],
      ),
      plan: {
        behaviour: "implements correctly",
        edits: [
          {
            path: "src/cart.js",
            oldString: "line.unitCents * line.quantity;",
            newString: "line.unitCents * line.quantity - (line.discountCents ?? 0);",
          },
          {
            path: "test/cart.test.js",
            oldString: "\n});\n",
            newString:
              '\n});\n\ntest("subtracts a line\'s discount", () => {\n  assert.equal(cartTotal([{ unitCents: 500, quantity: 1, discountCents: 50 }]), 450);\n});\n',
          },
        ],
        summary: "Cart totals subtract line discounts.",
      },
    },
    {
      title: "Slugs keep stray punctuation",
      body: body(
        '`slugify("Mug, Blue!")` gives `mug,-blue!`; slugs should hold letters, digits and hyphens only.',
        ["punctuation is dropped from slugs", "a test covers a name with punctuation"],
        ["src/slug.js", "test/slug.test.js"],
      ),
      plan: {
        behaviour: "keeps breaking a test",
        edits: [
          {
            path: "src/slug.js",
            oldString: '.replace(/\\s+/g, "-");',
            newString: '.replace(/[^a-z0-9]+/g, "");',
          },
          {
            path: "test/slug.test.js",
            oldString: "\n});\n",
            newString:
              '\n});\n\ntest("drops punctuation", () => {\n  assert.equal(slugify("Mug, Blue!"), "mug-blue");\n});\n',
          },
        ],
        summary: "Slugs keep letters, digits and hyphens only.",
      },
    },
    {
      title: "Stock never goes below zero",
      body: body(
        "Selling more than is in stock gives a negative count; `unitsLeft` should stop at zero.",
        ["`unitsLeft(2, 5)` returns `0`", "the existing stock test still passes"],
        ["src/stock.js", "test/stock.test.js"],
      ),
      plan: {
        behaviour: "fixes a broken test on rework",
        edits: [
          {
            path: "src/stock.js",
            oldString: "return inStock - sold;",
            newString: "return Math.max(0, sold - inStock);",
          },
        ],
        fix: [
          {
            path: "src/stock.js",
            oldString: "Math.max(0, sold - inStock)",
            newString: "Math.max(0, inStock - sold)",
          },
          {
            path: "test/stock.test.js",
            oldString: "\n});\n",
            newString: '\n});\n\ntest("stops at zero", () => {\n  assert.equal(unitsLeft(2, 5), 0);\n});\n',
          },
        ],
        summary: "Stock counts stop at zero.",
      },
    },
    {
      title: "Document the VAT helper",
      body: body(
        "`withVat` in `src/tax.js` has no doc comment saying what `rate` is.",
        ["`withVat` has a doc comment naming `rate` as a fraction (0.2 for 20%)"],
        ["src/tax.js"],
      ),
      plan: {
        behaviour: "edits out of scope",
        edits: [
          {
            path: "src/tax.js",
            oldString: "export function withVat",
            newString:
              "/** Adds VAT at `rate` (a fraction: 0.2 for 20%) and rounds to a cent. */\nexport function withVat",
          },
        ],
        outOfScope: { path: "README.md", content: "# demo-shop\n\nA tiny shop library, with VAT.\n" },
      },
    },
  ];
}
