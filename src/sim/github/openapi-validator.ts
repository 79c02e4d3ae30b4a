import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsPlugin from "ajv-formats";
import type { JsonSchema, OpenApiSpec, Operation } from "./openapi-spec.ts";

/** What a validation found wrong: one human-readable line per problem. */
export type Problems = string[];

const COMPONENTS_ID = "https://api.github.com/openapi-components";

/**
 * Validates requests and responses against the description. Validators compile lazily, once per
 * operation and per process (compiling all ~1,200 operations up front takes seconds).
 */
export class OpenApiValidator {
  readonly #ajv: Ajv;
  readonly #cache = new Map<string, ValidateFunction>();

  constructor(spec: OpenApiSpec) {
    // strict off: the description carries OpenAPI keywords (example, discriminator, x-github…)
    // that are not JSON Schema; validateSchema off: meta-validating 13 MB costs seconds.
    this.#ajv = new Ajv({ strict: false, validateSchema: false, allErrors: true });
    const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => void;
    addFormats(this.#ajv);
    // The description's own format for "owner/name" repository names.
    this.#ajv.addFormat("repo.nwo", /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
    this.#ajv.addSchema({ $id: COMPONENTS_ID, components: spec.components });
  }

  /** Problems with the path and query parameters (query values arrive as strings). */
  parameters(op: Operation, path: Record<string, string>, query: URLSearchParams): Problems {
    const problems: Problems = [];
    for (const p of op.parameters) {
      if (p.in !== "path" && p.in !== "query") continue;
      const raw = p.in === "path" ? path[p.name] : (query.get(p.name) ?? undefined);
      if (raw === undefined) {
        if (p.required) problems.push(`"${p.name}" wasn't supplied.`);
        continue;
      }
      const value = coerce(raw, p.schema);
      const validate = this.#compile(`${op.operationId} param ${p.name}`, p.schema);
      if (!validate(value)) problems.push(...describe(validate.errors, p.name));
    }
    return problems;
  }

  /** Problems with a JSON request body. */
  body(op: Operation, body: unknown): Problems {
    const spec = op.requestBody;
    if (!spec) return [];
    if (body === undefined) return spec.required ? ["Request body is required."] : [];
    if (!spec.schema) return [];
    const validate = this.#compile(`${op.operationId} body`, spec.schema);
    return validate(body) ? [] : describe(validate.errors, "body");
  }

  /** Problems with a response body the server is about to send. */
  response(op: Operation, status: number, body: unknown): Problems {
    if (!op.responses.has(String(status))) {
      return [`status ${status} is not a documented response of ${op.operationId}`];
    }
    const schema = op.responses.get(String(status));
    if (!schema) return body === undefined ? [] : [`status ${status} of ${op.operationId} has no body`];
    const validate = this.#compile(`${op.operationId} response ${status}`, schema);
    return validate(body) ? [] : describe(validate.errors, "response");
  }

  #compile(key: string, schema: JsonSchema): ValidateFunction {
    let validate = this.#cache.get(key);
    if (!validate) {
      validate = this.#ajv.compile(pointRefsAtComponents(schema) as JsonSchema);
      this.#cache.set(key, validate);
    }
    return validate;
  }
}

// Inline schemas say `#/components/...`, which means the description's root; compiled on their
// own they need the absolute id of the components document.
function pointRefsAtComponents(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(pointRefsAtComponents);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === "$ref" && typeof value === "string" && value.startsWith("#/")
        ? `${COMPONENTS_ID}${value}`
        : pointRefsAtComponents(value);
  }
  return out;
}

function coerce(raw: string, schema: JsonSchema): unknown {
  const type = schema.type;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (type === "boolean" && (raw === "true" || raw === "false")) return raw === "true";
  if (type === "array") return raw.split(",");
  return raw;
}

function describe(errors: ErrorObject[] | null | undefined, root: string): Problems {
  return (errors ?? []).map((e) => {
    const where = `${root}${e.instancePath.replaceAll("/", ".")}`;
    if (e.keyword === "required") return `"${String(e.params.missingProperty)}" wasn't supplied (${where}).`;
    if (e.keyword === "additionalProperties")
      return `"${String(e.params.additionalProperty)}" is not a permitted key (${where}).`;
    return `${where} ${e.message ?? "is invalid"}.`;
  });
}
