import type { IncomingMessage, ServerResponse } from "node:http";
import {
  buildClientSchema,
  defaultFieldResolver,
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationDefinitionNode,
} from "graphql";
import { authenticate } from "./auth.ts";
import { GitHubError } from "./github-error.ts";
import { QUEUE_MUTATIONS, QUEUE_QUERIES, repositoryQueueFields } from "./merge-queue/graphql-fields.ts";
import { MergeQueueRefusal } from "./merge-queue/merge-queue.ts";
import type { SimUrls } from "./json-shapes.ts";
import type { RateLimiter } from "./rate-limiter.ts";
import type { RequestAccounting } from "./request-accounting.ts";
import type { Actor } from "./sim-events.ts";
import type { SimWorld } from "./world.ts";

/** What a GraphQL resolver receives as its context. */
export interface GraphqlContext {
  world: SimWorld;
  urls: SimUrls;
  actor: Actor;
}

/** A root field resolver: graphql-js calls it with the field's arguments and the context. */
export type GraphqlResolver = (args: Record<string, unknown>, context: GraphqlContext) => unknown;

/** Resolvers for the root fields of queries and mutations. */
export interface GraphqlRoots {
  query?: Record<string, GraphqlResolver>;
  mutation?: Record<string, GraphqlResolver>;
}

/** Where the endpoint records what it served. */
export interface GraphqlDeps {
  world: SimWorld;
  urls: SimUrls;
  limiter: RateLimiter;
  accounting: RequestAccounting;
  roots: GraphqlRoots | undefined;
  violations: {
    push(v: {
      side: "request" | "unimplemented";
      method: string;
      path: string;
      operationId: string | undefined;
      status: number;
      problems: string[];
    }): unknown;
  };
}

let schemaPromise: Promise<GraphQLSchema> | undefined;

// The package's schema.graphql defines a field twice (buildSchema throws); its introspection
// JSON builds cleanly, as the package's own validator does. Loaded once, on first use.
function githubSchema(): Promise<GraphQLSchema> {
  schemaPromise ??= import("@octokit/graphql-schema").then(({ schema }) =>
    buildClientSchema(schema.json as unknown as IntrospectionQuery),
  );
  return schemaPromise;
}

const BUILT_IN_QUERY: Record<string, GraphqlResolver> = {
  ...QUEUE_QUERIES,
  repository(args, context) {
    const { world, urls, actor } = context;
    const repo = world.repo(`${String(args.owner)}/${String(args.name)}`);
    if (!repo) return null;
    if (actor.kind === "github_token" && actor.repository.toLowerCase() !== repo.fullName.toLowerCase())
      return null;
    return {
      ...repositoryQueueFields(context, repo),
      id: repo.nodeId,
      databaseId: repo.id,
      name: repo.name,
      nameWithOwner: repo.fullName,
      url: `${urls.html}/${repo.fullName}`,
      isPrivate: repo.private,
      defaultBranchRef: async () => {
        const oid = await repo.git.resolve(`refs/heads/${repo.defaultBranch}`);
        return {
          name: repo.defaultBranch,
          prefix: "refs/heads/",
          target: oid ? { __typename: "Commit", oid } : null,
        };
      },
    };
  },
};

// A field the sim's object does not carry is not served: an error and a recorded violation
// rather than a null that looks like GitHub's answer.
function servedFieldsOnly(unserved: string[]): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    if (typeof source === "object" && source !== null && !(info.fieldName in source)) {
      const problem = `the offline GitHub does not serve ${info.parentType.name}.${info.fieldName}`;
      unserved.push(problem);
      throw new GraphQLError(problem);
    }
    return defaultFieldResolver(source, args, context, info);
  };
}

// GitHub names the kind of a refusal in a top-level `type` (UNPROCESSABLE, NOT_FOUND, FORBIDDEN).
function githubError(error: GraphQLError): Record<string, unknown> {
  const json: Record<string, unknown> = { ...error.toJSON() };
  const cause = error.originalError;
  return cause instanceof MergeQueueRefusal ? { type: cause.type, ...json } : json;
}

/** Serves POST /graphql: authenticates, validates the document against GitHub's schema, executes. */
export async function handleGraphql(
  deps: GraphqlDeps,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
) {
  const { world } = deps;
  let actor: Actor | undefined;
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
    res.end(JSON.stringify(body));
  };
  try {
    if (req.method !== "POST") throw new GitHubError(404, "Not Found");
    try {
      actor = authenticate(world, req.headers.authorization);
    } catch (error) {
      if (error instanceof GitHubError && error.status === 401 && error.message === "Requires authentication")
        throw new GitHubError(401, "This endpoint requires you to be authenticated.");
      throw error;
    }
    if (actor.kind === "app") throw new GitHubError(403, "Resource not accessible by integration");
    const spent = deps.limiter.spend(actor, "graphql", world.clock.now());
    const headers = {
      "x-ratelimit-limit": String(spent.state.limit),
      "x-ratelimit-remaining": String(spent.state.remaining),
      "x-ratelimit-used": String(spent.state.used),
      "x-ratelimit-reset": String(spent.state.reset),
      "x-ratelimit-resource": "graphql",
    };
    if (spent.exceeded)
      return reply(
        200,
        { errors: [{ type: "RATE_LIMITED", message: `API rate limit exceeded for ${spent.state.owner}.` }] },
        headers,
      );
    let request: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      request = JSON.parse(raw.toString("utf8")) as typeof request;
    } catch {
      throw new GitHubError(400, "Problems parsing JSON");
    }
    if (typeof request.query !== "string") {
      return reply(
        200,
        { errors: [{ message: "A query attribute must be specified and must be a string." }] },
        headers,
      );
    }
    const schema = await githubSchema();
    let document: DocumentNode;
    try {
      document = parse(request.query);
    } catch (error) {
      const problem = error instanceof GraphQLError ? error : new GraphQLError(String(error));
      deps.violations.push(violation("request", [problem.message]));
      return reply(200, { errors: [problem.toJSON()] }, headers);
    }
    const errors = validate(schema, document);
    if (errors.length > 0) {
      deps.violations.push(
        violation(
          "request",
          errors.map((e) => e.message),
        ),
      );
      return reply(200, { errors: errors.map((e) => e.toJSON()) }, headers);
    }
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode =>
        d.kind === Kind.OPERATION_DEFINITION &&
        (request.operationName === undefined ||
          request.operationName === null ||
          d.name?.value === request.operationName),
    );
    const isMutation = operation?.operation === "mutation";
    const root = isMutation
      ? { ...QUEUE_MUTATIONS, ...deps.roots?.mutation }
      : { ...BUILT_IN_QUERY, ...deps.roots?.query };
    const missing = (operation?.selectionSet.selections ?? [])
      .filter((s) => s.kind === Kind.FIELD && !s.name.value.startsWith("__") && !(s.name.value in root))
      .map((s) => (s.kind === Kind.FIELD ? s.name.value : ""));
    if (missing.length > 0) {
      const problems = missing.map(
        (f) => `the offline GitHub does not serve the ${isMutation ? "mutation" : "query"} field ${f}`,
      );
      deps.violations.push(violation("unimplemented", problems));
      return reply(200, { errors: problems.map((message) => ({ message })) }, headers);
    }
    const context: GraphqlContext = { world, urls: deps.urls, actor };
    const rootValue = Object.fromEntries(
      Object.entries(root).map(([name, resolve]) => [
        name,
        (args: Record<string, unknown>) => resolve(args, context),
      ]),
    );
    const unserved: string[] = [];
    const result = await execute({
      schema,
      document,
      rootValue,
      contextValue: context,
      variableValues: (request.variables ?? undefined) as Record<string, unknown> | undefined,
      operationName: typeof request.operationName === "string" ? request.operationName : undefined,
      fieldResolver: servedFieldsOnly(unserved),
    });
    if (unserved.length > 0) deps.violations.push(violation("unimplemented", unserved));
    return reply(200, { ...result, errors: result.errors?.map(githubError) }, headers);
  } catch (error) {
    if (!(error instanceof GitHubError)) throw error;
    return reply(error.status, {
      message: error.message,
      documentation_url: "https://docs.github.com/graphql",
    });
  } finally {
    deps.accounting.record(actor, undefined, false);
  }

  function violation(side: "request" | "unimplemented", problems: string[]) {
    return {
      side,
      method: "POST",
      path: req.url ?? "/graphql",
      operationId: undefined,
      status: 200,
      problems,
    };
  }
}
