// Default values of `.github/swarm.yml`, kept apart from the schema so the table of prices and the
// lists of paths and programs read as data. docs/configuration.md documents each one.

/**
 * Anthropic's published prices in USD per million tokens and the context window of each model
 * (platform.claude.com, "Pricing" and the model overview pages, as of November 2026).
 * `cacheWrite` is the 5-minute cache write, `cacheWrite1h` the 1-hour one.
 * Claude Haiku 5.5 bills a request whose prompt (input + cache reads + cache writes) exceeds
 * 100,000 tokens at a higher rate on every token of that request, output included.
 */
export const DEFAULT_PRICING = {
  "claude-fable-5-1": {
    input: 10,
    output: 50,
    cacheWrite: 12.5,
    cacheWrite1h: 20,
    cacheRead: 0.25,
    contextWindow: 1_000_000,
  },
  "claude-opus-5-5": {
    input: 4,
    output: 20,
    cacheWrite: 5,
    cacheWrite1h: 8,
    cacheRead: 0.2,
    contextWindow: 1_000_000,
  },
  "claude-opus-5": {
    input: 5,
    output: 25,
    cacheWrite: 6.25,
    cacheWrite1h: 10,
    cacheRead: 0.5,
    contextWindow: 1_000_000,
  },
  "claude-sonnet-5-5": {
    input: 2,
    output: 10,
    cacheWrite: 2.5,
    cacheWrite1h: 4,
    cacheRead: 0.1,
    contextWindow: 1_000_000,
  },
  "claude-sonnet-5": {
    input: 2,
    output: 10,
    cacheWrite: 2.5,
    cacheWrite1h: 4,
    cacheRead: 0.2,
    contextWindow: 1_000_000,
  },
  "claude-haiku-5-5": {
    input: 0.1,
    output: 0.5,
    cacheWrite: 0.125,
    cacheWrite1h: 0.2,
    cacheRead: 0.01,
    contextWindow: 1_000_000,
    longPrompt: {
      aboveTokens: 100_000,
      input: 0.5,
      output: 2.5,
      cacheWrite: 0.625,
      cacheWrite1h: 1,
      cacheRead: 0.05,
    },
  },
  "claude-haiku-4-5": {
    input: 1,
    output: 5,
    cacheWrite: 1.25,
    cacheWrite1h: 2,
    cacheRead: 0.1,
    contextWindow: 200_000,
  },
};

/** The model each tier uses unless the config says otherwise. */
export const DEFAULT_TIERS = {
  frontier: "claude-opus-5-5",
  standard: "claude-sonnet-5-5",
  fast: "claude-haiku-5-5",
};

/** Where a repository keeps its swarm config, on the default branch. */
export const CONFIG_PATH = ".github/swarm.yml";

/**
 * Files that steer agents, CI or tools an agent could reach: a change to any of them needs a person.
 * Instruction files (CLAUDE.md, AGENTS.md, .cursorrules) and MCP server configs would let an agent
 * rewrite its own rules or give itself new tools.
 */
export const DEFAULT_PROTECTED_PATHS = [
  ".github/workflows/**",
  CONFIG_PATH,
  "CLAUDE.md",
  "**/CLAUDE.md",
  "AGENTS.md",
  "**/AGENTS.md",
  ".cursorrules",
  ".mcp.json",
  ".cursor/mcp.json",
  ".vscode/mcp.json",
];

/**
 * Programs an agent may run in a JS/TS repository: build, test, lint, format and read-only file
 * tools. The agent's sandbox decides which flags of each are safe; this list only names programs.
 */
export const DEFAULT_ALLOWED_COMMANDS = [
  "npm",
  "npx",
  "node",
  "git",
  "tsc",
  "eslint",
  "prettier",
  "vitest",
  "jest",
  "ls",
  "cat",
  "grep",
  "find",
  "head",
  "tail",
  "wc",
  "diff",
];

/** The label names that show a task's state; the user's words, overridable per repository. */
export const DEFAULT_LABELS = {
  ready: "swarm:ready",
  queued: "swarm:queued",
  running: "swarm:running",
  review: "swarm:review",
  needsSpec: "swarm:needs-spec",
  needsHuman: "swarm:needs-human",
  done: "swarm:done",
};
