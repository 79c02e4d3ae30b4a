import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { BareResponse, bareFetch, nodeFetch } from "../../src/github/http-fetch.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

describe("nodeFetch and bareFetch, the fetches over node:http of the action and the app", () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  /** Lets the test holding a streamed response open finish it. */
  let releaseStream: () => void = () => undefined;
  /** Reads the streamed route's first event while the server holds the rest back, then the rest. */
  const expectFirstEventBeforeTheRest = async (body: ReadableStream<Uint8Array>): Promise<void> => {
    const reader = body.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "event: first\n\n");
    releaseStream();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    assert.equal(rest, "event: last\n\n");
  };
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    "/json": (_req, res) => {
      res.writeHead(201, "Made", [
        ["content-type", "application/json"],
        ["x-multi", "one"],
        ["x-multi", "two"],
      ]);
      res.end(JSON.stringify({ made: true }));
    },
    "/echo": (_req, res) => {
      res.setHeader("content-type", "text/plain");
      res.end(seen.at(-1)?.body ?? "");
    },
    "/empty": (_req, res) => {
      res.writeHead(204);
      res.end();
    },
    "/moved": (_req, res) => {
      res.writeHead(302, { location: "/json" });
      res.end("see /json");
    },
    "/gzip": (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip" });
      res.end(gzipSync("squeezed text"));
    },
    "/stream": (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("event: first\n\n");
      releaseStream = () => res.end("event: last\n\n");
    },
    "/never": () => undefined,
  };

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const url = req.url ?? "/";
        seen.push({
          method: req.method ?? "",
          url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        (routes[url] ?? ((_q, r: ServerResponse) => r.writeHead(404).end()))(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("answers with a standard Response: status, status text, every header, its url and body", async () => {
    const response = await nodeFetch(`${base}/json`, { headers: { "X-Asked": "yes" } });
    assert.ok(response instanceof Response);
    assert.equal(response.status, 201);
    assert.equal(response.statusText, "Made");
    assert.equal(response.ok, true);
    assert.equal(response.url, `${base}/json`);
    assert.equal(response.headers.get("x-multi"), "one, two");
    assert.deepEqual(await response.json(), { made: true });
    assert.equal(seen.at(-1)?.headers["x-asked"], "yes");
    assert.equal(seen.at(-1)?.headers.accept, "*/*");
  });

  test("sends a string body with its length, and the content type fetch gives one when none is set", async () => {
    const text = "héllo — wörld";
    const response = await nodeFetch(new URL(`${base}/echo`), { method: "post", body: text });
    assert.equal(await response.text(), text);
    const request = seen.at(-1);
    assert.equal(request?.method, "POST");
    assert.equal(request?.headers["content-length"], String(Buffer.byteLength(text)));
    assert.equal(request?.headers["content-type"], "text/plain;charset=UTF-8");

    await nodeFetch(`${base}/echo`, {
      method: "POST",
      body: new TextEncoder().encode("{}"),
      headers: [["Content-Type", "application/json"]],
    });
    assert.equal(seen.at(-1)?.headers["content-type"], "application/json");
    assert.equal(seen.at(-1)?.body, "{}");
  });

  test("takes its headers from a Headers object too", async () => {
    await nodeFetch(`${base}/json`, { headers: new Headers({ authorization: "token abc" }) });
    assert.equal(seen.at(-1)?.headers.authorization, "token abc");
  });

  test("a 204 and a HEAD carry no body", async () => {
    const empty = await nodeFetch(`${base}/empty`, { method: "DELETE" });
    assert.equal(empty.status, 204);
    assert.equal(empty.body, null);
    const head = await nodeFetch(`${base}/json`, { method: "HEAD" });
    assert.equal(head.status, 201);
    assert.equal(head.body, null);
  });

  test("follows a redirect as fetch does", async () => {
    const response = await nodeFetch(`${base}/moved`);
    assert.equal(response.status, 201);
    assert.equal(response.url, `${base}/json`);
    assert.deepEqual(await response.json(), { made: true });
  });

  test("decompresses a body the server compressed", async () => {
    const response = await nodeFetch(`${base}/gzip`);
    assert.equal(await response.text(), "squeezed text");
  });

  test("hands the body over as it arrives, before the server has finished it", async () => {
    const response = await nodeFetch(`${base}/stream`);
    await expectFirstEventBeforeTheRest(response.body as ReadableStream<Uint8Array>);
  });

  test("an abort rejects with the signal's reason, before sending or while waiting", async () => {
    const early = new AbortController();
    early.abort(new Error("stopped early"));
    await assert.rejects(nodeFetch(`${base}/json`, { signal: early.signal }), /stopped early/);

    const late = new AbortController();
    const pending = nodeFetch(`${base}/never`, { signal: late.signal });
    setImmediate(() => late.abort());
    await assert.rejects(pending, { name: "AbortError" });
  });

  test("a connection that fails rejects", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await assert.rejects(nodeFetch(`http://127.0.0.1:${port}/`), { code: "ECONNREFUSED" });
  });

  test("bareFetch answers with what Octokit reads of a Response: status, headers, url and body", async () => {
    const response = await bareFetch(`${base}/json`, { headers: { "X-Asked": "yes" } });
    assert.ok(response instanceof BareResponse);
    assert.equal(response.status, 201);
    assert.equal(response.statusText, "Made");
    assert.equal(response.url, `${base}/json`);
    assert.equal(response.headers.get("X-Multi"), "one, two");
    assert.equal(response.headers.get("x-absent"), null);
    const names = [...response.headers].map(([name]) => name);
    assert.deepEqual(names, [...names].sort(), "iterated by name, as Headers is");
    assert.deepEqual(Object.fromEntries(response.headers)["content-type"], "application/json");
    assert.deepEqual(JSON.parse(await response.text()), { made: true });
    await assert.rejects(response.text(), TypeError, "a body is read once");
    assert.equal(seen.at(-1)?.headers["x-asked"], "yes");

    const squeezed = await bareFetch(`${base}/gzip`);
    assert.equal(new TextDecoder().decode(await squeezed.arrayBuffer()), "squeezed text");
    const empty = await bareFetch(`${base}/empty`, { method: "DELETE" });
    assert.equal(empty.body, null);
    assert.equal(await empty.text(), "");
    const moved = await bareFetch(`${base}/moved`);
    assert.ok(moved instanceof Response, "a redirect goes to the built-in fetch");
    assert.equal(moved.status, 201);
  });

  test("a bare response's body streams as it arrives", async () => {
    const response = await bareFetch(`${base}/stream`);
    assert.equal(response.body, response.body, "one stream");
    await expectFirstEventBeforeTheRest(response.body as ReadableStream<Uint8Array>);
  });

  test("a Request object goes to the built-in fetch", async () => {
    const response = await nodeFetch(new Request(`${base}/json`, { headers: { "x-from": "request" } }));
    assert.equal(response.status, 201);
    assert.equal(seen.at(-1)?.headers["x-from"], "request");
  });
});

test("undici, which Node loads on the first Response or Headers, loads once the first request is sent, while it is answered", async () => {
  // A process of its own, as the action's: here the tests have long loaded undici.
  const script = `
    import { bareFetch } from ${JSON.stringify(new URL("../../src/github/http-fetch.ts", import.meta.url).href)};
    const loaded = () => process.moduleLoadList.includes("NativeModule internal/deps/undici/undici");
    let whileAnswered = false;
    // Imported as an ES module, node:http loads undici itself.
    const server = process.getBuiltinModule("node:http").createServer((_req, res) =>
      setTimeout(() => {
        whileAnswered = loaded();
        res.end("answered");
      }, 20),
    );
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const before = loaded();
    const response = await bareFetch("http://127.0.0.1:" + server.address().port + "/");
    console.log(JSON.stringify({ before, whileAnswered, bare: response.constructor.name, text: await response.text() }));
    server.close();
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  assert.equal(await new Promise((resolve) => child.on("close", resolve)), 0);
  assert.deepEqual(JSON.parse(out), {
    before: false,
    whileAnswered: true,
    bare: "BareResponse",
    text: "answered",
  });
});
