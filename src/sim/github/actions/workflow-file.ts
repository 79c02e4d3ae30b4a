import { parse as parseYaml } from "yaml";
import * as z from "zod";

// The part of GitHub's workflow syntax the offline runner runs: one job of steps, each a `uses:`
// action or a `run:` script, with env, conditions, timeouts and a concurrency group. Other keys a
// real workflow carries (permissions, runs-on, services…) are accepted and have no effect here.

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Env = z.record(z.string(), Scalar);

/** One step: an action (`uses`) or a shell script (`run`). */
const Step = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, "a step id is letters, digits, _ and -")
      .optional(),
    name: z.string().optional(),
    if: z.union([z.string(), z.boolean()]).optional(),
    uses: z.string().min(1).optional(),
    run: z.string().optional(),
    shell: z.string().optional(),
    with: z.record(z.string(), Scalar).optional(),
    env: Env.optional(),
    "continue-on-error": z.union([z.boolean(), z.string()]).optional(),
    "timeout-minutes": z.union([z.number().positive(), z.string()]).optional(),
    "working-directory": z.string().optional(),
  })
  .refine((step) => (step.uses === undefined) !== (step.run === undefined), {
    message: "a step has exactly one of `uses` and `run`",
  });

/** A job: its steps and how long it may take. */
const Job = z.looseObject({
  name: z.string().optional(),
  "runs-on": z.union([z.string(), z.array(z.string())]).optional(),
  "timeout-minutes": z.union([z.number().positive(), z.string()]).optional(),
  env: Env.optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  steps: z.array(Step).min(1, "a job needs at least one step"),
});

/** `concurrency:` as a group name or `{ group, cancel-in-progress }`. */
const Concurrency = z.union([
  z.string(),
  z.strictObject({ group: z.string(), "cancel-in-progress": z.union([z.boolean(), z.string()]).optional() }),
]);

/** The workflow file, as far as the runner reads it. */
const WorkflowSchema = z.looseObject({
  name: z.string().optional(),
  "run-name": z.string().optional(),
  on: z.unknown(),
  env: Env.optional(),
  concurrency: Concurrency.optional(),
  jobs: z.record(z.string(), Job).refine((jobs) => Object.keys(jobs).length > 0, "a workflow needs a job"),
});

/** A parsed workflow file. */
export type Workflow = z.infer<typeof WorkflowSchema>;
/** One job of a workflow. */
export type WorkflowJob = z.infer<typeof Job>;
/** One step of a job. */
export type WorkflowStep = z.infer<typeof Step>;

/** A workflow file that is not valid YAML or not a workflow the runner can run. */
export class WorkflowFileError extends Error {
  constructor(path: string, problem: string, options?: { cause: unknown }) {
    super(`${path}: ${problem}`, options);
    this.name = "WorkflowFileError";
  }
}

/** Parses a workflow file's text; errors name the file and where the problem is. */
export function parseWorkflow(text: string, path: string): Workflow {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new WorkflowFileError(path, `invalid YAML: ${(error as Error).message}`, { cause: error });
  }
  const parsed = WorkflowSchema.safeParse(doc);
  if (!parsed.success) throw new WorkflowFileError(path, z.prettifyError(parsed.error));
  return parsed.data;
}

/**
 * The workflow's one job and its id. The offline runner runs workflows of a single job (what an
 * agent workflow or a CI check needs); a workflow with more is refused by name, not half-run.
 */
export function singleJob(workflow: Workflow, path: string): { id: string; job: WorkflowJob } {
  const entries = Object.entries(workflow.jobs);
  const [first] = entries;
  if (!first || entries.length > 1)
    throw new WorkflowFileError(
      path,
      `the offline runner runs workflows of one job; this one has ${entries.length} (${entries.map(([id]) => id).join(", ")})`,
    );
  // A job condition would need the run's own skipped state; refused rather than ignored.
  if (first[1].if !== undefined)
    throw new WorkflowFileError(
      path,
      `jobs.${first[0]}.if: job conditions are not supported by the offline runner`,
    );
  return { id: first[0], job: first[1] };
}
