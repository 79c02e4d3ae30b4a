import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticate } from "./auth.ts";
import { GitHubError } from "./github-error.ts";
import { handleGraphql, type GraphqlRoots } from "./graphql-endpoint.ts";
import type { SimUrls } from "./json-shapes.ts";
import { loadGitHubSpec } from "./openapi-spec.ts";
import { OpenApiValidator } from "./openapi-validator.ts";
import { DEFAULT_RATE_LIMITS, RateLimiter, rateHeaders, type RateLimits } from "./rate-limiter.ts";
import { RequestAccounting, type RequestCounts } from "./request-accounting.ts";
import { RequestFaults, type RequestFault, type RequestFaultScope } from "./request-faults.ts";
import type { RouteContext, RouteHandlers } from "./route-context.ts";
import { RouteTable } from "./route-table.ts";
import { routeHandlers } from "./routes/index.ts";
import { taskOfRequest } from "./task-attribution.ts";
import type { Actor } from "./sim-events.ts";
import { SimWorld, type SimClock } from "./world.ts";

/** A request or response that broke GitHub's description, or a route the server lacks. */
export interface Violation {
  side: "request" | "response" | "unimplemented" | "webhook";
  method: string;
  path: string;
  operationId: string | undefined;
  status: number;
  problems: string[];
}

/** Options for a simulated GitHub server. */
export interface GitHubSimOptions {
  clock?: SimClock;
  rateLimits?: Partial<RateLimits>;
  /** Resolvers for GraphQL root fields, added to the built-in ones. */
  graphql?: GraphqlRoots;
}

/** A running offline GitHub. */
export interface GitHubSim {
  /** Base URL of the REST API (also served under `/api/v3`). */
  url: string;
  /** The GraphQL endpoint (also served at `/api/graphql`). */
  graphqlUrl: string;
  world: SimWorld;
  /** Every off-spec request or response seen so far. */
  violations(): Violation[];
  /** Records a violation found outside a request (e.g. a webhook payload off its schema). */
  recordViolation(violation: Violation): void;
  /** Throws, listing them, when any violation was recorded (call it at test teardown). */
  assertNoViolations(): void;
  /** Request counts per token and per task. */
  requests(): RequestCounts;
  /** Answers the next matching REST request(s) with a server error or a secondary rate limit. */
  injectFault(fault: RequestFault, scope?: RequestFaultScope): void;
  /** Stops the server and deletes the repositories. */
  close(): Promise<void>;
}

const RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api";
// Apps authenticate as themselves (JWT) only to these; everything else needs an installation.
const JWT_OPERATIONS =
  /^apps\/(get-authenticated|list-installations|get-installation|create-installation-access-token|get-(repo|org|user)-installation|delete-installation)$/;

/** Starts an offline GitHub on 127.0.0.1 at a free port. */
export async function startGitHubSim(options: GitHubSimOptions = {}): Promise<GitHubSim> {
  const shared = sharedMachinery();
  const world = new SimWorld(options.clock ?? { now: () => new Date() });
  const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, ...options.rateLimits });
  const accounting = new RequestAccounting();
  const faults = new RequestFaults();
  const violations: Violation[] = [];
  const urls: SimUrls = { api: "", html: "" };
  const handlers: RouteHandlers = routeHandlers;

  const server: Server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      violations.push({
        side: "response",
        method: req.method ?? "",
        path: req.url ?? "",
        operationId: undefined,
        status: 500,
        problems: [`server error: ${message}`],
      });
      if (!res.headersSent)
        send(res, 500, { message: "Server Error", documentation_url: "https://docs.github.com/rest" });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://sim");
    let path = url.pathname;
    if (path === "/graphql" || path === "/api/graphql") {
      return handleGraphql(
        { world, urls, limiter, accounting, roots: options.graphql, violations },
        req,
        res,
        await readBody(req),
      );
    }
    if (path.startsWith("/api/v3/") || path === "/api/v3") path = path.slice("/api/v3".length) || "/";
    const headers: Record<string, string> = { "x-github-request-id": randomUUID() };
    let actor: Actor | undefined;
    let task: number | undefined;
    let notModified = false;
    const record = (
      side: Violation["side"],
      status: number,
      operationId: string | undefined,
      problems: string[],
    ) => violations.push({ side, method, path: url.pathname + url.search, operationId, status, problems });
    try {
      const match = shared.routes.match(method, path);
      if (!match) {
        record("request", 404, undefined, [`no operation of api.github.com matches ${method} ${path}`]);
        throw new GitHubError(404, "Not Found");
      }
      const op = match.operation;
      const docs = op.documentationUrl;
      try {
        actor = authenticate(world, req.headers.authorization);
        const jwtOnly = JWT_OPERATIONS.test(op.operationId);
        if (actor.kind === "app" && !jwtOnly)
          throw new GitHubError(403, "Resource not accessible by integration");
        if (actor.kind !== "app" && jwtOnly)
          throw new GitHubError(401, "A JSON web token could not be decoded");

        const counted = op.operationId !== "rate-limit/get";
        const state = limiter.peek(actor, "core", world.clock.now());
        Object.assign(headers, rateHeaders(state));
        if (counted && state.remaining === 0)
          throw new GitHubError(403, `API rate limit exceeded for ${state.owner}.`, {
            headers: rateHeaders(state),
          });

        const raw = await readBody(req);
        let body: unknown;
        if (raw.length > 0 && method !== "GET") {
          try {
            body = JSON.parse(raw.toString("utf8"));
          } catch {
            throw new GitHubError(400, "Problems parsing JSON");
          }
        }
        const problems = [
          ...shared.validator.parameters(op, match.params, url.searchParams),
          ...shared.validator.body(op, body),
        ];
        if (problems.length > 0) {
          record("request", 422, op.operationId, problems);
          throw new GitHubError(422, `Invalid request.\n\n${problems.join("\n")}`);
        }
        const fault = faults.take(op.operationId);
        if (fault) throw fault;
        const handler = handlers[op.operationId];
        if (!handler) {
          record("unimplemented", 501, op.operationId, [
            `the offline GitHub does not serve ${op.operationId}`,
          ]);
          throw new GitHubError(501, `Not implemented by the offline GitHub: ${op.operationId}`);
        }
        const ctx: RouteContext = {
          world,
          urls,
          actor,
          operationId: op.operationId,
          params: match.params,
          query: url.searchParams,
          body: (body ?? {}) as Record<string, unknown>,
          accept: req.headers.accept ?? "",
          rateLimit: (resource) => limiter.peek(actor as Actor, resource, world.clock.now()),
        };
        task = taskOfRequest(ctx);
        const result = await handler(ctx);
        if (result.raw) {
          if (counted)
            Object.assign(headers, rateHeaders(limiter.spend(actor, "core", world.clock.now()).state));
          res.writeHead(result.status, {
            ...headers,
            ...result.headers,
            "content-type": "text/plain; charset=utf-8",
          });
          res.end(result.raw);
          return;
        }
        const responseProblems = shared.validator.response(op, result.status, result.body);
        if (responseProblems.length > 0) record("response", result.status, op.operationId, responseProblems);
        Object.assign(headers, result.headers);
        const payload = result.body === undefined ? undefined : JSON.stringify(result.body);
        if (method === "GET" && result.status === 200 && payload !== undefined) {
          const etag = `W/"${createHash("sha256").update(payload).digest("hex").slice(0, 40)}"`;
          headers.etag = etag;
          // As api.github.com answers an authenticated read: reusable by this client for a minute.
          headers["cache-control"] = "private, max-age=60, s-maxage=60";
          notModified = etagMatches(req.headers["if-none-match"], etag);
        }
        if (counted && !notModified) {
          const after = limiter.spend(actor, "core", world.clock.now());
          Object.assign(headers, rateHeaders(after.state));
        }
        if (notModified) return sendRaw(res, 304, headers, undefined);
        return sendRaw(res, result.status, headers, payload);
      } catch (error) {
        if (error instanceof GitHubError && !error.documentationUrl) error.documentationUrl = docs;
        throw error;
      }
    } catch (error) {
      if (!(error instanceof GitHubError)) throw error;
      Object.assign(headers, error.headers);
      const body: Record<string, unknown> = {
        message: error.message,
        documentation_url:
          error.status === 403 && error.message.startsWith("API rate limit")
            ? RATE_DOCS
            : (error.documentationUrl ?? "https://docs.github.com/rest"),
        status: String(error.status),
      };
      if (error.errors) body.errors = error.errors;
      return sendRaw(res, error.status, headers, JSON.stringify(body));
    } finally {
      accounting.record(actor, task, notModified);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  urls.api = `http://127.0.0.1:${port}`;
  urls.html = `http://127.0.0.1:${port}`;

  return {
    url: urls.api,
    graphqlUrl: `${urls.api}/graphql`,
    world,
    violations: () => [...violations],
    recordViolation: (violation) => violations.push(violation),
    assertNoViolations() {
      if (violations.length === 0) return;
      const lines = violations.map(
        (v) =>
          `${v.side} ${v.method} ${v.path} (${v.operationId ?? "no operation"}, ${v.status}): ${v.problems.join("; ")}`,
      );
      throw new Error(`the offline GitHub saw ${violations.length} violation(s):\n${lines.join("\n")}`);
    },
    requests: () => accounting.snapshot(),
    injectFault: (fault, scope) => faults.add(fault, scope),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
      await world.dispose();
    },
  };
}

let machinery: { routes: RouteTable; validator: OpenApiValidator } | undefined;

// The route table and compiled validators are built once per process and shared by servers.
function sharedMachinery() {
  const spec = loadGitHubSpec();
  machinery ??= { routes: new RouteTable(spec.operations), validator: new OpenApiValidator(spec) };
  return machinery;
}

/**
 * Whether an If-None-Match header names the current ETag: a list of tags or `*`, compared weakly
 * (`W/"x"` matches `"x"`), as HTTP defines it for GET.
 */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  sendRaw(res, status, {}, JSON.stringify(body));
}

function sendRaw(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  payload: string | undefined,
): void {
  res.writeHead(status, {
    ...headers,
    ...(payload === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
  });
  res.end(payload);
}
