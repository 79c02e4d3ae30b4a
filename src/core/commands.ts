import * as z from "zod";
import { TIERS } from "./config/fields.ts";
import { codeSpan, proseLines, type MarkdownLine } from "./markdown.ts";

/**
 * A `model=` value: a tier name or a model id. Letters, digits, dots and dashes only, starting and
 * ending with a letter or digit, so nothing a person types can smuggle quotes, spaces, slashes or
 * shell and Markdown syntax into a job, a log line or a comment.
 */
export const ModelRef = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/, "letters, digits, dots and dashes only");

/** One `/swarm` command, as the app acts on it. */
export const SwarmCommand = z.discriminatedUnion("name", [
  z.object({
    name: z.literal("retry"),
    /** A tier name or model id for this attempt; routing resolves it against the config. */
    model: ModelRef.optional(),
    /** Start from the default branch instead of reworking the existing pull request. */
    fresh: z.boolean(),
  }),
  z.object({ name: z.literal("cancel") }),
  z.object({ name: z.literal("status") }),
  z.object({ name: z.literal("pause") }),
  z.object({ name: z.literal("resume") }),
  z.object({ name: z.literal("escalate") }),
  z.object({ name: z.literal("approve") }),
  z.object({ name: z.literal("help") }),
]);
export type SwarmCommand = z.infer<typeof SwarmCommand>;
export type SwarmCommandName = SwarmCommand["name"];

/** The reply to `/swarm help` and to every command that does not parse: the one source of the grammar's wording. */
export const HELP_TEXT = [
  "**Swarm commands** (one per comment, on a line of its own; the first command line counts):",
  "",
  "| Command | What it does |",
  "| --- | --- |",
  "| `/swarm retry [model=<tier or model id>] [fresh]` | Run the task again, optionally on another tier (" +
    [...TIERS]
      .reverse()
      .map((tier) => "`" + tier + "`")
      .join(", ") +
    ") or model id; `fresh` starts over from the default branch. |",
  "| `/swarm cancel` | Stop the running job and take the task out of the swarm. |",
  "| `/swarm status` | Show the task's state, attempts, agent, model and spend. |",
  "| `/swarm pause` | Hold new dispatches for this task until resumed. |",
  "| `/swarm resume` | Release a paused task. |",
  "| `/swarm escalate` | Hand the task to a person now (`swarm:needs-human`). |",
  "| `/swarm approve` | Approve a pull request held for review so it can enter the merge queue. |",
  "| `/swarm help` | Show this help. |",
  "",
  "A model id uses letters, digits, dots and dashes only. Lines in code blocks or quotes (`>`) are not run.",
].join("\n");

/** What a comment body asks for: nothing, one command, or a command line that does not parse. */
export type CommandParse =
  | { kind: "none" }
  | {
      kind: "command";
      command: SwarmCommand;
      /** 1-based line of the command in the body. */
      line: number;
      /** Further command lines after the first, which are not run; the reply says so. */
      ignored: number;
    }
  | {
      kind: "error";
      /** What was wrong, safe to post in a comment (user text is shortened and shown as code). */
      error: string;
      line: number;
      ignored: number;
      help: string;
    };

const NAMES = SwarmCommand.options.map((o) => o.shape.name.value);

const COMMAND_LINE = /^ {0,3}\/swarm(?=$|[ \t])/i;

/** Finds the `/swarm` command lines of a comment body and parses the first; never throws. */
export function parseCommandComment(body: string): CommandParse {
  const lines = commandLines(body);
  const first = lines[0];
  if (first === undefined) return { kind: "none" };
  const ignored = lines.length - 1;
  const parsed = parseCommandLine(first.text);
  if (typeof parsed === "string")
    return { kind: "error", error: parsed, line: first.line, ignored, help: HELP_TEXT };
  return { kind: "command", command: parsed, line: first.line, ignored };
}

/** The lines of a body that are commands: prose lines (see markdown.ts) that are not quotes or indented code. */
function commandLines(body: string): MarkdownLine[] {
  // A quote starts with `>`, an indented code block with 4 spaces or a tab; neither matches.
  return proseLines(body).filter(({ text }) => COMMAND_LINE.test(text));
}

/** Parses one command line into a command, or returns what was wrong with it. */
function parseCommandLine(text: string): SwarmCommand | string {
  const tokens = text
    .trim()
    .split(/[ \t]+/)
    .slice(1);
  const [name, ...args] = tokens;
  if (name === undefined) return "`/swarm` needs a command.";
  const lower = name.toLowerCase();
  const known = NAMES.find((n) => n === lower);
  if (known === undefined) return `Unknown command ${codeSpan(name)}.`;
  if (known !== "retry") {
    const extra = args[0];
    return extra === undefined
      ? SwarmCommand.parse({ name: known })
      : `\`/swarm ${known}\` takes no arguments; found ${codeSpan(extra)}.`;
  }
  let model: string | undefined;
  let fresh = false;
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const key = (eq === -1 ? arg : arg.slice(0, eq)).toLowerCase();
    if (eq === -1 && key === "fresh") {
      if (fresh) return "`fresh` is given twice.";
      fresh = true;
    } else if (eq !== -1 && key === "model") {
      if (model !== undefined) return "`model=` is given twice.";
      const value = arg.slice(eq + 1);
      if (!ModelRef.safeParse(value).success)
        return `${codeSpan(value)} is not a tier name or model id (letters, digits, dots and dashes, at most 100).`;
      model = value;
    } else {
      return `\`/swarm retry\` does not take ${codeSpan(arg)}; it takes \`model=<tier or model id>\` and \`fresh\`.`;
    }
  }
  return SwarmCommand.parse(model === undefined ? { name: "retry", fresh } : { name: "retry", model, fresh });
}
