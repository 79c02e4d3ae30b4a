import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/rest";
import { parseJsonNatively } from "../../src/github/native-json.ts";

const ISSUE = {
  id: 1234567890123,
  number: 7,
  title: "Add a widget",
  labels: [{ name: "swarm:ready" }],
  body: "ü ✓",
};
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe("parseJsonNatively", () => {
  let server: Server;
  let baseUrl: string;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith("/repos/o/r/issues/7")) {
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(ISSUE));
      } else if (req.url?.startsWith("/repos/o/r/issues/8")) {
        res.writeHead(200, { "content-type": "application/json" }).end('{"number":8,"id":9007199254740993}');
      } else if (req.url?.startsWith("/repos/o/r/issues/9")) {
        res.writeHead(200, { "content-type": "application/json" }).end('{"number":9,');
      } else if (req.url?.startsWith("/repos/o/r/contents/")) {
        res.writeHead(200, { "content-type": "application/vnd.github.raw; charset=utf-8" }).end("a: 1\n");
      } else if (req.url?.startsWith("/repos/o/r/labels")) {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("not json");
      } else {
        res
          .writeHead(404, { "content-type": "application/json" })
          .end(JSON.stringify({ message: "Not Found" }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("gives the same data as Octokit's own parsing for a JSON answer", async () => {
    const plain = new Octokit({ baseUrl, log: silent });
    const native = parseJsonNatively(new Octokit({ baseUrl, log: silent }));
    const params = { owner: "o", repo: "r", issue_number: 7 };
    const [theirs, ours] = await Promise.all([plain.rest.issues.get(params), native.rest.issues.get(params)]);
    assert.deepEqual(ours.data, theirs.data);
    assert.deepEqual(ours.data, ISSUE);
    assert.equal(ours.status, 200);
  });

  it("parses with JSON.parse, not Octokit's reviver, which would turn an integer past 2^53 into a BigInt", async () => {
    const params = { owner: "o", repo: "r", issue_number: 8 };
    const theirs = await new Octokit({ baseUrl, log: silent }).rest.issues.get(params);
    const ours = await parseJsonNatively(new Octokit({ baseUrl, log: silent })).rest.issues.get(params);
    assert.equal(typeof theirs.data.id, "bigint");
    assert.equal(typeof ours.data.id, "number");
  });

  it("leaves an answer in another media type to Octokit", async () => {
    const native = parseJsonNatively(new Octokit({ baseUrl, log: silent }));
    const { data } = await native.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: "o",
      repo: "r",
      path: "x.yml",
      headers: { accept: "application/vnd.github.raw" },
    });
    assert.equal(data, "a: 1\n");
  });

  it("returns the text when a JSON request is answered with something else", async () => {
    const native = parseJsonNatively(new Octokit({ baseUrl, log: silent }));
    const { data } = await native.request("GET /repos/{owner}/{repo}/labels", { owner: "o", repo: "r" });
    assert.equal(data, "not json");
  });

  it("names the request whose answer says it is JSON but does not parse", async () => {
    const native = parseJsonNatively(new Octokit({ baseUrl, log: silent }));
    await assert.rejects(
      native.rest.issues.get({ owner: "o", repo: "r", issue_number: 9 }),
      /GitHub's answer to GET \/repos\/\{owner\}\/\{repo\}\/issues\/\{issue_number\} says it is JSON but does not parse/,
    );
  });

  it("still turns an error answer into a RequestError with its message", async () => {
    const native = parseJsonNatively(new Octokit({ baseUrl, log: silent }));
    await assert.rejects(native.request("GET /nowhere"), (error: Error & { status?: number }) => {
      assert.equal(error.status, 404);
      assert.match(error.message, /Not Found/);
      return true;
    });
  });
});
