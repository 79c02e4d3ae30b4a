import { CONFIG_PATH } from "./defaults.ts";

/** A push to the default branch as far as the config is concerned. */
export interface ConfigPush {
  forced: boolean;
  commits: readonly {
    added?: readonly string[];
    removed?: readonly string[];
    modified?: readonly string[];
  }[];
}

// A push payload lists at most this many commits; a longer push may hide a change to the file.
const LISTED_COMMITS = 20;

/** Whether a push to the default branch may have changed the swarm config. */
export function configTouchedBy(push: ConfigPush): boolean {
  if (push.forced || push.commits.length >= LISTED_COMMITS) return true;
  return push.commits.some((commit) =>
    [commit.added, commit.removed, commit.modified].some((paths) => paths?.includes(CONFIG_PATH)),
  );
}
