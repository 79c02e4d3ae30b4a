/** A task's state change as the live progress shows it. */
export interface ProgressChange {
  issue: number;
  state: string;
  agent: string | null;
  attempt: number;
}

/** One progress line: task, state, agent, attempt, prefixed by the seconds since the start. */
export function formatProgress(change: ProgressChange, elapsedMs: number): string {
  const time = `${(elapsedMs / 1000).toFixed(1).padStart(5)}s`;
  const task = `#${change.issue}`.padEnd(4);
  const agent = change.agent ?? "-";
  return `${time}  ${task} ${change.state.padEnd(16)} agent ${agent.padEnd(12)} attempt ${change.attempt}`;
}
