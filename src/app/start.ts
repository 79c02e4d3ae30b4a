// `npm start`: read the settings, open the ledger, serve webhooks, reconcile now and periodically.
import { openLedger } from "../ledger/index.ts";
import { RequestCounter } from "../github/gateway.ts";
import { swarmApp } from "./index.ts";
import { ConfigCache } from "./config-cache.ts";
import { SerialTurns } from "./serial-turns.ts";
import { PermissionCache } from "./permission-cache.ts";
import { Reconciler } from "./reconcile.ts";
import { startAppServer } from "./server.ts";
import { AppSettingsError, readAppSettings } from "./settings.ts";

async function start(): Promise<void> {
  const settings = readAppSettings(process.env);
  const ledger = await openLedger();
  const deps = {
    ledger,
    configs: new ConfigCache(),
    slotTurns: new SerialTurns(),
    permissions: new PermissionCache(),
    requests: new RequestCounter(),
    now: () => new Date(),
  };
  const server = await startAppServer(settings, swarmApp(deps));
  const log = server.probot.log;
  log.info(
    `Swarm Foreman listening on ${server.url}${settings.WEBHOOK_PATH}; ledger: ${ledger.backend} at ${ledger.location}`,
  );

  const reconciler = new Reconciler(server.probot, deps);
  let reconciling: Promise<void> = Promise.resolve();
  const reconcile = (): void => {
    reconciling = reconciling
      .then(() => reconciler.reconcileAll())
      .catch((error: unknown) =>
        log.error({ err: error }, "reconcile failed; it runs again at the next interval"),
      );
  };
  reconcile();
  const timer = setInterval(reconcile, settings.RECONCILE_INTERVAL_SECONDS * 1000);

  const stop = async (signal: string): Promise<void> => {
    log.info(`${signal}: finishing open requests, then stopping`);
    clearInterval(timer);
    await server.close();
    await reconciling;
    await ledger.close();
  };
  process.once("SIGTERM", (s) => void stop(s));
  process.once("SIGINT", (s) => void stop(s));
}

try {
  await start();
} catch (error) {
  console.error(error instanceof AppSettingsError ? error.message : error);
  process.exitCode = 1;
}
