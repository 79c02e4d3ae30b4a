import * as z from "zod";
import {
  globSchema,
  MAX_COMMANDS,
  MAX_GLOBS,
  modelIdSchema,
  modelPriceSchema,
  programSchema,
  tierSchema,
} from "./config/fields.ts";
import { formatPath } from "./config/key-path.ts";
import { findingSchema, MAX_FINDINGS } from "./finding.ts";

// The job: what the app dispatches to the agent workflow and the action reads, in one
// workflow_dispatch input. It carries everything one attempt needs, so the action never trusts a
// file the agent can edit in the checkout (its config, its protected paths, its allowlist).

/** The job contract version this code writes and reads. */
export const JOB_VERSION = 1;

/**
 * GitHub accepts at most 65,535 characters across all inputs of one workflow_dispatch. The job is
 * measured in UTF-8 bytes, which is never fewer than characters however GitHub counts them.
 */
export const MAX_DISPATCH_INPUT_CHARS = 65_535;

/** The modes of an attempt: first implementation, rework after a rejection, or a conflict to resolve. */
export const JOB_MODES = ["implement", "rework", "resolve-conflict"] as const;

/** An agent's name: the pool's prefix and a two- or three-digit number, such as `builder-01`. */
export const agentNameSchema = z.string().regex(/^[a-z][a-z0-9-]{0,29}-\d{2,3}$/, {
  error: "an agent name such as builder-01",
});

/** The app's id of a task; it goes into the `Swarm-Task` trailer, so one line of safe characters. */
export const taskIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,99}$/, {
  error: "a task id of up to 100 letters, digits and . _ : # / -",
});

/** The id of one agent session (one attempt), as the `Swarm-Session` trailer carries it. */
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, {
  error: "a session id of up to 100 letters, digits and . _ : -",
});

/** A GitHub account: the login and the numeric id that its noreply e-mail address needs. */
export const githubUserSchema = z.strictObject({
  login: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/, { error: "a GitHub login" }),
  id: z.int().min(1),
});
/** A GitHub account's login and numeric id. */
export type GithubUser = z.infer<typeof githubUserSchema>;

const repositorySchema = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/, {
    error: "owner/name",
  });

/** A branch name git accepts (`git check-ref-format --branch`), without `refs/heads/`. */
export const branchSchema = z
  .string()
  .max(255)
  .refine(isBranchName, { error: "a branch name git accepts, such as main or swarm/12-builder-01" });

function isBranchName(name: string): boolean {
  if (name === "" || name === "@" || name.startsWith("-") || name.startsWith("refs/")) return false;
  if (/[\0-\x20\x7f~^:?*[\\]/.test(name) || name.includes("..") || name.includes("@{")) return false;
  if (name.endsWith(".") || name.endsWith("/")) return false;
  return name.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock"));
}

/** The branch an agent works on for an issue: `swarm/<issue>-<agent>`. */
export function agentBranch(issue: number, agent: string): string {
  return `swarm/${issue}-${agent}`;
}

/** The job of one attempt, version 1. */
export const jobSchema = z
  .strictObject({
    version: z.literal(JOB_VERSION),
    /** The repository, as owner/name. */
    repository: repositorySchema,
    /** The issue the task came from. */
    issue: z.int().min(1),
    /** The app's id of the task. */
    taskId: taskIdSchema,
    /** 1 for the first attempt; each rework or retry adds one. */
    attempt: z.int().min(1).max(100),
    /** The agent's name, for its branch and trailers. */
    agent: agentNameSchema,
    /** The id of this attempt's session, for the `Swarm-Session` trailer and heartbeats. */
    sessionId: sessionIdSchema,
    /** What this attempt does. */
    mode: z.enum(JOB_MODES),
    /** The model this attempt runs, its tier, price and context window (the agent hands off at 80%). */
    model: z.strictObject({ id: modelIdSchema, tier: tierSchema, price: modelPriceSchema }),
    /** The agent's branch, `swarm/<issue>-<agent>`. */
    branch: branchSchema,
    /** The branch the pull request targets. */
    baseBranch: branchSchema,
    /** Globs of the files this task may change, from the issue's spec. */
    scope: z.array(globSchema).min(1).max(MAX_GLOBS),
    /** Globs no agent may change, from the config on the default branch. */
    protectedPaths: z.array(globSchema).max(MAX_GLOBS),
    /** Programs the agent may run, from the config on the default branch. */
    allowedCommands: z.array(programSchema).max(MAX_COMMANDS),
    /** Bounds of this attempt. */
    limits: z.strictObject({
      /** Tokens of every class this attempt may use. */
      tokens: z.int().min(1),
      /** USD this attempt may spend: what remains of the task's ceiling. */
      usd: z.number().positive(),
      /** Wall-clock minutes before the agent stops and reports. */
      jobMinutes: z.int().min(1).max(360),
      /** Seconds between heartbeats. */
      heartbeatSeconds: z.int().min(60).max(3600),
    }),
    /** The person who labelled the issue; commits credit them with `Co-authored-by`. */
    requestedBy: githubUserSchema,
    /** On rework, what the gates rejected; empty otherwise. */
    findings: z.array(findingSchema).max(MAX_FINDINGS).default([]),
  })
  .superRefine((job, ctx) => {
    const branch = agentBranch(job.issue, job.agent);
    if (job.branch !== branch)
      ctx.addIssue({
        code: "custom",
        path: ["branch"],
        message: `the agent's branch ${branch}`,
        input: job.branch,
      });
    if (job.mode === "rework" && job.findings.length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["findings"],
        message: "at least one finding on rework",
        input: job.findings,
      });
    if (job.mode === "rework" && job.attempt < 2)
      ctx.addIssue({ code: "custom", path: ["attempt"], message: "2 or more on rework", input: job.attempt });
    if (job.mode !== "rework" && job.findings.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["findings"],
        message: "no findings outside rework",
        input: job.findings,
      });
  });
/** A validated job. */
export type Job = z.infer<typeof jobSchema>;
/** A job as the app builds it (findings may be left out). */
export type JobInput = z.input<typeof jobSchema>;

/** Why a job could not be encoded or read; the message names every bad field. */
export class JobError extends Error {
  override name = "JobError";
}

/** Validates a job and encodes it as the JSON of one workflow_dispatch input; throws a JobError if invalid or too large. */
export function encodeJob(job: JobInput): string {
  const result = jobSchema.safeParse(job);
  if (!result.success) throw new JobError(`invalid job: ${describeIssues(result.error)}`);
  const encoded = JSON.stringify(result.data);
  const size = jobSize(encoded);
  if (size > MAX_DISPATCH_INPUT_CHARS)
    throw new JobError(
      `the job is ${size} characters, over the ${MAX_DISPATCH_INPUT_CHARS} a workflow_dispatch accepts; trim its findings or scope`,
    );
  return encoded;
}

/** Reads a job from its workflow_dispatch input; throws a JobError naming each bad field. */
export function parseJob(input: string): Job {
  // GitHub never delivers more than this, so a longer input did not come from a dispatch.
  const size = jobSize(input);
  if (size > MAX_DISPATCH_INPUT_CHARS)
    throw new JobError(
      `the job is ${size} characters, over the ${MAX_DISPATCH_INPUT_CHARS} a workflow_dispatch carries`,
    );
  let data: unknown;
  try {
    data = JSON.parse(input);
  } catch (error) {
    throw new JobError(`the job is not valid JSON: ${(error as Error).message}`);
  }
  const version = (data as { version?: unknown } | null)?.version;
  if (typeof data === "object" && data !== null && version !== JOB_VERSION)
    throw new JobError(
      `job version ${JSON.stringify(version)} is not supported; this action reads version ${JOB_VERSION} (update the action or the app so they match)`,
    );
  // A process reads its job once: zod's compiled fast path would cost more to build than it saves.
  const result = jobSchema.safeParse(data, { jitless: true });
  if (!result.success) throw new JobError(`invalid job: ${describeIssues(result.error)}`);
  return result.data;
}

/** Size of an encoded job as the dispatch limit counts it (UTF-8 bytes, an upper bound on characters). */
export function jobSize(encoded: string): number {
  return new TextEncoder().encode(encoded).length;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length === 0 ? "job" : formatPath(issue.path);
      return issue.code === "custom" ? `${where}: expected ${issue.message}` : `${where}: ${issue.message}`;
    })
    .join("; ");
}
