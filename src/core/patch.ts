// The `patch` field GitHub gives for each file of a pull request: the unified diff's hunks without
// the file headers (`@@ -a,b +c,d @@` then context ` `, added `+` and removed `-` lines).

/**
 * The 1-based line of the first change in the new version of a file, from its patch: the first
 * added line, or for a removal the line now standing where the removed text was (the hunk's last
 * line when the removal ends the file). Undefined when
 * there is no patch (binary or very large files) or it holds no change.
 */
export function firstChangedLine(patch: string | undefined): number | undefined {
  if (patch === undefined) return undefined;
  let line: number | undefined;
  let last = 1;
  for (const text of patch.split("\n")) {
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(text);
    if (hunk) {
      line = Number(hunk[1]);
      last = line + Number(hunk[2] ?? 1) - 1;
      continue;
    }
    if (line === undefined) continue;
    if (text.startsWith("+")) return line;
    if (text.startsWith("-")) return Math.max(1, Math.min(line, last));
    if (text.startsWith(" ")) line++;
  }
  return undefined;
}
