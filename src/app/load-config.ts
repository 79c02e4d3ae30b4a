import { formatProblem, parseConfig } from "../core/config/parse.ts";
import { CONFIG_PATH } from "../core/config/defaults.ts";
import type { SwarmConfig } from "../core/config/schema.ts";
import type { GitHubGateway } from "../github/gateway.ts";
import type { ConfigCache } from "./config-cache.ts";
import { codeBlock } from "./markdown.ts";

// GitHub answers a missing file with a 404 that carries neither an ETag nor a max-age. A
// repository without the file is asked again after the minute a found file is kept; a push that
// adds the file is heard at once (src/app/handlers/push.ts).
const MISSING_FILE_FRESH_SECONDS = 60;

/** A repository's config: valid (from the file, or the defaults when there is none) or broken. */
export type LoadedConfig =
  { ok: true; config: SwarmConfig; fromFile: boolean } | { ok: false; problems: string[] };

/**
 * Reads `.github/swarm.yml` through the gateway and validates it with the config module, so a
 * broken file yields the same `file:line:column` problems `swarm-foreman config check` prints.
 * With a cache, a config read before is used while fresh, then revalidated by its ETag and reused
 * while unchanged; a missing file is remembered for a minute.
 */
export async function loadConfig(
  gateway: GitHubGateway,
  cache?: ConfigCache,
  now: () => Date = () => new Date(),
): Promise<LoadedConfig> {
  const repo = `${gateway.repo.owner}/${gateway.repo.repo}`;
  const cached = cache?.get(repo);
  if (cached !== undefined && now().getTime() < cached.freshUntil) return cached.loaded;
  const read = await gateway.readFile(CONFIG_PATH, cached?.etag ?? undefined);
  const missing = read.changed && read.value === null;
  const seconds = missing ? Math.max(read.maxAgeSeconds, MISSING_FILE_FRESH_SECONDS) : read.maxAgeSeconds;
  const freshUntil = now().getTime() + seconds * 1000;
  if (!read.changed) {
    if (cached === undefined)
      throw new Error(`GitHub answered "not modified" to an unconditional read of ${CONFIG_PATH} in ${repo}`);
    cache?.refresh(repo, freshUntil);
    return cached.loaded;
  }
  const file = read.value;
  const result = parseConfig(file?.text ?? "");
  const loaded: LoadedConfig = result.ok
    ? { ok: true, config: result.config, fromFile: file !== null }
    : { ok: false, problems: result.problems.map((p) => formatProblem(CONFIG_PATH, p)) };
  cache?.set(repo, read.etag, loaded, freshUntil);
  return loaded;
}

/** The one comment a task gets when the config is broken: every problem, and how to check a fix. */
export function brokenConfigComment(problems: readonly string[]): string {
  return [
    `**Swarm Foreman cannot start this task:** \`${CONFIG_PATH}\` has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}.`,
    "",
    codeBlock(problems.join("\n")),
    "",
    `Fix the file on the default branch (\`npx swarm-foreman config check\` checks it locally), then remove and add the label again.`,
  ].join("\n");
}
