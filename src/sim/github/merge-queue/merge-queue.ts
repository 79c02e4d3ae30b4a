import { issuesClosedByMerge } from "../../../core/closing-keywords.ts";
import { deleteRef, moveRef } from "../branch-updates.ts";
import { headShaOf } from "../routes/pulls.ts";
import type { Actor, MergeGroupRef, SimEventEnvelope } from "../sim-events.ts";
import { nodeId, type SimPull, type SimRepo, type SimWorld } from "../world.ts";
import { landPull, type MergeMethod } from "./merge-commits.ts";
import { requiredChecksProblem, requiredChecksState } from "./required-checks.ts";
import {
  mergeQueueOf,
  requiredApprovalsOf,
  requiredChecksOf,
  type MergeQueueParameters,
} from "./rulesets.ts";

/** One pull request waiting in a merge queue. */
export interface QueueEntry {
  id: number;
  nodeId: string;
  repository: string;
  base: string;
  pullNumber: number;
  /** The head the pull request had when it was queued; a push to it takes the entry out. */
  headSha: string;
  enqueuedAt: Date;
  enqueuer: Actor;
  jump: boolean;
  /** The entry's merge group once built: the base, every entry ahead and this pull request. */
  group: (MergeGroupRef & { createdAt: Date }) | undefined;
  /** Set while the base is being advanced to this entry's group. */
  locked: boolean;
}

/** A merge group handed to the hook that runs the repository's CI on it. */
export interface MergeGroupRun extends MergeGroupRef {
  repository: string;
}

/** Called for each new merge group (e.g. the Actions runner running the repository's CI). */
export type MergeGroupHook = (group: MergeGroupRun) => void | Promise<void>;

/** A merge queue or auto-merge request GitHub refuses, with its GraphQL error type. */
export class MergeQueueRefusal extends Error {
  readonly type: "UNPROCESSABLE" | "NOT_FOUND" | "FORBIDDEN";

  constructor(type: MergeQueueRefusal["type"], message: string) {
    super(message);
    this.name = "MergeQueueRefusal";
    this.type = type;
  }
}

/** An auto-merge request on a pull request whose base has no queue. */
export interface AutoMergeRequest {
  repository: string;
  pullNumber: number;
  method: MergeMethod;
  commitHeadline: string | undefined;
  commitBody: string | undefined;
  enabledAt: Date;
  enabledBy: Actor;
}

/**
 * GitHub's merge queues, one per repository and base branch with a `merge_queue` rule, and the
 * auto-merge of branches without one. Driven by the world's events (a check run completing, a
 * push, a pull request closing) and by enqueue and dequeue; every change is serialised on one
 * chain, so `idle()` tells when the queue has caught up. The check-response timeout is read off
 * the world's clock: a timer wakes the queue at the earliest deadline, and `recheck()` lets a
 * test that moved its clock ask at once.
 */
export class MergeQueues {
  readonly #world: SimWorld;
  readonly #queues = new Map<string, QueueEntry[]>();
  readonly #autoMerges = new Map<string, AutoMergeRequest>();
  #chain: Promise<void> = Promise.resolve();
  #hook: MergeGroupHook | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Errors the queue met while working (a failing hook included); tests assert it stays empty. */
  readonly failures: unknown[] = [];

  constructor(world: SimWorld) {
    this.#world = world;
    world.events.on("event", (envelope) => this.#onEvent(envelope));
  }

  /** Sets what runs when a merge group is created (until the Actions runner is wired to it). */
  onMergeGroup(hook: MergeGroupHook | undefined): void {
    this.#hook = hook;
  }

  /** The entries of a branch's queue, first to merge first. */
  entries(repo: SimRepo, base: string): readonly QueueEntry[] {
    return this.#queues.get(key(repo, base)) ?? [];
  }

  /** The queue entry of a pull request, if it is queued. */
  entryOf(repo: SimRepo, pull: SimPull): QueueEntry | undefined {
    return this.entries(repo, pull.base).find((e) => e.pullNumber === pull.number);
  }

  /** The 1-based position of an entry in its queue (0 once it has left). */
  positionOf(entry: QueueEntry): number {
    const repo = this.#world.repo(entry.repository);
    return repo ? this.entries(repo, entry.base).indexOf(entry) + 1 : 0;
  }

  /** GitHub's MergeQueueEntryState for an entry. */
  stateOf(entry: QueueEntry): "QUEUED" | "AWAITING_CHECKS" | "MERGEABLE" | "UNMERGEABLE" | "LOCKED" {
    if (entry.locked) return "LOCKED";
    const repo = this.#world.repo(entry.repository);
    if (!entry.group || !repo) return "QUEUED";
    const state = requiredChecksState(repo, entry.group.headSha, requiredChecksOf(repo, entry.base)).state;
    return state === "success" ? "MERGEABLE" : state === "failure" ? "UNMERGEABLE" : "AWAITING_CHECKS";
  }

  /** The auto-merge request on a pull request, if any. */
  autoMergeOf(repo: SimRepo, pull: SimPull): AutoMergeRequest | undefined {
    return this.#autoMerges.get(`${repo.id}#${pull.number}`);
  }

  /**
   * Adds a pull request to its base's queue as GraphQL `enqueuePullRequest` does, or refuses
   * with GitHub's reason. A pull request already queued gets its entry back.
   */
  enqueue(
    repo: SimRepo,
    pull: SimPull,
    actor: Actor,
    options: { expectedHeadOid?: string | undefined; jump?: boolean | undefined } = {},
  ): Promise<QueueEntry> {
    return this.#run(async () => {
      const existing = this.entryOf(repo, pull);
      if (existing) return existing;
      const config = mergeQueueOf(repo, pull.base);
      if (!config)
        throw new MergeQueueRefusal("UNPROCESSABLE", "Merge queue is not enabled for this branch.");
      const headSha = await this.#assertMergeable(repo, pull, options.expectedHeadOid);
      const id = this.#world.nextId();
      const entry: QueueEntry = {
        id,
        nodeId: nodeId("MergeQueueEntry", id),
        repository: repo.fullName,
        base: pull.base,
        pullNumber: pull.number,
        headSha,
        enqueuedAt: this.#world.clock.now(),
        enqueuer: actor,
        jump: options.jump === true,
        group: undefined,
        locked: false,
      };
      const queue = this.#queue(repo, pull.base);
      if (entry.jump) {
        // Jumping to the front invalidates every group built behind the new first entry.
        await this.#invalidateFrom(repo, queue, 0);
        queue.unshift(entry);
      } else queue.push(entry);
      this.#world.emit(
        { name: "pull_request", action: "enqueued", repository: repo.fullName, number: pull.number },
        actor,
      );
      await this.#advance(repo, pull.base);
      return entry;
    });
  }

  /** Takes a pull request out of its queue as GraphQL `dequeuePullRequest` does (reason MANUAL). */
  dequeue(repo: SimRepo, pull: SimPull, actor: Actor): Promise<QueueEntry> {
    return this.#run(async () => {
      const entry = this.entryOf(repo, pull);
      if (!entry) throw new MergeQueueRefusal("UNPROCESSABLE", "Pull request is not in the merge queue.");
      await this.#remove(repo, entry, "MANUAL", actor);
      await this.#advance(repo, pull.base);
      return entry;
    });
  }

  /**
   * Turns on auto-merge as GraphQL `enablePullRequestAutoMerge` does: on a branch with a queue
   * the pull request is queued once its required checks pass; elsewhere it is merged then.
   */
  enableAutoMerge(
    repo: SimRepo,
    pull: SimPull,
    actor: Actor,
    request: {
      method?: MergeMethod | undefined;
      headline?: string | undefined;
      body?: string | undefined;
      expectedHeadOid?: string | undefined;
    },
  ): Promise<AutoMergeRequest> {
    return this.#run(async () => {
      if (!repo.mergeSettings.allow_auto_merge)
        throw new MergeQueueRefusal("UNPROCESSABLE", "Auto merge is not allowed for this repository");
      const headSha = await this.#assertOpen(repo, pull, request.expectedHeadOid);
      await this.#assertNoConflict(repo, pull, headSha);
      const queued = mergeQueueOf(repo, pull.base);
      const checks = requiredChecksState(repo, headSha, requiredChecksOf(repo, pull.base));
      // Nothing to wait for (mergeStateStatus CLEAN): GitHub refuses, with "Pull request" twice.
      if (checks.state === "success" && !queued)
        throw new MergeQueueRefusal("UNPROCESSABLE", "Pull request Pull request is in clean status");
      const method = request.method ?? (queued ? queued.merge_method : "MERGE");
      if (!queued) assertMethodAllowed(repo, method, "graphql");
      const auto: AutoMergeRequest = {
        repository: repo.fullName,
        pullNumber: pull.number,
        method,
        commitHeadline: request.headline,
        commitBody: request.body,
        enabledAt: this.#world.clock.now(),
        enabledBy: actor,
      };
      this.#autoMerges.set(`${repo.id}#${pull.number}`, auto);
      await this.#settleAutoMerge(repo, pull, auto);
      return auto;
    });
  }

  /** Turns auto-merge off (GraphQL `disablePullRequestAutoMerge`). */
  disableAutoMerge(repo: SimRepo, pull: SimPull): Promise<void> {
    return this.#run(async () => {
      this.#autoMerges.delete(`${repo.id}#${pull.number}`);
    });
  }

  /** Resolves once every queue change so far has been worked through. */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.#chain) {
      seen = this.#chain;
      await seen;
    }
  }

  /** Looks at every queue again now (after a test moved the clock past a deadline). */
  recheck(): Promise<void> {
    return this.#run(async () => {
      for (const k of this.#queues.keys()) {
        const [repoName, base] = splitKey(k);
        const repo = this.#world.repo(repoName);
        if (repo) await this.#advance(repo, base);
      }
    });
  }

  /** Stops the deadline timer. */
  dispose(): void {
    clearTimeout(this.#timer);
  }

  // Work runs one piece at a time; a failure is kept and the chain goes on.
  #run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#chain.then(work);
    this.#chain = result.then(
      () => undefined,
      (error: unknown) => {
        if (!(error instanceof MergeQueueRefusal)) this.failures.push(error);
      },
    );
    return result;
  }

  #onEvent(envelope: SimEventEnvelope): void {
    const event = envelope.payload;
    const repo = this.#world.repo(event.repository);
    if (!repo) return;
    const touches =
      (event.name === "check_run" && event.action === "completed") ||
      (event.name === "push" && !event.ref.startsWith("refs/heads/gh-readonly-queue/")) ||
      (event.name === "pull_request" && (event.action === "synchronize" || event.action === "closed"));
    if (!touches) return;
    const bases = [...this.#queues.keys()]
      .filter((k) => k.startsWith(`${repo.fullName.toLowerCase()}:`))
      .map((k) => splitKey(k)[1]);
    const autos = [...this.#autoMerges.values()].filter((a) => a.repository === repo.fullName);
    if (bases.length === 0 && autos.length === 0) return;
    void this.#run(async () => {
      for (const auto of autos) {
        const pull = repo.pulls.get(auto.pullNumber);
        if (pull && this.#autoMerges.get(`${repo.id}#${pull.number}`) === auto)
          await this.#settleAutoMerge(repo, pull, auto);
      }
      for (const base of bases) await this.#advance(repo, base);
    });
  }

  #queue(repo: SimRepo, base: string): QueueEntry[] {
    let queue = this.#queues.get(key(repo, base));
    if (!queue) {
      queue = [];
      this.#queues.set(key(repo, base), queue);
    }
    return queue;
  }

  async #assertOpen(repo: SimRepo, pull: SimPull, expectedHeadOid: string | undefined): Promise<string> {
    const issue = repo.issues.get(pull.number);
    if (pull.merged) throw new MergeQueueRefusal("UNPROCESSABLE", "Pull request is already merged");
    if (issue?.state !== "open") throw new MergeQueueRefusal("UNPROCESSABLE", "Pull request is closed");
    const headSha = await headShaOf(repo, pull);
    if (expectedHeadOid !== undefined && expectedHeadOid !== headSha)
      throw new MergeQueueRefusal(
        "UNPROCESSABLE",
        `Head branch was modified. Review and try the merge again. (expected head ${expectedHeadOid}, head is ${headSha})`,
      );
    return headSha;
  }

  // GitHub refuses a pull request whose merge commit cannot be made (mergeStateStatus DIRTY) by
  // naming that status, for the queue and for auto-merge alike.
  async #assertNoConflict(repo: SimRepo, pull: SimPull, headSha: string): Promise<void> {
    const baseSha = await repo.git.resolve(`refs/heads/${pull.base}`);
    if (!baseSha || (await repo.git.mergeTrees(baseSha, headSha)) === undefined)
      throw new MergeQueueRefusal("UNPROCESSABLE", "Pull request is in dirty status");
  }

  // What GitHub checks before a pull request may join a queue: open, the head as expected, not a
  // draft, no conflict with the base, the required reviews and checks on the head.
  async #assertMergeable(repo: SimRepo, pull: SimPull, expectedHeadOid: string | undefined): Promise<string> {
    const headSha = await this.#assertOpen(repo, pull, expectedHeadOid);
    if (pull.draft) throw new MergeQueueRefusal("UNPROCESSABLE", "Pull request is in draft state");
    await this.#assertNoConflict(repo, pull, headSha);
    const approvals = requiredApprovalsOf(repo, pull.base);
    if (approvals > 0)
      throw new MergeQueueRefusal(
        "UNPROCESSABLE",
        `Pull request At least ${approvals} approving review${approvals === 1 ? " is" : "s are"} required by reviewers with write access.`,
      );
    const problem = requiredChecksProblem(
      requiredChecksState(repo, headSha, requiredChecksOf(repo, pull.base)),
    );
    if (problem) throw new MergeQueueRefusal("UNPROCESSABLE", `Pull request ${problem}`);
    return headSha;
  }

  // One pass over a queue until nothing more can happen now: drop entries whose pull request
  // closed or moved, rebuild groups whose base moved, build groups up to max_entries_to_build,
  // merge the entries whose groups passed, and remove a first entry that failed or timed out.
  async #advance(repo: SimRepo, base: string): Promise<void> {
    const config = mergeQueueOf(repo, base);
    const queue = this.#queue(repo, base);
    for (;;) {
      if (!config) {
        // The rule went away: GitHub empties the queue.
        const first = queue[0];
        if (!first) break;
        await this.#remove(repo, first, "QUEUE_CLEARED");
        continue;
      }
      if (await this.#dropStale(repo, queue)) continue;
      const baseSha = await repo.git.resolve(`refs/heads/${base}`);
      if (!baseSha) break;
      await this.#dropBrokenChain(repo, queue, baseSha);
      if (await this.#build(repo, queue, config, baseSha)) continue;
      if (await this.#mergeReady(repo, queue, config, baseSha)) continue;
      const first = queue[0];
      if (!first?.group) break;
      const checks = requiredChecksState(repo, first.group.headSha, requiredChecksOf(repo, base));
      if (checks.state === "failure") {
        await this.#remove(repo, first, "CI_FAILURE");
        continue;
      }
      if (checks.state === "pending" && this.#deadline(first, config) <= this.#world.clock.now().getTime()) {
        await this.#remove(repo, first, "CI_TIMEOUT");
        continue;
      }
      break;
    }
    this.#scheduleDeadline();
  }

  async #dropStale(repo: SimRepo, queue: QueueEntry[]): Promise<boolean> {
    for (const entry of queue) {
      const pull = repo.pulls.get(entry.pullNumber);
      const open = pull !== undefined && !pull.merged && repo.issues.get(pull.number)?.state === "open";
      if (!open || (await headShaOf(repo, pull)) !== entry.headSha) {
        await this.#remove(repo, entry, "UNKNOWN_REMOVAL_REASON");
        return true;
      }
    }
    return false;
  }

  // Each group must sit on the one ahead of it (the first on the base): a base moved by a push,
  // or a group destroyed ahead, invalidates it and every group behind it.
  async #dropBrokenChain(repo: SimRepo, queue: QueueEntry[], baseSha: string): Promise<void> {
    let parent = baseSha;
    for (let i = 0; i < queue.length; i++) {
      const group = queue[i]?.group;
      if (!group) return;
      if (group.baseSha !== parent) return this.#invalidateFrom(repo, queue, i);
      parent = group.headSha;
    }
  }

  // Builds the next missing group; true when the queue changed (a group built or a conflict).
  async #build(
    repo: SimRepo,
    queue: QueueEntry[],
    config: MergeQueueParameters,
    baseSha: string,
  ): Promise<boolean> {
    const limit = Math.max(1, config.max_entries_to_build);
    let parent = baseSha;
    for (let i = 0; i < Math.min(limit, queue.length); i++) {
      const entry = queue[i] as QueueEntry;
      if (entry.group) {
        parent = entry.group.headSha;
        continue;
      }
      const pull = repo.pulls.get(entry.pullNumber) as SimPull;
      const merger = this.#world.userOf(entry.enqueuer);
      const headSha = await landPull(
        this.#world,
        repo,
        pull,
        entry.headSha,
        parent,
        config.merge_method,
        merger,
      );
      if (headSha === undefined) {
        await this.#remove(repo, entry, "MERGE_CONFLICT");
        return true;
      }
      const group = {
        headSha,
        headRef: `refs/heads/gh-readonly-queue/${entry.base}/pr-${pull.number}-${parent}`,
        baseSha: parent,
        baseRef: `refs/heads/${entry.base}`,
        createdAt: this.#world.clock.now(),
      };
      await moveRef(this.#world, repo, group.headRef, headSha, entry.enqueuer, undefined, true);
      entry.group = group;
      this.#world.emit(
        { name: "merge_group", action: "checks_requested", repository: repo.fullName, group: refOf(group) },
        entry.enqueuer,
      );
      const hook = this.#hook;
      if (hook)
        // The hook runs CI, which takes its time; the queue hears back through check runs.
        void Promise.resolve()
          .then(() => hook({ repository: repo.fullName, ...refOf(group) }))
          .catch((error: unknown) => this.failures.push(error));
      return true;
    }
    return false;
  }

  // Merges the longest run of first entries whose groups passed (ALLGREEN: each group; HEADGREEN:
  // the last group of the run, which contains the others), up to max_entries_to_merge, once
  // min_entries_to_merge are queued or the first has waited min_entries_to_merge_wait_minutes.
  async #mergeReady(
    repo: SimRepo,
    queue: QueueEntry[],
    config: MergeQueueParameters,
    baseSha: string,
  ): Promise<boolean> {
    const required = requiredChecksOf(repo, queue[0]?.base ?? "");
    const cap = Math.min(Math.max(1, config.max_entries_to_merge), queue.length);
    let count = 0;
    for (let i = 0; i < cap; i++) {
      const group = queue[i]?.group;
      if (!group) break;
      const state = requiredChecksState(repo, group.headSha, required).state;
      if (state === "success") count = i + 1;
      else if (config.grouping_strategy === "ALLGREEN") break;
    }
    if (count === 0) return false;
    const first = queue[0] as QueueEntry;
    const waited = this.#world.clock.now().getTime() - first.enqueuedAt.getTime();
    if (count < config.min_entries_to_merge && waited < config.min_entries_to_merge_wait_minutes * 60_000)
      return false;
    const merging = queue.slice(0, count);
    const last = merging[merging.length - 1] as QueueEntry;
    for (const entry of merging) entry.locked = true;
    await moveRef(
      this.#world,
      repo,
      `refs/heads/${first.base}`,
      (last.group as MergeGroupRef).headSha,
      last.enqueuer,
      baseSha,
      true,
    );
    for (const entry of merging) {
      queue.splice(queue.indexOf(entry), 1);
      entry.locked = false;
      await this.#finishMerged(repo, entry);
    }
    return true;
  }

  async #finishMerged(repo: SimRepo, entry: QueueEntry): Promise<void> {
    const pull = repo.pulls.get(entry.pullNumber) as SimPull;
    const group = entry.group as MergeGroupRef;
    markMerged(this.#world, repo, pull, group.headSha, entry.enqueuer);
    this.#world.emit(
      {
        name: "merge_group",
        action: "destroyed",
        repository: repo.fullName,
        group: refOf(group),
        reason: "merged",
      },
      entry.enqueuer,
    );
    await deleteRef(this.#world, repo, group.headRef, entry.enqueuer, true);
    await afterMerge(this.#world, repo, pull, entry.enqueuer);
  }

  // Takes an entry out: its group destroyed, the pull request told why, the groups behind rebuilt.
  async #remove(
    repo: SimRepo,
    entry: QueueEntry,
    reason: string,
    actor: Actor = entry.enqueuer,
  ): Promise<void> {
    const queue = this.#queue(repo, entry.base);
    const index = queue.indexOf(entry);
    if (index < 0) return;
    await this.#invalidateFrom(repo, queue, index + 1);
    queue.splice(index, 1);
    if (entry.group) await this.#destroy(repo, entry, "dequeued", actor);
    this.#world.emit(
      {
        name: "pull_request",
        action: "dequeued",
        repository: repo.fullName,
        number: entry.pullNumber,
        reason,
      },
      actor,
    );
  }

  async #invalidateFrom(repo: SimRepo, queue: QueueEntry[], from: number): Promise<void> {
    for (const entry of queue.slice(from))
      if (entry.group) await this.#destroy(repo, entry, "invalidated", entry.enqueuer);
  }

  async #destroy(
    repo: SimRepo,
    entry: QueueEntry,
    reason: "dequeued" | "invalidated",
    actor: Actor,
  ): Promise<void> {
    const group = entry.group as MergeGroupRef;
    entry.group = undefined;
    this.#world.emit(
      { name: "merge_group", action: "destroyed", repository: repo.fullName, group: refOf(group), reason },
      actor,
    );
    await deleteRef(this.#world, repo, group.headRef, actor, true);
  }

  // Auto-merge: on a queue branch, queue the pull request once its checks pass; elsewhere merge it.
  async #settleAutoMerge(repo: SimRepo, pull: SimPull, auto: AutoMergeRequest): Promise<void> {
    const drop = () => this.#autoMerges.delete(`${repo.id}#${pull.number}`);
    if (pull.merged || repo.issues.get(pull.number)?.state !== "open") return void drop();
    const headSha = await headShaOf(repo, pull);
    const checks = requiredChecksState(repo, headSha, requiredChecksOf(repo, pull.base));
    if (checks.state !== "success") return;
    if (mergeQueueOf(repo, pull.base)) {
      drop();
      if (!this.entryOf(repo, pull)) await this.#enqueueNow(repo, pull, auto.enabledBy, headSha);
      return;
    }
    const baseSha = await repo.git.resolve(`refs/heads/${pull.base}`);
    if (!baseSha) return;
    const merger = this.#world.userOf(auto.enabledBy);
    const tip = await landPull(this.#world, repo, pull, headSha, baseSha, auto.method, merger, {
      title: auto.commitHeadline,
      message: auto.commitBody,
    });
    if (tip === undefined) return;
    drop();
    await moveRef(this.#world, repo, `refs/heads/${pull.base}`, tip, auto.enabledBy, baseSha, true);
    markMerged(this.#world, repo, pull, tip, auto.enabledBy);
    await afterMerge(this.#world, repo, pull, auto.enabledBy);
  }

  async #enqueueNow(repo: SimRepo, pull: SimPull, actor: Actor, headSha: string): Promise<void> {
    try {
      await this.#assertMergeable(repo, pull, headSha);
    } catch (error) {
      if (error instanceof MergeQueueRefusal) return;
      throw error;
    }
    const id = this.#world.nextId();
    this.#queue(repo, pull.base).push({
      id,
      nodeId: nodeId("MergeQueueEntry", id),
      repository: repo.fullName,
      base: pull.base,
      pullNumber: pull.number,
      headSha,
      enqueuedAt: this.#world.clock.now(),
      enqueuer: actor,
      jump: false,
      group: undefined,
      locked: false,
    });
    this.#world.emit(
      { name: "pull_request", action: "enqueued", repository: repo.fullName, number: pull.number },
      actor,
    );
    await this.#advance(repo, pull.base);
  }

  #deadline(entry: QueueEntry, config: MergeQueueParameters): number {
    return (entry.group?.createdAt.getTime() ?? Infinity) + config.check_response_timeout_minutes * 60_000;
  }

  // One timer, at the earliest check-response deadline or minimum-group wait, read off the world's clock.
  #scheduleDeadline(): void {
    clearTimeout(this.#timer);
    let earliest = Infinity;
    for (const [k, queue] of this.#queues) {
      const repo = this.#world.repo(splitKey(k)[0]);
      const config = repo ? mergeQueueOf(repo, splitKey(k)[1]) : undefined;
      const first = queue[0];
      if (!config || !first) continue;
      earliest = Math.min(earliest, this.#deadline(first, config));
      if (queue.length < config.min_entries_to_merge)
        earliest = Math.min(
          earliest,
          first.enqueuedAt.getTime() + config.min_entries_to_merge_wait_minutes * 60_000,
        );
    }
    if (earliest === Infinity) return;
    const wait = Math.max(0, earliest - this.#world.clock.now().getTime());
    // Timers hold at most 2^31-1 ms; a later deadline is looked at again then.
    this.#timer = setTimeout(() => void this.recheck(), Math.min(wait, 2 ** 31 - 1));
    this.#timer.unref();
  }
}

/**
 * Records a pull request as merged at `sha` by `actor`, announces `pull_request` closed, and closes
 * the issues its body names with a closing keyword when it merged into the default branch.
 */
export function markMerged(world: SimWorld, repo: SimRepo, pull: SimPull, sha: string, actor: Actor): void {
  const now = world.clock.now();
  const issue = repo.issues.get(pull.number);
  pull.merged = true;
  pull.mergedAt = now;
  pull.mergedBy = world.userOf(actor);
  pull.mergeCommitSha = sha;
  if (issue) {
    issue.state = "closed";
    issue.closedAt = now;
    issue.closedBy = pull.mergedBy;
    issue.updatedAt = now;
  }
  world.emit(
    { name: "pull_request", action: "closed", repository: repo.fullName, number: pull.number },
    actor,
  );
  for (const number of issuesClosedByMerge({ body: issue?.body ?? null, base: pull.base }, repo)) {
    const closed = repo.issues.get(number);
    if (!closed || closed.state === "closed" || repo.pulls.has(number)) continue;
    closed.state = "closed";
    closed.stateReason = "completed";
    closed.closedAt = now;
    closed.closedBy = pull.mergedBy;
    closed.updatedAt = now;
    world.emit({ name: "issues", action: "closed", repository: repo.fullName, number }, actor);
  }
}

/** What follows a merge: the head branch deleted when the repository says so. */
export async function afterMerge(world: SimWorld, repo: SimRepo, pull: SimPull, actor: Actor): Promise<void> {
  if (repo.mergeSettings.delete_branch_on_merge)
    await deleteRef(world, repo, `refs/heads/${pull.head}`, actor, true);
}

// Each method's repository setting, and GitHub's refusal of it by the REST merge and by GraphQL.
const METHOD_SETTINGS = {
  MERGE: {
    setting: "allow_merge_commit",
    rest: "Merge commits are not allowed on this repository.",
    graphql: "Merge method merge commits are not allowed on this repository",
  },
  SQUASH: {
    setting: "allow_squash_merge",
    rest: "Squash merges are not allowed on this repository.",
    graphql: "Merge method squash merging is not allowed on this repository",
  },
  REBASE: {
    setting: "allow_rebase_merge",
    rest: "Rebase merges are not allowed on this repository.",
    graphql: "Merge method rebase merging is not allowed on this repository",
  },
} as const;

/** Refuses a merge method the repository does not allow, in the words of GitHub's REST or GraphQL API. */
export function assertMethodAllowed(
  repo: SimRepo,
  method: MergeMethod,
  api: "rest" | "graphql" = "rest",
): void {
  const known = METHOD_SETTINGS[method];
  if (!repo.mergeSettings[known.setting]) throw new MergeQueueRefusal("UNPROCESSABLE", known[api]);
}

function refOf(group: MergeGroupRef): MergeGroupRef {
  return { headSha: group.headSha, headRef: group.headRef, baseSha: group.baseSha, baseRef: group.baseRef };
}

// Keyed by repository and base; git refuses ":" in branch names and GitHub in repository names.
function key(repo: SimRepo, base: string): string {
  return `${repo.fullName.toLowerCase()}:${base}`;
}

function splitKey(k: string): [string, string] {
  const colon = k.indexOf(":");
  return [k.slice(0, colon), k.slice(colon + 1)];
}
