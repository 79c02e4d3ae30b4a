import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

// The action's GitHub and Anthropic clients send their requests through node:http rather than
// Node's built-in fetch. That fetch is undici, which on its first request builds a dispatcher and
// compiles its WebAssembly HTTP parser, and costs a few milliseconds more on every request after;
// the action's cold start is a chain of requests. The answers are still standard `Response`s.
// Whatever this does not cover (a Request object, a streamed or form body, a redirect to follow)
// goes to the built-in fetch, which does the same thing at that cost.
//
// node:http and node:https are taken with process.getBuiltinModule, not imported: importing
// node:http as an ES module reads every export, and one of them loads undici after all.

// Statuses whose responses carry no body (the Fetch standard's "null body status").
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A fetch over node:http and node:https, returning standard Responses. */
export async function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const body = bodyBytes(init.body);
  const url = typeof input === "string" || input instanceof URL ? new URL(input) : undefined;
  if (url === undefined || body === undefined || (url.protocol !== "http:" && url.protocol !== "https:"))
    return fetch(input, init);
  const method = (init.method ?? "GET").toUpperCase();
  const headers = requestHeaders(init.headers, body);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();

  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const transport = process.getBuiltinModule(url.protocol === "https:" ? "node:https" : "node:http");
    const request = transport.request(url, { method, headers, signal });
    request.once("response", resolve);
    request.once("error", (error) => reject(signal?.aborted === true ? signal.reason : error));
    request.end(body);
  });
  const status = response.statusCode ?? 0;
  if (REDIRECT_STATUSES.has(status) && response.headers.location !== undefined) {
    response.resume();
    return fetch(input, init);
  }
  const responseHeaders = new Headers();
  for (let i = 0; i + 1 < response.rawHeaders.length; i += 2)
    responseHeaders.append(response.rawHeaders[i] ?? "", response.rawHeaders[i + 1] ?? "");
  let content: ReadableStream<Uint8Array> | null = null;
  if (method === "HEAD" || NULL_BODY_STATUSES.has(status)) response.resume();
  else content = Readable.toWeb(decoded(response)) as ReadableStream<Uint8Array>;
  const result = new Response(content, {
    status,
    statusText: response.statusMessage ?? "",
    headers: responseHeaders,
  });
  // A constructed Response has an empty url; clients read it as the address that answered.
  Object.defineProperty(result, "url", { value: url.href });
  return result;
}

/** The body as bytes, null when there is none, or undefined when it is a kind left to fetch. */
function bodyBytes(body: RequestInit["body"]): Uint8Array | null | undefined {
  if (body === undefined || body === null) return null;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return undefined;
}

/** The request's headers as node:http takes them, with what fetch adds for a byte body. */
function requestHeaders(init: RequestInit["headers"], body: Uint8Array | null): Record<string, string> {
  const headers: Record<string, string> = {};
  // Testing for the Headers class would load undici; a Headers object and an array both iterate.
  const pairs: Iterable<[string, string | readonly string[] | undefined]> =
    init === undefined
      ? []
      : Symbol.iterator in init
        ? (init as Iterable<[string, string]>)
        : Object.entries(init);
  for (const [name, raw] of pairs) {
    if (raw === undefined) continue;
    const key = name.toLowerCase();
    const value = typeof raw === "string" ? raw : raw.join(", ");
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  headers.accept ??= "*/*";
  if (body !== null) {
    headers["content-length"] = String(body.byteLength);
    headers["content-type"] ??= "text/plain;charset=UTF-8";
  }
  return headers;
}

/** The response body, decompressed as fetch would when the server compressed it anyway. */
function decoded(response: IncomingMessage): Readable {
  const encoding = response.headers["content-encoding"]?.trim().toLowerCase();
  if (encoding === undefined || encoding === "identity") return response;
  const zlib = process.getBuiltinModule("node:zlib");
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  if (decoder === undefined) return response;
  response.once("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}
