import type { Ledger } from "../../ledger/index.ts";
import type { SimEventEnvelope } from "../github/sim-events.ts";
import type { SimWorld } from "../github/world.ts";

/** A task's state change as the live progress shows it. */
export interface ProgressChange {
  issue: number;
  /** The task's state in the ledger. */
  state: string;
  agent: string | null;
  attempt: number;
}

function seconds(elapsedMs: number): string {
  return `${(elapsedMs / 1000).toFixed(1).padStart(5)}s`;
}

/** One progress line: task, state, agent, attempt, prefixed by the seconds since the start. */
export function formatProgress(change: ProgressChange, elapsedMs: number): string {
  const task = `#${change.issue}`.padEnd(4);
  const agent = change.agent ?? "-";
  return `${seconds(elapsedMs)}  ${task} ${change.state.padEnd(16)} agent ${agent.padEnd(12)} attempt ${change.attempt}`;
}

/** A line for something a person did (a label, a `/swarm` command), between the state changes. */
export function formatNote(note: string, elapsedMs: number): string {
  return `${seconds(elapsedMs)}  ${note}`;
}

/** What the watcher saw: every state change, and the most workflow runs in flight at once. */
export interface ProgressWatch {
  changes: ProgressChange[];
  /** The most agent runs at work at any one time: requested, not completed, not being cancelled. */
  peakRuns(): number;
  /** Resolves with the first change, seen so far or later, that `matches`. */
  until(matches: (change: ProgressChange) => boolean): Promise<ProgressChange>;
  /** Reads the ledger once more and waits until every change so far is reported. */
  flush(): Promise<void>;
  stop(): void;
}

/**
 * Watches a repository for the live progress: after each event on the offline GitHub (the app's
 * label and status comment writes among them, which follow its ledger writes) it reads the
 * ledger's tasks and reports each whose state or attempt changed. It also counts workflow runs in
 * flight, so the agent cap can be checked from what GitHub saw. A run stops counting when its
 * cancellation is asked for: the app gives the slot away then, while the runner stops the agent.
 */
export function watchProgress(
  world: SimWorld,
  ledger: Ledger,
  repository: string,
  onChange: (change: ProgressChange) => void,
): ProgressWatch {
  const changes: ProgressChange[] = [];
  const waiters: { matches: (change: ProgressChange) => boolean; resolve: (c: ProgressChange) => void }[] =
    [];
  const seen = new Map<number, string>();
  const inFlight = new Set<number>();
  let peak = 0;
  let reading = Promise.resolve();
  const read = () =>
    (reading = reading.then(async () => {
      for (const task of await ledger.tasks.list({ repo: repository })) {
        const signature = `${task.state}/${task.attempts}`;
        if (seen.get(task.issueNumber) === signature) continue;
        seen.set(task.issueNumber, signature);
        const change = {
          issue: task.issueNumber,
          state: task.state,
          agent: task.agent,
          attempt: task.attempts,
        };
        changes.push(change);
        onChange(change);
        for (const waiter of waiters.filter((w) => w.matches(change))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(change);
        }
      }
    }));
  const listener = ({ payload }: SimEventEnvelope) => {
    if (payload.repository.toLowerCase() !== repository.toLowerCase()) return;
    if (payload.name === "workflow_run") {
      if (payload.action === "requested") inFlight.add(payload.runId);
      if (payload.action === "completed") inFlight.delete(payload.runId);
      peak = Math.max(peak, inFlight.size);
    }
    // A failed read is not lost: the chain stays rejected, so the next flush throws it.
    read().catch(() => undefined);
  };
  const cancelled = (repo: string, runId: number) => {
    if (repo.toLowerCase() === repository.toLowerCase()) inFlight.delete(runId);
  };
  world.events.on("event", listener);
  world.runControl.on("cancel", cancelled);
  return {
    changes,
    peakRuns: () => peak,
    until: (matches) => {
      const seen = changes.find(matches);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ matches, resolve }));
    },
    flush: read,
    stop: () => {
      world.events.off("event", listener);
      world.runControl.off("cancel", cancelled);
    },
  };
}
