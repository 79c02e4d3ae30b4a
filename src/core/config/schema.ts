import * as z from "zod";
import {
  MAX_COMMANDS,
  MAX_GLOBS,
  TIERS,
  globSchema,
  modelIdSchema,
  modelPriceSchema,
  programSchema,
  tierSchema,
  type ModelPrice,
} from "./fields.ts";
import {
  DEFAULT_ALLOWED_COMMANDS,
  DEFAULT_LABELS,
  DEFAULT_PRICING,
  DEFAULT_PROTECTED_PATHS,
  DEFAULT_TIERS,
} from "./defaults.ts";

// The schema of `.github/swarm.yml`. Every knob has a default, so an empty file is a valid config.
// Nested objects use `prefault({})` rather than `default({})`: zod 4 returns a default as it is,
// while a prefault is parsed, so the defaults of the fields inside apply.
// The size bounds on lists and strings keep a job built from any valid config inside the
// 65,535 characters a workflow_dispatch accepts (see src/core/job.ts).

/** A GitHub login or a team as org/team; a leading @ is accepted and dropped. */
const handleSchema = z
  .string()
  .regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$/, {
    error: "a GitHub login (octocat) or team (my-org/reviewers)",
  })
  .transform((handle) => handle.replace(/^@/, ""));

const routingRuleSchema = z
  .strictObject({
    /** The rule matches an issue carrying this label. */
    label: z.string().min(1).max(50).optional(),
    /** The rule matches when any file in the task's scope matches one of these globs. */
    paths: z.array(globSchema).min(1).max(MAX_GLOBS).optional(),
    /** The tier a matching task runs on. */
    tier: tierSchema,
  })
  .refine((rule) => rule.label !== undefined || rule.paths !== undefined, {
    error: "a rule with a label, paths or both, and a tier",
  });

const modelsSchema = z.strictObject({
  /** The model id each tier runs. */
  tiers: z
    .strictObject({
      frontier: modelIdSchema.default(DEFAULT_TIERS.frontier),
      standard: modelIdSchema.default(DEFAULT_TIERS.standard),
      fast: modelIdSchema.default(DEFAULT_TIERS.fast),
    })
    .prefault({}),
  /** The tier of a task no routing rule matches. */
  defaultTier: tierSchema.default("standard"),
  /** Routing rules, first match wins; with both label and paths, both must match. */
  routing: z.array(routingRuleSchema).max(100).default([]),
  /** Model id → price and context window. Entries here add to or replace the built-in table. */
  pricing: z
    .record(modelIdSchema, modelPriceSchema)
    .default({})
    .transform((overrides) => ({ ...DEFAULT_PRICING, ...overrides }) as Record<string, ModelPrice>),
});

const labelSchema = z
  .string()
  .min(1)
  .max(50)
  .regex(/^[^,\r\n]+$/, {
    error: "a label name (up to 50 characters, no commas or line breaks)",
  });

/** The schema of `.github/swarm.yml`, every knob with its default. */
export const configSchema = z
  .strictObject({
    /** The pool of agents. */
    agents: z
      .strictObject({
        /** How many agent jobs run at once; more tasks wait in `swarm:queued`. */
        maxAgents: z.int().min(1).max(256).default(5),
        /** Agents are named `<prefix>-01`, `<prefix>-02`, …; the name goes into branches and trailers. */
        namePrefix: z
          .string()
          .regex(/^[a-z][a-z0-9-]{0,29}$/, {
            error: "a lower-case name of up to 30 letters, digits and hyphens, starting with a letter",
          })
          .default("builder"),
      })
      .prefault({}),
    /** Model tiers, routing and prices. */
    models: modelsSchema.prefault({}),
    /** Spending limits. */
    budgets: z
      .strictObject({
        /** Tokens of every class (input, output, cache writes and reads) one agent attempt may use. */
        agentTokens: z.int().min(1).default(4_000_000),
        /** USD ceiling for one task, all its attempts together. */
        taskUsd: z.number().positive().default(10),
        /** USD the whole swarm may spend in one UTC day; past it no new job starts. */
        dailyUsd: z.number().positive().default(100),
      })
      .prefault({}),
    /** Time bounds of one agent job. */
    time: z
      .strictObject({
        /** Wall-clock minutes one agent job may run (GitHub stops any job at 360). */
        jobMinutes: z.int().min(5).max(360).default(60),
        /** Seconds between an agent's heartbeats: 120 makes at most 30 requests an hour. */
        heartbeatSeconds: z.int().min(60).max(3600).default(120),
        /** Seconds without a heartbeat after which a job counts as stalled. */
        stallSeconds: z.int().min(120).max(21_600).default(600),
      })
      .prefault({})
      .refine((time) => time.stallSeconds >= 2 * time.heartbeatSeconds, {
        error: "stallSeconds at least twice heartbeatSeconds, so one late heartbeat is not a stall",
        path: ["stallSeconds"],
      }),
    /** Attempts per task, the first included, before the task goes to triage and a person. */
    maxAttempts: z.int().min(1).max(10).default(3),
    /** How rework climbs the tiers. */
    rework: z
      .strictObject({
        /** Each this many failed attempts raise the next attempt one tier, up to frontier; 0 never escalates. */
        escalateAfter: z.int().min(0).max(10).default(2),
      })
      .prefault({}),
    /** Programs an agent may run; the sandbox enforces each one's dangerous flags. */
    allowedCommands: z.array(programSchema).max(MAX_COMMANDS).default(DEFAULT_ALLOWED_COMMANDS),
    /** Globs no agent may change: a pull request touching one goes to a person. */
    protectedPaths: z.array(globSchema).max(MAX_GLOBS).default(DEFAULT_PROTECTED_PATHS),
    /** Glob → owning agent or area; the first matching glob in file order owns a file. */
    ownership: z.record(globSchema, z.string().min(1).max(100)).default({}),
    /** Review policy for agent pull requests. */
    review: z
      .strictObject({
        /** Pull requests touching these globs always get a full review. */
        alwaysReview: z.array(globSchema).max(100).default([]),
        /** Share of the other pull requests picked for review, from 0 (none) to 1 (all). */
        sampleRate: z.number().min(0).max(1).default(0.25),
        /** Seed of the review sampling, so the same pull request always draws the same way. */
        seed: z.string().min(1).max(100).default("swarm-foreman"),
        /** Pull requests whose every changed file matches these globs skip human review: the gates are trusted with them. */
        trustGates: z.array(globSchema).max(100).default([]),
        /** Who reviews: GitHub logins or org/team. */
        reviewers: z.array(handleSchema).max(50).default([]),
      })
      .prefault({}),
    /** Who hears about a task that needs a person. */
    escalation: z
      .strictObject({
        /** GitHub logins or teams mentioned when a task escalates. */
        contacts: z.array(handleSchema).max(50).default([]),
      })
      .prefault({}),
    /** The agent workflow's file name in .github/workflows/ on the default branch. */
    workflow: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+\.ya?ml$/, {
        error: "a workflow file name ending in .yml or .yaml, no path",
      })
      .default("swarm-agent.yml"),
    /** Label names for each task state. */
    labels: z
      .strictObject({
        ready: labelSchema.default(DEFAULT_LABELS.ready),
        queued: labelSchema.default(DEFAULT_LABELS.queued),
        running: labelSchema.default(DEFAULT_LABELS.running),
        review: labelSchema.default(DEFAULT_LABELS.review),
        needsSpec: labelSchema.default(DEFAULT_LABELS.needsSpec),
        needsHuman: labelSchema.default(DEFAULT_LABELS.needsHuman),
        done: labelSchema.default(DEFAULT_LABELS.done),
      })
      .prefault({})
      .superRefine((labels, ctx) => {
        const seen = new Map<string, string>();
        for (const [state, name] of Object.entries(labels)) {
          const first = seen.get(name.toLowerCase());
          if (first !== undefined)
            ctx.addIssue({
              code: "custom",
              path: [state],
              message: `a label name different from ${first}'s (GitHub label names ignore case)`,
              input: name,
            });
          else seen.set(name.toLowerCase(), state);
        }
      }),
  })
  .superRefine(
    (config, ctx) => {
      // Every tier's model needs a price: without it neither budgets nor the job can be computed.
      for (const tier of TIERS) {
        const model = config.models.tiers[tier];
        if (!Object.hasOwn(config.models.pricing, model))
          ctx.addIssue({
            code: "custom",
            path: ["models", "tiers", tier],
            message: `a model with a price in models.pricing (priced: ${Object.keys(config.models.pricing).join(", ")})`,
            input: model,
          });
      }
    },
    // Run beside problems elsewhere in the file, so one check reports them all; skip it only when
    // the models section itself (or the whole document) is broken.
    {
      when: (payload) =>
        !payload.issues.some((issue) => (issue.path ?? []).length === 0 || issue.path?.[0] === "models"),
    },
  );

/** A validated `.github/swarm.yml` with every default filled in. */
export type SwarmConfig = z.infer<typeof configSchema>;
/** `.github/swarm.yml` as a person writes it: every knob optional. */
export type SwarmConfigInput = z.input<typeof configSchema>;
