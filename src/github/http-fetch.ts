import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

// The action's GitHub and Anthropic clients and the app's Octokit send their requests through
// node:http rather than Node's built-in fetch. That fetch is undici, which on its first request
// builds a dispatcher and compiles its WebAssembly HTTP parser, and costs more CPU on every
// request after: the action's cold start is a chain of requests, and the app's time from a webhook
// to its decision is mostly its own CPU. Whatever this does not cover (a Request object,
// a streamed or form body, a redirect to follow) goes to the built-in fetch, which does the same
// thing at that cost.
//
// Node loads undici itself on the first use of Response or Headers, tens of milliseconds of CPU.
// The Anthropic client needs them (it builds its requests' headers with Headers and reads
// standard Responses), Octokit does not: its answers are BareResponses, so GitHub's answers never
// wait on undici, and undici is loaded while the first request is on its way.
//
// node:http and node:https are taken with process.getBuiltinModule, not imported: importing
// node:http as an ES module reads every export, and one of them loads undici after all.

// Statuses whose responses carry no body (the Fetch standard's "null body status").
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** An answer over node:http, or the built-in fetch's Response when the request went there. */
type Answer =
  | { kind: "node"; url: URL; method: string; message: IncomingMessage }
  | { kind: "fetch"; response: Response };

/** A fetch over node:http and node:https, returning standard Responses. */
export async function nodeFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const answer = await send(input, init);
  if (answer.kind === "fetch") return answer.response;
  const { url, method, message } = answer;
  const { Headers, Response } = loadFetchClasses();
  const headers = new Headers();
  for (let i = 0; i + 1 < message.rawHeaders.length; i += 2)
    headers.append(message.rawHeaders[i] ?? "", message.rawHeaders[i + 1] ?? "");
  const response = new Response(hasBody(method, message) ? bodyStream(message) : discard(message), {
    status: message.statusCode ?? 0,
    statusText: message.statusMessage ?? "",
    headers,
  });
  // A constructed Response has an empty url; clients read it as the address that answered.
  Object.defineProperty(response, "url", { value: url.href });
  return response;
}

/** The same fetch answering with BareResponses, which Octokit reads as it reads a Response. */
export async function bareFetch(
  input: string | URL | Request,
  init: RequestInit = {},
): Promise<BareResponse | Response> {
  const answer = await send(input, init);
  return answer.kind === "fetch"
    ? answer.response
    : new BareResponse(answer.url, answer.method, answer.message);
}

/** What Octokit reads of a Response (status, headers, url, body), built without undici. */
export class BareResponse {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: BareHeaders;
  readonly #message: IncomingMessage | null;

  constructor(url: URL, method: string, message: IncomingMessage) {
    this.status = message.statusCode ?? 0;
    this.statusText = message.statusMessage ?? "";
    this.url = url.href;
    this.headers = new BareHeaders(message.rawHeaders);
    this.#message = hasBody(method, message) ? message : discard(message);
  }

  /** The body as it arrives, null for a status or method without one. */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#message === null) return null;
    this.#stream ??= bodyStream(this.#takeBody());
    return this.#stream;
  }

  /** The whole body decoded as UTF-8, as fetch's text() does. */
  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#bytes());
  }

  /** The whole body's bytes. */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  #used = false;
  #stream: ReadableStream<Uint8Array> | undefined;

  #takeBody(): IncomingMessage {
    if (this.#used || this.#message === null) throw new TypeError("the body has already been read");
    this.#used = true;
    return this.#message;
  }

  async #bytes(): Promise<Uint8Array> {
    if (this.#message === null) return new Uint8Array();
    const chunks: Buffer[] = [];
    for await (const chunk of decoded(this.#takeBody())) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

/** A response's headers as Headers gives them: names in lower case, repeated ones joined by ", ". */
export class BareHeaders {
  readonly #values = new Map<string, string>();

  constructor(raw: readonly string[]) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = (raw[i] ?? "").toLowerCase();
      const value = raw[i + 1] ?? "";
      const earlier = this.#values.get(name);
      this.#values.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
    }
  }

  /** The header's value, or null when the response has none. */
  get(name: string): string | null {
    return this.#values.get(name.toLowerCase()) ?? null;
  }

  /** Name and value pairs, sorted by name as Headers iterates. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    yield* [...this.#values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** Sends the request over node:http(s), or hands it to the built-in fetch when it is of a kind this does not cover. */
async function send(input: string | URL | Request, init: RequestInit): Promise<Answer> {
  const body = bodyBytes(init.body);
  const url = typeof input === "string" || input instanceof URL ? new URL(input) : undefined;
  if (url === undefined || body === undefined || (url.protocol !== "http:" && url.protocol !== "https:"))
    return { kind: "fetch", response: await fetch(input, init) };
  const method = (init.method ?? "GET").toUpperCase();
  const headers = requestHeaders(init.headers, body);
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();

  const message = await new Promise<IncomingMessage>((resolve, reject) => {
    const transport = process.getBuiltinModule(url.protocol === "https:" ? "node:https" : "node:http");
    const request = transport.request(url, { method, headers, signal });
    request.once("response", resolve);
    request.once("error", (error) => reject(signal?.aborted === true ? signal.reason : error));
    // Sent: what the Anthropic client needs loads while this request is answered.
    request.once("finish", loadFetchClasses);
    request.end(body);
  });
  if (REDIRECT_STATUSES.has(message.statusCode ?? 0) && message.headers.location !== undefined) {
    message.resume();
    return { kind: "fetch", response: await fetch(input, init) };
  }
  return { kind: "node", url, method, message };
}

type FetchClasses = { Headers: typeof Headers; Response: typeof Response };
let fetchClasses: FetchClasses | undefined;

/** The runtime's Headers and Response; the first call loads undici. */
function loadFetchClasses(): FetchClasses {
  fetchClasses ??= { Headers: globalThis.Headers, Response: globalThis.Response };
  return fetchClasses;
}

function hasBody(method: string, message: IncomingMessage): boolean {
  return method !== "HEAD" && !NULL_BODY_STATUSES.has(message.statusCode ?? 0);
}

/** Drains a message whose body is not read, and gives null, the body such a response has. */
function discard(message: IncomingMessage): null {
  message.resume();
  return null;
}

function bodyStream(message: IncomingMessage): ReadableStream<Uint8Array> {
  return Readable.toWeb(decoded(message)) as ReadableStream<Uint8Array>;
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
