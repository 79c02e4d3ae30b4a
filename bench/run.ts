// `npm run bench`: runs every bench/*.bench.ts in its own process, in name order, and prints
// one table of what each measured. A bench file default-exports a function returning rows.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

/** One measured figure; `target` states what counts as good enough, when there is a goal. */
export interface BenchRow {
  measure: string;
  value: number;
  unit: string;
  target?: { atLeast: number } | { atMost: number };
  /** Why the figure could not be measured here (e.g. no PostgreSQL server); value is then NaN. */
  skipped?: string;
}

/** What a bench file default-exports. */
export type Bench = () => Promise<BenchRow[]>;

const here = dirname(fileURLToPath(import.meta.url));
const marker = "BENCH-RESULT ";

function verdict(row: BenchRow): string {
  if (row.skipped !== undefined) return `skipped: ${row.skipped}`;
  if (row.target === undefined) return "";
  const [ok, goal] =
    "atLeast" in row.target
      ? [row.value >= row.target.atLeast, `≥ ${format(row.target.atLeast)}`]
      : [row.value <= row.target.atMost, `≤ ${format(row.target.atMost)}`];
  return `${ok ? "meets" : "MISSES"} ${goal}`;
}

function format(n: number): string {
  if (Number.isNaN(n)) return "-";
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2);
}

/** Lays rows out as an aligned text table. */
export function table(rows: { bench: string; row: BenchRow }[]): string {
  const cells = [
    ["bench", "measure", "value", "unit", "target"],
    ...rows.map(({ bench, row }) => [bench, row.measure, format(row.value), row.unit, verdict(row)]),
  ];
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? "").length))) ?? [];
  const line = (c: string[]) =>
    c
      .map((cell, i) => (i === 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [
    line(cells[0] ?? []),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.slice(1).map(line),
  ].join("\n");
}

async function runOne(file: string): Promise<void> {
  const bench = (await import(pathToFileURL(file).href)) as { default: Bench };
  const rows = await bench.default();
  process.stdout.write(`${marker}${JSON.stringify(rows)}\n`);
}

async function runAll(filter: string | undefined): Promise<number> {
  const files = readdirSync(here)
    .filter((f) => f.endsWith(".bench.ts") && (filter === undefined || f.includes(filter)))
    .sort();
  if (files.length === 0) {
    console.error(`no bench files${filter === undefined ? "" : ` matching "${filter}"`} in ${here}`);
    return 1;
  }
  const results: { bench: string; row: BenchRow }[] = [];
  let failed = 0;
  for (const file of files) {
    const bench = basename(file, ".bench.ts");
    console.error(`running ${file} …`);
    try {
      // A process per file keeps one bench's heap and handles from skewing the next.
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        [fileURLToPath(import.meta.url), "--one", join(here, file)],
        {
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      if (stderr.trim() !== "") console.error(stderr.trimEnd());
      const line = stdout.split("\n").find((l) => l.startsWith(marker));
      if (line === undefined) throw new Error(`${file} printed no result`);
      for (const row of JSON.parse(line.slice(marker.length)) as BenchRow[]) results.push({ bench, row });
    } catch (error) {
      failed++;
      console.error(`${file} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  console.log(table(results));
  return failed === 0 ? 0 : 1;
}

const args = process.argv.slice(2);
if (args[0] === "--one" && args[1] !== undefined) await runOne(args[1]);
else process.exitCode = await runAll(args[0]);
