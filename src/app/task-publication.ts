import type { SwarmConfig } from "../core/config/schema.ts";
import type { StatusLabel } from "../core/lifecycle/status.ts";
import { mirrorLabels, type StateLabel } from "./mirror-labels.ts";
import { publishStatus } from "./publish-status.ts";
import type { RepoScope } from "./scope.ts";

const labelKeys: Record<StatusLabel, StateLabel> = {
  "swarm:queued": "queued",
  "swarm:running": "running",
  "swarm:review": "review",
  "swarm:needs-spec": "needsSpec",
  "swarm:needs-human": "needsHuman",
  "swarm:done": "done",
};

/** What one event left to show on a task's issue. */
interface Pending {
  config: SwarmConfig;
  /** The state label the issue showed when the event began (the app mirrored it then). */
  shown: StatusLabel | null;
  /** The state label the task's last transition wants; undefined when none asked. */
  want?: StatusLabel | null;
  status: boolean;
}

/**
 * The labels and status comment one event owes its tasks, written once when the event is done:
 * however many transitions an event makes (intake then dispatch; the run's end, the gate and the
 * enqueue), the issue gets at most one label change and one status comment edit, showing where
 * the task ended up. Each label request costs rate limit, so the labels the issue had when the
 * event began (as the event knows them, else the state label the app mirrored last) are not
 * read again.
 */
export class TaskPublication {
  readonly #pending = new Map<number, Pending>();

  #entry(config: SwarmConfig, issueNumber: number, shown: StatusLabel | null): Pending {
    const entry = this.#pending.get(issueNumber) ?? { config, shown, status: false };
    entry.config = config;
    this.#pending.set(issueNumber, entry);
    return entry;
  }

  /** Notes the state label a transition wants; `shown` is the label of the state it left. */
  label(config: SwarmConfig, issueNumber: number, shown: StatusLabel | null, want: StatusLabel | null): void {
    this.#entry(config, issueNumber, shown).want = want;
  }

  /** Notes that the task's status comment is to show its state after the event. */
  status(config: SwarmConfig, issueNumber: number, shown: StatusLabel | null): void {
    this.#entry(config, issueNumber, shown).status = true;
  }

  /**
   * Writes what the event owes. The writes of different tasks, and a task's labels and its status
   * comment, do not depend on each other, so they are sent together (in production Probot's
   * pacing still spaces them as GitHub asks); every write is tried, and the first failure is
   * thrown once all have settled.
   */
  async flush(scope: RepoScope): Promise<void> {
    const pending = [...this.#pending];
    this.#pending.clear();
    const writes = pending.flatMap(([issueNumber, entry]) => {
      const { config, shown, want } = entry;
      const labels = async () => {
        const current =
          (await scope.knownIssue(issueNumber))?.labels ??
          (shown === null ? [] : [config.labels[labelKeys[shown]]]);
        await mirrorLabels(scope, issueNumber, config.labels, want == null ? null : labelKeys[want], current);
      };
      return [
        ...(want === undefined ? [] : [labels()]),
        ...(entry.status ? [publishStatus(scope, config, issueNumber)] : []),
      ];
    });
    const failed = (await Promise.allSettled(writes)).find((r) => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  }
}
