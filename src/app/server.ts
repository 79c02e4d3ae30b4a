import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, Probot, ProbotOctokit, type ApplicationFunction, type Options } from "probot";
import { bareFetch } from "../github/http-fetch.ts";
import { parseJsonNatively } from "../github/native-json.ts";
import { retryRequests } from "../github/retry-requests.ts";
import type { AppSettings } from "./settings.ts";

/**
 * Probot's Octokit with the retry policy the action uses (src/github/retry-requests.ts) in place
 * of Octokit's retry plugin, whose per-request Bottleneck queue cost more than a request to a
 * nearby GitHub, and JSON answers parsed natively (src/github/native-json.ts). Probot's
 * throttling, which spaces writes as GitHub asks, stays.
 */
export const AppOctokit: typeof ProbotOctokit = ProbotOctokit.plugin((octokit) => {
  retryRequests(octokit, { warn: (line) => octokit.log.warn(line) });
  parseJsonNatively(octokit);
}).defaults({ retry: { enabled: false } });

// Function form: Probot layers its own throttle options over the defaults, so they are turned off last.
const UnpacedOctokit = AppOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options.throttle as object), enabled: false },
}));

/** What the server needs from the settings. */
export type ServerSettings = Pick<
  AppSettings,
  "APP_ID" | "privateKey" | "WEBHOOK_SECRET" | "PORT" | "HOST" | "WEBHOOK_PATH" | "LOG_LEVEL"
> &
  Partial<Pick<AppSettings, "GITHUB_API_URL" | "GITHUB_WRITE_PACING">>;

/** A running app server. */
export interface AppServer {
  /** The base URL it listens on, e.g. http://127.0.0.1:3000. */
  url: string;
  /** The Probot instance (for installation-authenticated Octokits outside webhooks). */
  probot: Probot;
  /** Stops accepting requests and waits for open ones to finish. */
  close(): Promise<void>;
}

/**
 * Starts Node's own HTTP server with Probot's middleware: POST WEBHOOK_PATH takes signed webhooks
 * (a missing or wrong signature is refused before any handler runs), GET /healthz answers "ok",
 * anything else is 404. `probotOptions` lets tests point Octokit at an offline GitHub.
 */
export async function startAppServer(
  settings: ServerSettings,
  appFn: ApplicationFunction,
  probotOptions: Partial<Options> = {},
): Promise<AppServer> {
  const probot = new Probot({
    appId: settings.APP_ID,
    privateKey: settings.privateKey,
    secret: settings.WEBHOOK_SECRET,
    logLevel: settings.LOG_LEVEL,
    webhookPath: settings.WEBHOOK_PATH,
    ...(settings.GITHUB_API_URL === undefined ? {} : { baseUrl: settings.GITHUB_API_URL }),
    Octokit: settings.GITHUB_WRITE_PACING === "off" ? UnpacedOctokit : AppOctokit,
    // Over node:http rather than Node's fetch (src/github/http-fetch.ts), token minting included.
    request: { fetch: bareFetch },
    ...probotOptions,
  });
  const middleware = await createNodeMiddleware(appFn, { probot, webhooksPath: settings.WEBHOOK_PATH });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    void middleware(req, res, () => {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.PORT, settings.HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = settings.HOST.includes(":") ? `[${settings.HOST}]` : settings.HOST;
  return {
    url: `http://${host}:${port}`,
    probot,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
