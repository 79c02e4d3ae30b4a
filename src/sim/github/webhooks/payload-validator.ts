import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsPlugin from "ajv-formats";

const require = createRequire(import.meta.url);
let ajv: Ajv | undefined;
let schemas: { definitions: Record<string, object> } | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * The ways a webhook payload breaks `@octokit/webhooks-schemas` for its event and action (empty
 * when it conforms). Validators compile lazily, once per process, per event and action.
 */
export function webhookPayloadProblems(
  event: string,
  action: string | undefined,
  payload: unknown,
): string[] {
  const key = action === undefined ? `${event}$event` : `${event}$${action}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = webhookSchemas();
    const definition = schema.definitions[key];
    if (!definition) return [`@octokit/webhooks-schemas has no schema for ${key.replace("$event", "")}`];
    ajv ??= newAjv();
    // Only the event's definition and what it references get compiled, not all 300-odd.
    validate = ajv.compile({ ...definition, definitions: schema.definitions });
    compiled.set(key, validate);
  }
  if (validate(payload)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${e.instancePath || "/"} ${e.message ?? "is invalid"}${"additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
  );
}

function webhookSchemas(): { definitions: Record<string, object> } {
  schemas ??= require("@octokit/webhooks-schemas/schema.json") as { definitions: Record<string, object> };
  return schemas;
}

function newAjv(): Ajv {
  const instance = new Ajv({ strict: false, validateSchema: false, allErrors: true, addUsedSchema: false });
  (addFormatsPlugin as unknown as (ajv: Ajv) => void)(instance);
  return instance;
}
