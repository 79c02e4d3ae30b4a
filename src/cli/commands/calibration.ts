import { parseArgs } from "node:util";
import type { Command } from "../main.ts";
import { calibrate, renderCalibration } from "../../core/calibration.ts";
import { openLedger } from "../../ledger/index.ts";

/** `swarm-foreman calibration --repo owner/name [--db URL]`: how often people found problems in what the gate passed. */
export const calibration: Command = {
  usage: "calibration --repo OWNER/NAME [--db PATH-OR-URL]",
  async run(args, io) {
    let values: { repo?: string | undefined; db?: string | undefined };
    try {
      ({ values } = parseArgs({
        args,
        options: { repo: { type: "string" }, db: { type: "string" } },
        strict: true,
        allowPositionals: false,
      }));
    } catch (error) {
      io.err(`${(error as Error).message}\nUsage: swarm-foreman ${this.usage}`);
      return 2;
    }
    if (values.repo === undefined || !/^[^/\s]+\/[^/\s]+$/.test(values.repo)) {
      io.err(`--repo owner/name is required\nUsage: swarm-foreman ${this.usage}`);
      return 2;
    }
    const ledger = await openLedger(values.db === undefined ? {} : { url: values.db });
    try {
      const [heads, reviews] = await Promise.all([
        ledger.reviews.gatedHeads(values.repo),
        ledger.reviews.listForRepo(values.repo),
      ]);
      io.out(renderCalibration(values.repo, calibrate(heads, reviews)));
      return 0;
    } finally {
      await ledger.close();
    }
  },
};
