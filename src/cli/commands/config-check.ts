import { readFile } from "node:fs/promises";
import type { Command } from "../main.ts";
import { CONFIG_PATH as DEFAULT_FILE } from "../../core/config/defaults.ts";
import { formatProblem, parseConfig } from "../../core/config/parse.ts";

/** `swarm-foreman config check [FILE]`: prints `ok`, or every problem in FILE and exits 1. */
export const configCheck: Command = {
  usage: `config check [FILE]    (FILE defaults to ${DEFAULT_FILE})`,
  async run(args, io) {
    const [sub, file = DEFAULT_FILE, ...extra] = args;
    if (sub !== "check" || extra.length > 0) {
      io.err(`Usage: swarm-foreman ${this.usage}`);
      return 2;
    }
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
      io.err(`${file}: cannot read the config: ${reason}`);
      return 1;
    }
    const result = parseConfig(text);
    if (result.ok) {
      io.out("ok");
      return 0;
    }
    for (const problem of result.problems) io.err(formatProblem(file, problem));
    const count = result.problems.length;
    io.err(`${count} problem${count === 1 ? "" : "s"} in ${file}`);
    return 1;
  },
};
