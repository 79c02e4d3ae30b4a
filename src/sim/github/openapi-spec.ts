import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** A JSON Schema object as the OpenAPI description writes it. */
export type JsonSchema = Record<string, unknown>;

/** One parameter of an operation, with its `$ref` already resolved. */
export interface OperationParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  schema: JsonSchema;
}

/** One operation of api.github.com, reduced to what routing and validation need. */
export interface Operation {
  operationId: string;
  method: string;
  template: string;
  parameters: OperationParameter[];
  requestBody: { required: boolean; schema: JsonSchema | undefined } | undefined;
  /** Response schema by status code ("200", "201", …); undefined when the status has no JSON body. */
  responses: Map<string, JsonSchema | undefined>;
  documentationUrl: string;
}

/** The loaded description: components for `$ref`s and every operation. */
export interface OpenApiSpec {
  components: Record<string, unknown>;
  operations: Operation[];
}

let shared: OpenApiSpec | undefined;

/**
 * The api.github.com description from @octokit/openapi, loaded once per process and shared by
 * every server (tests start many; the file is 13 MB).
 */
export function loadGitHubSpec(): OpenApiSpec {
  shared ??= parseSpec(readSpecFile());
  return shared;
}

function readSpecFile(): Record<string, unknown> {
  const require = createRequire(import.meta.url);
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

const METHODS = ["get", "put", "post", "patch", "delete", "head", "options"];

function parseSpec(original: Record<string, unknown>): OpenApiSpec {
  const raw = rewriteNullable(original) as Record<string, unknown>;
  const components = raw.components as Record<string, Record<string, unknown>>;
  const parameters = components.parameters ?? {};
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(raw.paths as Record<string, Record<string, unknown>>)) {
    for (const method of METHODS) {
      const op = item[method] as Record<string, unknown> | undefined;
      if (!op) continue;
      const params = [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map(
        (p) => resolveParameter(p as Record<string, unknown>, parameters),
      );
      operations.push({
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        template,
        parameters: params,
        requestBody: requestBodyOf(op, components),
        responses: responsesOf(op, components),
        documentationUrl: ((op.externalDocs as { url?: string } | undefined)?.url ??
          "https://docs.github.com/rest") as string,
      });
    }
  }
  return { components, operations };
}

function resolveParameter(
  p: Record<string, unknown>,
  parameters: Record<string, unknown>,
): OperationParameter {
  const ref = p.$ref as string | undefined;
  const resolved = ref
    ? (parameters[ref.slice("#/components/parameters/".length)] as Record<string, unknown>)
    : p;
  return {
    name: resolved.name as string,
    in: resolved.in as OperationParameter["in"],
    required: resolved.required === true,
    schema: (resolved.schema as JsonSchema | undefined) ?? {},
  };
}

function jsonSchemaOfContent(content: unknown): JsonSchema | undefined {
  if (!content || typeof content !== "object") return undefined;
  const entries = content as Record<string, { schema?: JsonSchema }>;
  return (entries["application/json"] ?? entries["application/scim+json"])?.schema;
}

function requestBodyOf(op: Record<string, unknown>, components: Record<string, Record<string, unknown>>) {
  let body = op.requestBody as Record<string, unknown> | undefined;
  if (!body) return undefined;
  if (typeof body.$ref === "string")
    body = components.requestBodies?.[body.$ref.split("/").pop() as string] as Record<string, unknown>;
  return { required: body.required === true, schema: jsonSchemaOfContent(body.content) };
}

function responsesOf(op: Record<string, unknown>, components: Record<string, Record<string, unknown>>) {
  const out = new Map<string, JsonSchema | undefined>();
  for (const [status, response] of Object.entries(
    (op.responses as Record<string, Record<string, unknown>>) ?? {},
  )) {
    const resolved =
      typeof response.$ref === "string"
        ? (components.responses?.[response.$ref.split("/").pop() as string] as Record<string, unknown>)
        : response;
    out.set(status, jsonSchemaOfContent(resolved?.content));
  }
  return out;
}

/**
 * OpenAPI 3.0 writes "may be null" as `nullable: true`, often without a `type`, which Ajv refuses
 * to compile; JSON Schema says the same thing as `anyOf: [schema, {type: "null"}]`.
 */
function rewriteNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteNullable);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = rewriteNullable(value);
  if (out.nullable !== true) return out;
  const { nullable: _nullable, description: _description, title: _title, ...rest } = out;
  return { anyOf: [rest, { type: "null" }] };
}
