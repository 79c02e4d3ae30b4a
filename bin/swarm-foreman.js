#!/usr/bin/env node
// The CLI runs its TypeScript sources directly through Node's type stripping, which needs Node 24.
const [major] = process.versions.node.split(".").map(Number);
if ((major ?? 0) < 24) {
  console.error(
    `swarm-foreman needs Node 24 or newer; this is Node ${process.versions.node}. ` +
      "Run it through npm (npx swarm-foreman, npm run demo), which puts the project's Node 24 first on the PATH.",
  );
  process.exit(1);
}
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
