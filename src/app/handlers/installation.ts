import type { EmitterWebhookEvent } from "@octokit/webhooks";
import type { Context } from "probot";
import { DEFAULT_LABELS } from "../../core/config/defaults.ts";
import { GitHubGateway } from "../../github/gateway.ts";
import type { AppDeps } from "../scope.ts";

const LABEL_LOOK: Record<keyof typeof DEFAULT_LABELS, { color: string; description: string }> = {
  ready: { color: "0e8a16", description: "Swarm Foreman: take this issue as an agent task" },
  queued: { color: "c5def5", description: "Swarm Foreman: waiting for a free agent" },
  running: { color: "1d76db", description: "Swarm Foreman: an agent is working on it" },
  review: { color: "fbca04", description: "Swarm Foreman: a person's review is awaited" },
  needsSpec: { color: "d93f0b", description: "Swarm Foreman: the issue needs a clearer spec" },
  needsHuman: { color: "b60205", description: "Swarm Foreman: a person needs to decide" },
  done: { color: "0e8a16", description: "Swarm Foreman: merged" },
};

type Installed = EmitterWebhookEvent<"installation.created" | "installation_repositories.added">["payload"];

/**
 * `installation.created` and `installation_repositories.added`: each repository the app is given
 * gets the swarm's labels (with the default names; a config that renames them brings its own).
 */
export function onInstalled(deps: AppDeps) {
  return async (
    context: Context<"installation.created" | "installation_repositories.added">,
  ): Promise<void> => {
    const payload = context.payload as Installed;
    const repositories =
      "repositories_added" in payload ? payload.repositories_added : (payload.repositories ?? []);
    for (const repository of repositories) {
      const [owner = "", repo = ""] = repository.full_name.split("/");
      const gateway = new GitHubGateway(context.octokit, { owner, repo }, deps.requests);
      for (const [key, name] of Object.entries(DEFAULT_LABELS) as [keyof typeof DEFAULT_LABELS, string][])
        await gateway.ensureLabel(name, LABEL_LOOK[key].color, LABEL_LOOK[key].description);
    }
    context.log.info(
      { delivery: context.id, repositories: repositories.length },
      "labels ensured on installation",
    );
  };
}
