import * as z from "zod";

/** The rules the sandbox enforces; every refusal names the one that fired. */
export const RefusalRule = z.enum([
  "path.absolute-outside",
  "path.parent-segment",
  "path.symlink-outside",
  "path.git-internal",
  "path.protected",
  "path.out-of-scope",
  "command.program-path",
  "command.shell",
  "command.not-allowlisted",
  "command.argument",
  "command.path-outside",
]);
export type RefusalRule = z.infer<typeof RefusalRule>;

/** One refused tool call, as the agent loop reports it: which tool, what it was asked, which rule fired. */
export const RefusalEvent = z.object({
  tool: z.string(),
  input: z.unknown(),
  rule: RefusalRule,
  message: z.string(),
});
export type RefusalEvent = z.infer<typeof RefusalEvent>;

/** A request the sandbox will not carry out; `message` tells the model why and what to do instead. */
export class SandboxRefusal extends Error {
  readonly rule: RefusalRule;

  constructor(rule: RefusalRule, message: string) {
    super(message);
    this.name = "SandboxRefusal";
    this.rule = rule;
  }
}
