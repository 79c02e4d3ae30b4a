// A job's log as the runner keeps it: every line with secrets masked as `***` (the repository's
// secrets, the job's token and values a step masks with `::add-mask::`), bounded to its newest part.

/** The default bound of a job's log, in characters. */
export const DEFAULT_LOG_LIMIT = 1_000_000;

/** A bounded, masked log fed by a step's output as it arrives. */
export class JobLog {
  readonly #limit: number;
  readonly #masks = new Set<string>();
  #text = "";
  #dropped = 0;
  #partial = "";

  constructor(limit = DEFAULT_LOG_LIMIT, masks: Iterable<string> = []) {
    this.#limit = limit;
    for (const mask of masks) this.mask(mask);
  }

  /** Masks a value from now on (empty and one-character values would mask everything, so are skipped). */
  mask(value: string): void {
    if (value.length > 1) this.#masks.add(value);
  }

  /** Appends a chunk of a process's output; complete lines are masked and kept. */
  write(chunk: string): void {
    const text = this.#partial + chunk;
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) this.line(line);
  }

  /** Ends the current process's output (its last line may lack a newline). */
  flush(): void {
    if (this.#partial !== "") this.line(this.#partial);
    this.#partial = "";
  }

  /** Appends one line from the runner itself or a process. */
  line(raw: string): void {
    const line = raw.replace(/\r$/, "");
    const mask = /^::add-mask::(.*)$/.exec(line);
    if (mask) {
      this.mask(mask[1] as string);
      return;
    }
    let masked = line;
    // Longest first, so a secret containing another is masked whole.
    for (const secret of [...this.#masks].sort((a, b) => b.length - a.length))
      masked = masked.split(secret).join("***");
    this.#text += `${masked}\n`;
    if (this.#text.length > this.#limit) {
      const cut = this.#text.length - this.#limit;
      this.#dropped += cut;
      this.#text = this.#text.slice(cut);
    }
  }

  /** The log so far, with a note of how much of its start was dropped. */
  text(): string {
    return this.#dropped > 0 ? `[${this.#dropped} earlier characters dropped]\n${this.#text}` : this.#text;
  }

  /** The last `n` characters of the log. */
  tail(n: number): string {
    return this.#text.length > n ? this.#text.slice(-n) : this.#text;
  }
}
