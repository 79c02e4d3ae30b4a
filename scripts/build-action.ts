import { build } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

// Bundles the agent action into one file, as action.yml's `runs.main` names it. Releases build it
// onto the release branch (docs/operations.md, "Releasing the action"); main carries no dist/.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Builds the action bundle into `outfile` and returns its path. */
export async function buildAction(outfile = path.join(root, "dist/agent/index.js")): Promise<string> {
  await build({
    entryPoints: [path.join(root, "src/agent/run.ts")],
    outfile,
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
    logLevel: "warning",
  });
  return outfile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outfile = await buildAction(process.argv[2]);
  console.log(`built ${path.relative(process.cwd(), outfile)}`);
}
