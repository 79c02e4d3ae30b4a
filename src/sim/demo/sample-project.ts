/**
 * The demo's sample repository as data: a small JavaScript library with tests, the agent
 * workflow that runs the local action, and a `.github/swarm.yml`. Plain JavaScript so the agent's
 * `npm test` runs on any Node without a build.
 */

/** The workflow file name, as `.github/swarm.yml` names it. */
export const DEMO_WORKFLOW = "swarm-agent.yml";

/** The repository's own CI: one check run of this name on each pull request head and merge group. */
export const DEMO_CI_CHECK = { name: "CI", command: "npm test" } as const;

/** The checks the default branch's ruleset requires before the merge queue merges. */
export const REQUIRED_CHECKS = [DEMO_CI_CHECK.name, "swarm/gate"] as const;

/** The maximum number of agents the demo's config allows at once. */
export const DEMO_MAX_AGENTS = 3;

// Its tests are a few lines each: one process runs them all instead of one per file, which
// takes a third of a second off each CI run and each agent's test run.
const packageJson = `{
  "name": "demo-shop",
  "version": "1.0.0",
  "private": true,
  "type": "module",
  "scripts": {
    "test": "node --test --test-isolation=none"
  }
}
`;

const price = `/** Formats an amount in cents as a price in euros, e.g. 1234 -> "12.34 EUR". */
export function formatPrice(cents) {
  return \`\${(cents / 100).toFixed(2)} EUR\`;
}
`;

const cart = `/** Sums the line totals of a cart, in cents. */
export function cartTotal(lines) {
  let total = 0;
  for (const line of lines) total += line.unitCents * line.quantity;
  return total;
}
`;

const slug = `/** Turns a product name into a URL slug. */
export function slugify(name) {
  return name.toLowerCase().replace(/\\s+/g, "-");
}
`;

const stock = `/** Units left after selling \`sold\` of \`inStock\`. */
export function unitsLeft(inStock, sold) {
  return inStock - sold;
}
`;

const tax = `export function withVat(cents, rate) {
  return Math.round(cents * (1 + rate));
}
`;

const priceTest = `import { test } from "node:test";
import assert from "node:assert/strict";
import { formatPrice } from "../src/price.js";

test("formats cents as euros", () => {
  assert.equal(formatPrice(1234), "12.34 EUR");
});
`;

const cartTest = `import { test } from "node:test";
import assert from "node:assert/strict";
import { cartTotal } from "../src/cart.js";

test("sums line totals", () => {
  assert.equal(cartTotal([{ unitCents: 250, quantity: 2 }, { unitCents: 100, quantity: 1 }]), 600);
});
`;

const slugTest = `import { test } from "node:test";
import assert from "node:assert/strict";
import { slugify } from "../src/slug.js";

test("lower-cases and joins words with hyphens", () => {
  assert.equal(slugify("Blue Mug"), "blue-mug");
});
`;

const stockTest = `import { test } from "node:test";
import assert from "node:assert/strict";
import { unitsLeft } from "../src/stock.js";

test("subtracts the units sold", () => {
  assert.equal(unitsLeft(10, 3), 7);
});
`;

const taxTest = `import { test } from "node:test";
import assert from "node:assert/strict";
import { withVat } from "../src/tax.js";

test("adds VAT and rounds to a cent", () => {
  assert.equal(withVat(1000, 0.2), 1200);
});
`;

const readme = `# demo-shop

A tiny shop library the swarm works on in the Swarm Foreman demo.
`;

/** The Actions secrets and variables the agent workflow reads, as the agent workflow docs name them. */
export const WORKFLOW_SETTINGS = {
  anthropicKeySecret: "ANTHROPIC_API_KEY",
  anthropicUrlVariable: "ANTHROPIC_BASE_URL",
  appIdVariable: "SWARM_FOREMAN_APP_ID",
  privateKeySecret: "SWARM_FOREMAN_PRIVATE_KEY",
} as const;

/** The action the workflow uses; the demo's runner maps it to this project's own action. */
export const AGENT_ACTION = "swarm-foreman/swarm-foreman";

// The agent workflow of docs/agent-workflow.md, plus the Messages API endpoint from a variable
// (here the offline Anthropic) and a short hard stop, since the demo's jobs take seconds.
const workflow = `name: Swarm agent
on:
  workflow_dispatch:
    inputs:
      job:
        description: The job the Swarm Foreman app dispatched (JSON).
        required: true
        type: string
permissions: {}
concurrency:
  group: swarm-agent-\${{ fromJSON(inputs.job).taskId }}
  cancel-in-progress: false
jobs:
  agent:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/setup-node@v4
        with:
          node-version: 24
      - uses: ${AGENT_ACTION}@v1
        with:
          job: \${{ inputs.job }}
          anthropic-api-key: \${{ secrets.${WORKFLOW_SETTINGS.anthropicKeySecret} }}
          anthropic-base-url: \${{ vars.${WORKFLOW_SETTINGS.anthropicUrlVariable} }}
          app-id: \${{ vars.${WORKFLOW_SETTINGS.appIdVariable} }}
          private-key: \${{ secrets.${WORKFLOW_SETTINGS.privateKeySecret} }}
`;

const swarmConfig = `agents:
  maxAgents: ${DEMO_MAX_AGENTS}
  namePrefix: builder
workflow: ${DEMO_WORKFLOW}
`;

/** Every file of the sample repository, by path relative to its root. */
export function sampleProjectFiles(): Record<string, string> {
  return {
    "package.json": packageJson,
    "README.md": readme,
    "src/price.js": price,
    "src/cart.js": cart,
    "src/slug.js": slug,
    "src/stock.js": stock,
    "src/tax.js": tax,
    "test/price.test.js": priceTest,
    "test/cart.test.js": cartTest,
    "test/slug.test.js": slugTest,
    "test/stock.test.js": stockTest,
    "test/tax.test.js": taxTest,
    [`.github/workflows/${DEMO_WORKFLOW}`]: workflow,
    ".github/swarm.yml": swarmConfig,
  };
}
