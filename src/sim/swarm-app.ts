import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import * as z from "zod";
import { RequestCounter } from "../github/gateway.ts";
import type { Ledger } from "../ledger/index.ts";
import { ConfigCache } from "../app/config-cache.ts";
import { SerialTurns } from "../app/serial-turns.ts";
import { swarmApp } from "../app/index.ts";
import { PermissionCache } from "../app/permission-cache.ts";
import type { AppDeps } from "../app/scope.ts";
import { startAppServer, type AppServer } from "../app/server.ts";
import type { AppSettings } from "../app/settings.ts";
import type { GitHubSim } from "./github/server.ts";
import { WebhookDelivery, type FaultPlan } from "./github/webhooks/delivery.ts";
import type { SimApp } from "./github/world.ts";

const WEBHOOK_PATH = "/api/github/webhooks";

// The part of app.yml that registering an app reads: its permissions and the events it hears.
const manifestSchema = z.object({
  default_permissions: z.record(z.string(), z.string()),
  default_events: z.array(z.string()).min(1),
});

/** Registers the app on the offline GitHub as app.yml describes it: its permissions and events. */
export function registerSwarmApp(sim: GitHubSim, slug = "swarm-foreman"): SimApp {
  const path = new URL("../../app.yml", import.meta.url);
  const parsed = manifestSchema.safeParse(parseYaml(readFileSync(path, "utf8")));
  if (!parsed.success) throw new Error(`app.yml cannot register the app: ${z.prettifyError(parsed.error)}`);
  return sim.world.createApp({
    slug,
    permissions: parsed.data.default_permissions,
    events: parsed.data.default_events,
  });
}

/** The app running against the offline GitHub, hearing its webhooks over HTTP. */
export interface SwarmAppOnSim {
  server: AppServer;
  delivery: WebhookDelivery;
  deps: AppDeps;
  /** Resolves once every webhook so far, and every one the app's handling of them caused, is answered. */
  idle(): Promise<void>;
  /** Stops delivering, waits for deliveries under way, and stops the server. */
  close(): Promise<void>;
}

/** The real app's server on the offline GitHub, and what it holds for its whole life. */
interface SwarmAppServer {
  server: AppServer;
  deps: AppDeps;
  /** Where GitHub posts the app's webhooks. */
  webhookUrl: string;
}

/**
 * Starts the real app (Node's HTTP server, Probot's middleware, `swarmApp` over the ledger) on a
 * free port, its Octokit pointed at the offline GitHub. Nothing delivers webhooks to it yet.
 */
async function startSwarmAppServer(
  sim: GitHubSim,
  app: SimApp,
  options: { ledger: Ledger; logLevel?: AppSettings["LOG_LEVEL"] },
): Promise<SwarmAppServer> {
  const deps: AppDeps = {
    ledger: options.ledger,
    configs: new ConfigCache(),
    slotTurns: new SerialTurns(),
    permissions: new PermissionCache(),
    requests: new RequestCounter(),
    now: () => new Date(),
  };
  const server = await startAppServer(
    {
      APP_ID: String(app.id),
      privateKey: app.privateKey,
      WEBHOOK_SECRET: app.webhookSecret,
      PORT: 0,
      HOST: "127.0.0.1",
      WEBHOOK_PATH,
      LOG_LEVEL: options.logLevel ?? "error",
      GITHUB_API_URL: sim.url,
      // The offline GitHub enforces its limits itself and answers 403 when one is exceeded, so
      // pacing writes a second apart would only slow every comment and label down.
      GITHUB_WRITE_PACING: "off",
    },
    swarmApp(deps),
  );
  return { server, deps, webhookUrl: `${server.url}${WEBHOOK_PATH}` };
}

/**
 * Starts the real app on the offline GitHub (see startSwarmAppServer) and the offline GitHub's
 * webhook delivery POSTing signed webhooks to it, with the fault plan if one is given: the same
 * path a webhook takes in production.
 */
export async function startSwarmAppOnSim(
  sim: GitHubSim,
  app: SimApp,
  options: { ledger: Ledger; logLevel?: AppSettings["LOG_LEVEL"]; faults?: FaultPlan },
): Promise<SwarmAppOnSim> {
  const { server, deps, webhookUrl } = await startSwarmAppServer(sim, app, options);
  const delivery = new WebhookDelivery(sim, {
    appId: app.id,
    url: webhookUrl,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  return {
    server,
    delivery,
    deps,
    idle: () => delivery.idle(),
    async close() {
      delivery.stop();
      await delivery.idle();
      await server.close();
    },
  };
}
