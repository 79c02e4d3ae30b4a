import { createRequire } from "node:module";

interface ExampleEvent {
  name: string;
  examples: Array<Record<string, unknown>>;
}

let byEvent: Map<string, Array<Record<string, unknown>>> | undefined;

function examples(): Map<string, Array<Record<string, unknown>>> {
  if (!byEvent) {
    const all = createRequire(import.meta.url)(
      "@octokit/webhooks-examples/api.github.com/index.json",
    ) as ExampleEvent[];
    byEvent = new Map(all.map((e) => [e.name, e.examples]));
  }
  return byEvent;
}

/**
 * A deep copy of GitHub's published example for the event and action. When no example has that
 * action (e.g. `merge_group` `destroyed`), another example of the event is taken and its action
 * set; the schema check that follows catches what the borrowed shape gets wrong.
 */
export function examplePayload(event: string, action: string | undefined): Record<string, unknown> {
  const list = examples().get(event);
  if (!list || list.length === 0) throw new Error(`no published webhook example for the "${event}" event`);
  const exact = list.find((e) => e.action === action) ?? (list[0] as Record<string, unknown>);
  const copy = structuredClone(exact);
  if (action !== undefined) copy.action = action;
  return copy;
}
