import type { Actor } from "./sim-events.ts";

/** Request counts: all, per token kind and owner, and per task (issue number). */
export interface RequestCounts {
  total: number;
  notModified: number;
  byActor: Record<string, number>;
  byTask: Record<string, number>;
  unattributed: number;
}

const SWARM_BRANCH = /(?:^|\/|:)swarm\/(\d+)-/;

/** The task (issue number) a branch name belongs to: `swarm/<issue>-<agent>`. */
export function taskOfBranch(ref: string | undefined): number | undefined {
  if (!ref) return undefined;
  const m = SWARM_BRANCH.exec(ref);
  return m ? Number(m[1]) : undefined;
}

/** Counts requests per token and per task so the demo and benchmarks can print them. */
export class RequestAccounting {
  #counts: RequestCounts = { total: 0, notModified: 0, byActor: {}, byTask: {}, unattributed: 0 };

  /** Records one request by `actor` attributed to `task` (undefined: not attributable). */
  record(actor: Actor | undefined, task: number | undefined, notModified: boolean): void {
    const c = this.#counts;
    c.total++;
    if (notModified) c.notModified++;
    const who = actorKey(actor);
    c.byActor[who] = (c.byActor[who] ?? 0) + 1;
    if (task === undefined) c.unattributed++;
    else c.byTask[String(task)] = (c.byTask[String(task)] ?? 0) + 1;
  }

  /** A copy of the counts so far. */
  snapshot(): RequestCounts {
    return structuredClone(this.#counts);
  }

  /** Starts counting from zero. */
  reset(): void {
    this.#counts = { total: 0, notModified: 0, byActor: {}, byTask: {}, unattributed: 0 };
  }
}

/** A stable name for whose token made a request: "installation:12", "github_token:o/r", … */
export function actorKey(actor: Actor | undefined): string {
  if (!actor) return "anonymous";
  switch (actor.kind) {
    case "installation":
      return `installation:${actor.installationId}`;
    case "github_token":
      return `github_token:${actor.repository}`;
    case "user":
      return `user:${actor.login}`;
    case "app":
      return `app:${actor.appId}`;
  }
}
