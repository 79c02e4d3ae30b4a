import { parseArgs } from "node:util";

/** One CLI command: its usage text and what it does. */
export interface Command {
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Where a command writes; tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

// Commands load lazily so `--help` and small commands stay fast.
const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  calibration: {
    summary:
      "how often people found problems in what the gate passed: `calibration --repo OWNER/NAME [--db URL]`",
    load: async () => (await import("./commands/calibration.ts")).calibration,
  },
  config: {
    summary: "check .github/swarm.yml: `config check [FILE]`",
    load: async () => (await import("./commands/config-check.ts")).configCheck,
  },
  demo: {
    summary: "run the swarm end to end on offline GitHub and Anthropic: `demo [--quiet] [--seed N]`",
    load: async () => (await import("./commands/demo.ts")).demo,
  },
};

/** The text `swarm-foreman --help` prints. */
export function helpText(): string {
  const lines = [
    "swarm-foreman: run a swarm of AI coding agents on a GitHub repository",
    "",
    "Usage: swarm-foreman <command> [options]",
    "",
    "Commands:",
  ];
  for (const [name, { summary }] of Object.entries(commands).sort())
    lines.push(`  ${name.padEnd(14)}${summary}`);
  lines.push(
    "",
    "Run `swarm-foreman <command> --help` for a command's options. Docs: docs/ in the repository.",
  );
  return lines.join("\n");
}

const consoleIo: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Runs the CLI with argv (without node and script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = consoleIo): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    options: { help: { type: "boolean", short: "h" }, version: { type: "boolean" } },
    strict: false,
    allowPositionals: true,
  });
  const name = positionals[0];
  if (values.version) {
    const pkg = (await import("../../package.json", { with: { type: "json" } })).default;
    io.out(pkg.version);
    return 0;
  }
  if (name === undefined || (values.help && !(name in commands))) {
    io.out(helpText());
    return name === undefined && !values.help ? 1 : 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.err(`swarm-foreman: unknown command "${name}"\n\n${helpText()}`);
    return 1;
  }
  const command = await entry.load();
  const rest = argv.slice(argv.indexOf(name) + 1);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(`Usage: swarm-foreman ${command.usage}\n\n${entry.summary}`);
    return 0;
  }
  return command.run(rest, io);
}
