import * as z from "zod";
import { isRepoPath } from "./globs.ts";

// One structured rejection finding: what a gate found wrong, where, and what it wanted instead.
// The gates produce findings; a rework job carries them to the agent; the ledger stores them.

/** The largest number of findings one rework job carries; the gate keeps the most important. */
export const MAX_FINDINGS = 20;
/** The longest `expected`, `found` or `hint` text, so a full rework job fits one dispatch input. */
export const MAX_FINDING_TEXT = 400;

/** Whether `value` holds a control character other than those `allowed`. */
function hasControl(value: string, allowed: string): boolean {
  for (const c of value) {
    const code = c.charCodeAt(0);
    if ((code < 0x20 || code === 0x7f) && !allowed.includes(c)) return true;
  }
  return false;
}

const text = z
  .string()
  .max(MAX_FINDING_TEXT)
  // Line breaks and tabs are fine (code snippets); other control characters only bloat the JSON.
  .refine((value) => !hasControl(value, "\t\n"), {
    error: "text without control characters other than tab and newline",
  });

/** A gate's finding: file and line when it has a place, expected against found, and a hint. */
export const findingSchema = z.strictObject({
  /** The gate that rejected the change, such as `scope`, `protected-paths`, `check:test`. */
  gate: z.string().regex(/^[a-z][a-z0-9:_-]{0,63}$/, { error: "a gate name such as scope or check:test" }),
  /** Path of the file relative to the repository root, when the finding is about one file. */
  file: z
    .string()
    .min(1)
    .max(200)
    .refine((path) => !path.startsWith("/") && !hasControl(path, ""), {
      error: "a path relative to the repository root",
    })
    .optional(),
  /** 1-based line in `file`, when the finding is about one line. */
  line: z.int().min(1).optional(),
  /** What the gate wanted. */
  expected: text,
  /** What it found instead. */
  found: text,
  /** How to fix it, when the gate knows. */
  hint: text.optional(),
});
/** A gate's structured finding. */
export type Finding = z.infer<typeof findingSchema>;

/**
 * A valid finding from raw texts: texts are stripped of control characters and cut to the
 * contract's length, and a path the contract would refuse (or a line without it) is left out.
 */
export function toFinding(raw: {
  gate: string;
  file?: string | undefined;
  line?: number | undefined;
  expected: string;
  found: string;
  hint?: string | undefined;
}): Finding {
  const fileOk = raw.file !== undefined && isRepoPath(raw.file) && raw.file.length <= 200;
  const lineOk = fileOk && raw.line !== undefined && Number.isInteger(raw.line) && raw.line >= 1;
  return findingSchema.parse({
    gate: raw.gate,
    ...(fileOk ? { file: raw.file } : {}),
    ...(lineOk ? { line: raw.line } : {}),
    expected: clampText(raw.expected),
    found: clampText(raw.found),
    ...(raw.hint === undefined ? {} : { hint: clampText(raw.hint) }),
  });
}

/** Text cut to the contract's length (with an ellipsis) and stripped of control characters but tab and newline. */
export function clampText(text: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
  const chars = Array.from(clean);
  return chars.length <= MAX_FINDING_TEXT ? clean : `${chars.slice(0, MAX_FINDING_TEXT - 1).join("")}…`;
}
