// The files a step writes to talk to the runner (GITHUB_OUTPUT, GITHUB_ENV): `name=value` lines
// and `name<<DELIMITER` … `DELIMITER` blocks for values spanning lines, as @actions/core writes them.

/** The name/value pairs of a command file; a malformed entry is an error naming its line. */
export function parseCommandFile(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === "") continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = "", delimiter = ""] = heredoc;
      const end = lines.indexOf(delimiter, i + 1);
      if (end === -1) throw new Error(`${file}:${i + 1}: "${name}" has no closing delimiter "${delimiter}"`);
      values[name] = lines.slice(i + 1, end).join("\n");
      i = end;
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`${file}:${i + 1}: expected name=value or name<<DELIMITER`);
    values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}
