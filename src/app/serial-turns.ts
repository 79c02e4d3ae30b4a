/**
 * Runs work one piece after another per key, in the order asked: two webhooks of one repository
 * handled at once take turns offering its free slots, so they cannot both count the same free
 * slot or pick the same free agent. Replicas still race; the ledger's claim settles that.
 */
export class SerialTurns {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier piece of work for `key` has settled. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.#tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
