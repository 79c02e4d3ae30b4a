import { build, type Metafile, type Plugin } from "esbuild";
import { mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Bundles the agent action: the entry action.yml's `runs.main` names and its chunks. Releases build it
// onto the release branch (docs/operations.md, "Releasing the action"); main carries no dist/.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * @actions/core imports @actions/http-client (and through it undici) for OIDC tokens only, which
 * the action never asks for. Declared free of side effects, esbuild leaves them out when unused:
 * a third less to parse, and no second copy of undici installing itself as fetch's dispatcher.
 */
const unusedHttpClient: Plugin = {
  name: "unused-http-client",
  setup(build) {
    build.onResolve({ filter: /^@actions\/http-client(\/|$)/ }, async (args) => {
      if (args.pluginData === unusedHttpClient) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: unusedHttpClient,
      });
      return { ...resolved, sideEffects: false };
    });
  },
};

/**
 * The model is sent the tools as JSON Schemas generated from their zod schemas. The module that
 * generates them is replaced by its value, generated here once per build, so the action does not
 * generate them at every start.
 */
const toolDefinitionsAsJson: Plugin = {
  name: "tool-definitions-as-json",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]agent[\\/]tools[\\/]tool-definitions\.ts$/ }, async () => ({
      contents: await toolDefinitionsModule(),
      loader: "js",
    }));
  },
};

/** The tool definitions module as the bundle carries it: the definitions the source generates, as data. */
export async function toolDefinitionsModule(): Promise<string> {
  const { AGENT_TOOL_DEFINITIONS } = await import("../src/agent/tools/tool-definitions.ts");
  return `export const AGENT_TOOL_DEFINITIONS = ${JSON.stringify(AGENT_TOOL_DEFINITIONS)};\n`;
}

/**
 * Builds the action bundle, its entry at `outfile` and the chunks it imports on demand beside it,
 * and returns the entry's path. The runner imports the attempt (the Anthropic SDK and the agent
 * loop, half the code) while it waits for GitHub's first answers, so they load in that wait.
 */
export async function buildAction(outfile = path.join(root, "dist/agent/index.js")): Promise<string> {
  // Chunk names carry a content hash: an earlier build's would pile up beside the new ones.
  await rm(path.join(path.dirname(outfile), "chunks"), { recursive: true, force: true });
  const { metafile } = await build({
    entryPoints: { [path.basename(outfile, ".js")]: path.join(root, "src/agent/run.ts") },
    outdir: path.dirname(outfile),
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    minify: true,
    legalComments: "linked",
    // Some dependencies are CommonJS and call require(); an ES module bundle has to provide it.
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    plugins: [unusedHttpClient, toolDefinitionsAsJson],
    logLevel: "warning",
    metafile: true,
  });
  await removeUnreachableChunks(metafile, path.resolve(outfile));
  return outfile;
}

/**
 * esbuild writes a chunk for every dynamic import it meets, even one in code it then leaves out
 * (the Anthropic SDK's beta environments import a Node toolset the Messages client never reaches).
 * Those chunks are deleted, so the folder holds what the entry can load and nothing else.
 */
async function removeUnreachableChunks(metafile: Metafile, entry: string): Promise<void> {
  const outputs = new Map(
    Object.entries(metafile.outputs).map(([file, output]) => [path.resolve(file), output]),
  );
  const reached = new Set<string>();
  const visit = (file: string): void => {
    if (reached.has(file)) return;
    reached.add(file);
    for (const imported of outputs.get(file)?.imports ?? [])
      if (!imported.external) visit(path.resolve(imported.path));
  };
  visit(entry);
  for (const file of outputs.keys())
    if (file.endsWith(".js") && !reached.has(file)) await rm(file, { force: true });
}

/** The newest modification time, in ms, of the files the bundle is built from. */
async function newestSource(): Promise<number> {
  let newest = (await stat(path.join(root, "package-lock.json"))).mtimeMs;
  for (const entry of await readdir(path.join(root, "src"), { recursive: true, withFileTypes: true }))
    if (entry.isFile() && entry.name.endsWith(".ts"))
      newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  return newest;
}

/**
 * Builds `dist/agent/index.js` (what `npm run build` makes) when it is missing or older than a
 * source file, and returns the folder holding action.yml. The bundle is built aside and renamed
 * into place, so a process starting the action at the same time never reads half a file.
 */
export async function ensureActionBuilt(): Promise<string> {
  const bundle = path.join(root, "dist/agent/index.js");
  const built = await stat(bundle).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  if (built > (await newestSource())) return root;
  await mkdir(path.dirname(bundle), { recursive: true });
  const aside = await mkdtemp(path.join(path.dirname(bundle), ".build-"));
  try {
    const fresh = await buildAction(path.join(aside, "index.js"));
    // Chunks first: their names carry a content hash, so none replaces one an older entry still
    // needs, and the entry that names them arrives last. The licence file is linked by name.
    const chunks = path.join(path.dirname(bundle), "chunks");
    await mkdir(chunks, { recursive: true });
    for (const name of await readdir(path.join(aside, "chunks")))
      await rename(path.join(aside, "chunks", name), path.join(chunks, name));
    await rename(`${fresh}.LEGAL.txt`, `${bundle}.LEGAL.txt`);
    await rename(fresh, bundle);
  } finally {
    await rm(aside, { recursive: true, force: true });
  }
  return root;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outfile = await buildAction(process.argv[2]);
  console.log(`built ${path.relative(process.cwd(), outfile)}`);
}
