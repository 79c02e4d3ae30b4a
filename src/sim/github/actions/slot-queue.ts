// The runner's slots: work starts in the order it arrived while fewer than `slots` pieces run;
// a piece in a concurrency group waits while another of its group runs (GitHub's `concurrency:`).

/** A piece of work waiting for a slot: its concurrency group (if any), how to run and stop it. */
export interface QueuedWork {
  group: string | undefined;
  /** Runs the work to its end; never rejects (failures end the work, they are not thrown). */
  start(): Promise<void>;
  /** Aborted (with a StopReason) to stop the work while it runs. */
  stop: AbortController;
}

/** Runs queued work on a fixed number of slots, honouring concurrency groups. */
export class SlotQueue<W extends QueuedWork> {
  readonly #slots: number;
  readonly #waiting: W[] = [];
  readonly #running = new Set<W>();
  readonly #idle: Array<() => void> = [];

  constructor(slots: number) {
    if (!Number.isInteger(slots) || slots < 1)
      throw new Error(`runner slots: expected a whole number ≥ 1, found ${slots}`);
    this.#slots = slots;
  }

  /** Queues work; it starts as soon as a slot (and its group) is free. */
  add(work: W): void {
    this.#waiting.push(work);
    this.#pump();
  }

  /** Takes work out of the queue before it starts; false when it is not waiting. */
  remove(work: W): boolean {
    const index = this.#waiting.indexOf(work);
    if (index === -1) return false;
    this.#waiting.splice(index, 1);
    this.#settle();
    return true;
  }

  /** The work waiting for a slot, oldest first. */
  waiting(): readonly W[] {
    return [...this.#waiting];
  }

  /** The work running now. */
  running(): readonly W[] {
    return [...this.#running];
  }

  /** Resolves once nothing waits or runs. */
  idle(): Promise<void> {
    if (this.#waiting.length === 0 && this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    for (const work of [...this.#waiting]) {
      if (this.#running.size >= this.#slots) break;
      if (work.group !== undefined && [...this.#running].some((r) => r.group === work.group)) continue;
      this.#waiting.splice(this.#waiting.indexOf(work), 1);
      this.#running.add(work);
      void work.start().finally(() => {
        this.#running.delete(work);
        this.#pump();
        this.#settle();
      });
    }
  }

  #settle(): void {
    if (this.#waiting.length > 0 || this.#running.size > 0) return;
    for (const resolve of this.#idle.splice(0)) resolve();
  }
}
