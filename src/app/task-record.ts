import { newTask, Task as LifecycleTask } from "../core/lifecycle/task.ts";
import type { Task as LedgerTask } from "../ledger/index.ts";

/** The statuses in which a task waits for an agent slot. */
export const WAITING_STATUSES: readonly string[] = ["queued", "rework"];

/**
 * The lifecycle's view of a stored task. The ledger keeps the whole lifecycle task as JSON and
 * mirrors its status and pull request into columns of their own, which queries and reports use.
 */
export function lifecycleOf(stored: LedgerTask): LifecycleTask {
  if (stored.lifecycle === null) return newTask();
  const parsed = LifecycleTask.safeParse(stored.lifecycle);
  if (!parsed.success)
    throw new Error(
      `the ledger's lifecycle record of ${stored.repo}#${stored.issueNumber} does not parse: ${parsed.error.message}`,
    );
  return parsed.data;
}

/** The ledger fields that store a lifecycle task. */
export function recordOf(task: LifecycleTask): {
  state: string;
  pullNumber: number | null;
  lifecycle: Record<string, unknown>;
} {
  return { state: task.status, pullNumber: task.pullRequest, lifecycle: { ...task } };
}
