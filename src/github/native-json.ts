import type { Octokit } from "@octokit/rest";

// Octokit reads every JSON answer through json-with-bigint, a JSON.parse reviver that keeps
// integers past 2^53 exact. GitHub's ids and counts stay far below that, and on the issues and
// pull requests the app reads most the reviver costs five to seven times a plain JSON.parse. So
// for requests that ask for JSON the app takes the raw body of a successful answer from Octokit
// (its documented parseSuccessResponseBody option) and parses it natively. Error answers, which
// Octokit turns into RequestErrors, are still parsed by Octokit.

const JSON_MEDIA = /^application\/(?:vnd\.github(?:\.[\w-]+)?\+)?json\b/i;

/** Parses the JSON bodies of the client's successful answers with JSON.parse; returns the client. */
export function parseJsonNatively<T extends Pick<Octokit, "hook">>(octokit: T): T {
  octokit.hook.wrap("request", async (request, options) => {
    const accept = String(options.headers.accept ?? "");
    // A caller that asked for the raw stream, or for a media type that is not JSON, gets Octokit's handling.
    if (options.request?.parseSuccessResponseBody === false || !JSON_MEDIA.test(accept))
      return request(options);
    // Set on the options object itself: hooks registered before this one were bound to it.
    options.request = { ...options.request, parseSuccessResponseBody: false };
    const response = await request(options);
    const body = response.data as unknown;
    if (!(body instanceof ReadableStream)) return response;
    const text = await textOf(body as ReadableStream<Uint8Array>);
    const type = String(response.headers["content-type"] ?? "");
    // A body that is not JSON after all is given as its text, as Octokit gives it.
    if (text === "" || !/[/+]json\b/i.test(type)) {
      response.data = text;
      return response;
    }
    try {
      response.data = JSON.parse(text) as unknown;
    } catch (error) {
      // Octokit would hand the text on silently; a broken answer is named here instead.
      throw new Error(
        `GitHub's answer to ${options.method} ${options.url} says it is JSON but does not parse: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return response;
  });
  return octokit;
}

/** A body stream read to its end and decoded as UTF-8, as fetch's text() does. */
async function textOf(stream: ReadableStream<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return new TextDecoder().decode(Buffer.concat(chunks));
}
