import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { ApiError, invalidRequest } from "./api-error.ts";
import { FaultQueue, type Fault, type FaultInput, type FaultScope } from "./faults.ts";
import { PromptCache } from "./prompt-cache.ts";
import { buildReply } from "./reply.ts";
import { scriptContext, taskOf, type Script } from "./script.ts";
import { formatSse, messageBody, openingEvents, replyEvents, type SseEvent } from "./sse-events.ts";
import { sumUsage, type RequestRecord, type Usage, type UsageTotals } from "./usage-record.ts";
import { validateRequest } from "./validate-request.ts";

/** Anthropic's request size limit for the Messages API. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
// Versions are dates; newer SDKs send newer ones, so any well-formed date is accepted.
const VERSION_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

/** How to start the offline Anthropic API. */
export interface AnthropicSimOptions {
  /** The only key accepted in `x-api-key`. */
  apiKey: string;
  /** Clock for cache lifetimes and records, in milliseconds; defaults to Date.now. */
  now?: () => number;
  /** Scripts by task (`owner/repo#issue`, from the system prompt's `Task:` line). */
  scripts?: Record<string, Script>;
  /** The script for requests whose task has none. */
  defaultScript?: Script;
  /** Characters per streamed delta; default 64. */
  chunkSize?: number;
}

/** A running offline Anthropic Messages API. */
export interface AnthropicSim {
  /** Base URL to give the SDK as `baseURL`, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Sets the script that answers requests for `task`. */
  setScript(task: string, script: Script): void;
  /** Sets (or clears) the script for requests whose task has none. */
  setDefaultScript(script: Script | undefined): void;
  /** Arms a fault for the next matching request(s). */
  injectFault(fault: FaultInput, scope?: FaultScope): void;
  /** Every request answered so far, oldest first. */
  records(): RequestRecord[];
  /** Billed usage summed over the message requests, all or those of one task. */
  totals(task?: string): UsageTotals;
  /** Stops listening and drops every open connection and stream. */
  close(): Promise<void>;
}

/** Compares keys in constant time (hashing first evens out their lengths). */
function sameKey(given: string, expected: string): boolean {
  const digest = (key: string) => createHash("sha256").update(key).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

interface Exchange {
  requestId: string;
  res: ServerResponse;
  signal: AbortSignal;
  record: RequestRecord;
}

/** Starts the offline Anthropic Messages API on 127.0.0.1 on a free port. */
export async function startAnthropicSim(options: AnthropicSimOptions): Promise<AnthropicSim> {
  const now = options.now ?? Date.now;
  const chunkSize = options.chunkSize ?? 64;
  const scripts = new Map(Object.entries(options.scripts ?? {}));
  let defaultScript = options.defaultScript;
  const cache = new PromptCache();
  const faults = new FaultQueue();
  const records: RequestRecord[] = [];
  let sequence = 0;

  function send(ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}): void {
    ex.record.status = status;
    ex.res.writeHead(status, { "content-type": "application/json", "request-id": ex.requestId, ...headers });
    ex.res.end(JSON.stringify(body));
  }

  function fail(ex: Exchange, error: ApiError): void {
    ex.record.errorType = error.type;
    send(ex, error.status, error.body(ex.requestId), error.headers);
  }

  async function readBody(req: IncomingMessage): Promise<unknown> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const part of req as AsyncIterable<Buffer>) {
      size += part.length;
      if (size > MAX_BODY_BYTES)
        throw new ApiError(
          "request_too_large",
          `Request exceeds the maximum allowed number of bytes (${MAX_BODY_BYTES})`,
        );
      parts.push(part);
    }
    const text = Buffer.concat(parts).toString("utf8");
    try {
      return JSON.parse(text);
    } catch (error) {
      throw invalidRequest(`body: not valid JSON (${(error as Error).message})`);
    }
  }

  function authenticate(req: IncomingMessage): void {
    // The API takes the key in `x-api-key` or as a bearer token; the SDK sends the latter.
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const key = req.headers["x-api-key"] ?? bearer;
    if (key === undefined)
      throw new ApiError("authentication_error", "x-api-key header (or Authorization: Bearer) is required");
    if (!sameKey(String(key), options.apiKey))
      throw new ApiError("authentication_error", "invalid x-api-key");
    const version = req.headers["anthropic-version"];
    if (version === undefined) throw invalidRequest("anthropic-version: header is required");
    if (typeof version !== "string" || !VERSION_FORMAT.test(version))
      throw invalidRequest(`anthropic-version: "${String(version)}" is not a valid version`);
  }

  function faultError(fault: Fault): ApiError | undefined {
    const retryAfter = (seconds: number | undefined): Record<string, string> =>
      seconds === undefined ? {} : { "retry-after": String(seconds) };
    switch (fault.kind) {
      case "rate_limit":
        return new ApiError(
          "rate_limit_error",
          "Number of request tokens has exceeded your per-minute rate limit",
          retryAfter(fault.retryAfterSeconds),
        );
      case "overloaded":
        return new ApiError("overloaded_error", "Overloaded", retryAfter(fault.retryAfterSeconds));
      case "server_error":
        return new ApiError("api_error", "Internal server error", retryAfter(fault.retryAfterSeconds));
      default:
        return undefined;
    }
  }

  /** Writes a chunk and resolves once it is handed to the socket. */
  function write(ex: Exchange, chunk: string): Promise<void> {
    return new Promise((resolve) => ex.res.write(chunk, () => resolve()));
  }

  async function writeEvents(ex: Exchange, events: SseEvent[], fault: Fault | undefined): Promise<void> {
    for (const [index, event] of events.entries()) {
      if (ex.signal.aborted) return;
      if (fault?.kind === "slow")
        await delay(fault.delayMs, undefined, { signal: ex.signal }).catch(() => {});
      if (ex.signal.aborted) return;
      if (fault?.kind === "truncate" && index === fault.afterEvents) {
        // What was sent reaches the client; then the connection drops without message_stop.
        ex.res.destroy();
        return;
      }
      if (fault?.kind === "stream_error" && index === fault.afterEvents) {
        const error = new ApiError("overloaded_error", "Overloaded");
        ex.record.errorType = error.type;
        ex.res.end(formatSse({ event: "error", data: error.body(ex.requestId) }));
        return;
      }
      await write(ex, formatSse(event));
    }
  }

  async function messages(ex: Exchange, req: IncomingMessage): Promise<void> {
    authenticate(req);
    const body = await readBody(req);
    const stream =
      typeof body === "object" && body !== null && (body as { stream?: unknown }).stream === true;
    ex.record.stream = stream;
    const { request, model, blocks } = validateRequest(body);
    const task = taskOf(request) ?? null;
    Object.assign(ex.record, { task, model: request.model });

    const fault = faults.take(task ?? undefined, stream);
    ex.record.fault = fault?.kind ?? null;
    const refusal = fault && faultError(fault);
    if (refusal) throw refusal;

    const script = (task !== null ? scripts.get(task) : undefined) ?? defaultScript;
    if (!script)
      throw invalidRequest(
        `system: no script answers task ${task ?? '(no "Task: owner/repo#issue" line in system)'} and no default script is set`,
      );
    ex.record.script = script.name;
    const decision = script.next(scriptContext(request));
    const id = `msg_sim_${ex.requestId.slice("req_sim_".length)}`;
    const reply =
      decision.kind === "stall"
        ? undefined
        : buildReply(
            request,
            decision.content,
            decision.stopReason,
            (i) => `toolu_sim_${id.slice(8)}_${i}`,
            script.name,
          );
    const input = cache.account(request.model, model.minCacheableTokens, blocks, now());
    const usage: Usage = { ...input, output_tokens: reply?.outputTokens ?? 0 };
    ex.record.usage = usage;
    ex.record.stopReason = reply?.stopReason ?? null;

    if (!stream) {
      if (!reply) return; // stalled: the answer never comes
      if (fault?.kind === "slow")
        await delay(fault.delayMs, undefined, { signal: ex.signal }).catch(() => {});
      if (ex.signal.aborted) return;
      const json = JSON.stringify(messageBody(id, request.model, reply, usage));
      ex.record.status = 200;
      ex.res.writeHead(200, { "content-type": "application/json", "request-id": ex.requestId });
      if (fault?.kind === "truncate") {
        await write(ex, json.slice(0, Math.floor(json.length / 2)));
        ex.res.destroy();
        return;
      }
      ex.res.end(json);
      return;
    }
    ex.record.status = 200;
    ex.res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "request-id": ex.requestId,
    });
    const opening = openingEvents(id, request.model, usage);
    if (!reply) {
      // stalled: the stream opens, then goes quiet until the client gives up or the server closes
      await writeEvents(ex, opening, fault);
      return;
    }
    await writeEvents(ex, [...opening, ...replyEvents(reply, usage, chunkSize)], fault);
    if (!ex.res.writableEnded && !ex.res.destroyed) ex.res.end();
  }

  /** `POST /v1/messages/count_tokens`: the request's input tokens by the rule, caching aside. */
  async function countTokensOf(ex: Exchange, req: IncomingMessage): Promise<void> {
    authenticate(req);
    const body = await readBody(req);
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw invalidRequest("body: expected an object");
    for (const key of ["max_tokens", "stream"])
      if (key in body) throw invalidRequest(`${key}: Extra inputs are not permitted`);
    // The same checks as a message request; max_tokens only to satisfy the shared schema.
    const { request, blocks } = validateRequest({ ...body, max_tokens: 1 });
    Object.assign(ex.record, { task: taskOf(request) ?? null, model: request.model });
    const inputTokens = blocks.reduce((sum, b) => sum + b.tokens, 0);
    send(ex, 200, { input_tokens: inputTokens });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    sequence++;
    const requestId = `req_sim_${String(sequence).padStart(6, "0")}`;
    const aborter = new AbortController();
    res.on("close", () => aborter.abort());
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const record: RequestRecord = {
      requestId,
      path,
      at: now(),
      task: null,
      script: null,
      model: null,
      stream: false,
      status: 0,
      errorType: null,
      fault: null,
      stopReason: null,
      usage: null,
    };
    records.push(record);
    const ex: Exchange = { requestId, res, signal: aborter.signal, record };
    try {
      if (path === "/v1/messages/count_tokens" && req.method === "POST") return await countTokensOf(ex, req);
      if (path !== "/v1/messages" || req.method !== "POST")
        throw new ApiError(
          "not_found_error",
          `${req.method ?? "?"} ${path}: no such endpoint (the offline API serves POST /v1/messages and /v1/messages/count_tokens)`,
        );
      await messages(ex, req);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ApiError) fail(ex, error);
      else fail(ex, new ApiError("api_error", `internal error: ${(error as Error).message}`));
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setScript: (task, script) => void scripts.set(task, script),
    setDefaultScript: (script) => void (defaultScript = script),
    injectFault: (fault, scope) => faults.add(fault, scope),
    records: () => records.map((r) => ({ ...r })),
    totals: (task) =>
      sumUsage(records.filter((r) => r.path === "/v1/messages" && (task === undefined || r.task === task))),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
