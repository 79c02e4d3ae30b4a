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

  /** Writes what the event owes: per task, the labels first, then the status comment. */
  async flush(scope: RepoScope): Promise<void> {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const [issueNumber, entry] of pending) {
      const { config, shown, want } = entry;
      if (want !== undefined) {
        const current =
          (await scope.knownIssue(issueNumber))?.labels ??
          (shown === null ? [] : [config.labels[labelKeys[shown]]]);
        await mirrorLabels(
          scope,
          issueNumber,
          config.labels,
          want === null ? null : labelKeys[want],
          current,
        );
      }
      if (entry.status) await publishStatus(scope, config, issueNumber);
    }
  }
}
