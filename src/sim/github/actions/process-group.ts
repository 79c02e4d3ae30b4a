import { spawn } from "node:child_process";

// A step's process runs in a process group of its own, so stopping it stops everything it
// started: cancel and timeout signal the whole group, and the job's end kills what is left
// (GitHub's runner likewise cleans up orphan processes when a job ends).

/** How a step's process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running step process: its group leader's pid, its exit, and a way to signal the group. */
export interface GroupProcess {
  pid: number;
  exited: Promise<ProcessExit>;
  /** Sends a signal to every process in the group (a group already gone is fine). */
  signal(signal: NodeJS.Signals): void;
}

/** Starts `command` as the leader of a new process group, passing its output to `onOutput`. */
export function spawnGroup(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; onOutput: (chunk: string) => void },
): GroupProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.setEncoding("utf8").on("data", options.onOutput);
  child.stderr.setEncoding("utf8").on("data", options.onOutput);
  const pid = child.pid ?? -1;
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once("error", (error) => {
      options.onOutput(`${error.message}\n`);
      resolve({ code: 127, signal: null });
    });
    child.once("exit", (code, signal) => {
      // Output still in the pipes is read before the step ends, unless a process the step left
      // running holds them open (a server started with `&`): the step does not wait for it.
      if (groupAlive(pid)) resolve({ code, signal });
      else void closed.then(() => resolve({ code, signal }));
    });
  });
  return {
    pid,
    exited,
    signal(signal) {
      signalGroup(pid, signal);
    },
  };
}

/** Signals the process group led by `pid`; a group that no longer exists is ignored. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
