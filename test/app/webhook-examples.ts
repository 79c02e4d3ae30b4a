import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import type { WebhookEventMap, WebhookEventName } from "@octokit/webhooks-types";

const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as WebhookDefinition[];

/**
 * A fresh copy of a real webhook payload from @octokit/webhooks-examples: the first example of
 * `name` with `action` (null for events without one, such as push), and matching `where` when
 * given. Tests adapt it to their repository.
 */
export function webhookExample<N extends WebhookEventName>(
  name: N,
  action: string | null,
  where: (payload: WebhookEventMap[N]) => boolean = () => true,
): WebhookEventMap[N] {
  const definition = definitions.find((d) => d.name === name) as WebhookDefinition<N> | undefined;
  const example = definition?.examples.find(
    (e) => (e as { action?: string }).action === (action ?? undefined) && where(e),
  );
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${name}.${action} example`);
  return structuredClone(example);
}
