import type { SwarmConfig } from "../core/config/schema.ts";
import { dependencyReferences, lintSpec } from "../core/spec-lint.ts";
import type { RepoScope } from "./scope.ts";
import { step } from "./step.ts";

/** Statuses of tasks the swarm is working on, which a new task must not duplicate. */
const WORKING = ["queued", "rework", "dispatched", "running", "pr-open", "in-review", "in-merge-queue"];

/**
 * Lints the issue's spec (core's checklist: acceptance criteria, file scope, dependencies, no
 * duplicate of a running task), stores the scope it found, and feeds the verdict to the task.
 */
export async function runIntake(scope: RepoScope, config: SwarmConfig, issueNumber: number): Promise<void> {
  const { ledger } = scope.deps;
  const issue = await scope.issue(issueNumber);
  const dependencyStates = new Map<number, "open" | "closed">();
  for (const n of dependencyReferences(issue.body)) {
    const dependency = await scope.gateway.findIssue(n);
    if (dependency !== null) dependencyStates.set(n, dependency.state === "closed" ? "closed" : "open");
  }
  // The ledger mirrors each task's status in its state column, so only working tasks are read.
  const others = await ledger.tasks.list({ repo: scope.repo, states: WORKING });
  const running = others
    .filter((t) => t.issueNumber !== issueNumber)
    .map((t) => ({ issue: t.issueNumber, title: t.title ?? "", scope: t.fileScope }));
  const verdict = lintSpec({
    issue: { number: issue.number, title: issue.title, body: issue.body, labels: issue.labels },
    ownership: config.ownership,
    dependencyStates,
    running,
  });
  const problems = verdict.ok ? [] : verdict.failures.map((f) => f.message);
  const moved = await step(scope, config, issueNumber, { kind: "intake", problems });
  // The scope is the task's only once the lifecycle took the verdict (a replayed label changes nothing).
  if (moved?.ok === true && verdict.ok)
    await ledger.tasks.update(
      { repo: scope.repo, issueNumber },
      { fileScope: verdict.scope, title: issue.title },
    );
}
