import { parseArgs } from "node:util";
import type { Command } from "../main.ts";
import { runDemo } from "../../sim/demo/run-demo.ts";
import { formatSummaryTable } from "../../sim/demo/summary-table.ts";

/** `swarm-foreman demo [--quiet] [--seed N]`: the whole swarm on offline GitHub and Anthropic. */
export const demo: Command = {
  usage:
    "demo [--quiet] [--seed N]    (--quiet: only the final table; --seed: the order issues are labelled)",
  async run(args, io) {
    let values: { quiet?: boolean; seed?: string };
    try {
      ({ values } = parseArgs({
        args,
        options: { quiet: { type: "boolean" }, seed: { type: "string" } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      io.err(`swarm-foreman demo: ${(error as Error).message}\nUsage: swarm-foreman ${this.usage}`);
      return 2;
    }
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isSafeInteger(seed) || seed < 0) {
      io.err(`swarm-foreman demo: --seed expects a whole number of 0 or more, found "${values.seed}"`);
      return 2;
    }
    if (!values.quiet)
      io.out(`Swarm Foreman demo (seed ${seed}): offline GitHub, offline Anthropic, a temporary ledger`);
    const result = await runDemo({ seed, ...(values.quiet ? {} : { progress: (line) => io.out(line) }) });
    io.out("");
    for (const line of formatSummaryTable(result.rows)) io.out(line);
    io.out("");
    const seconds = (result.elapsedMs / 1000).toFixed(1);
    io.out(
      result.stoppedAt === null
        ? `${result.repository}: every task reached its end in ${seconds}s`
        : `${result.repository}: ${result.stoppedAt} (${seconds}s)`,
    );
    return 0;
  },
};
