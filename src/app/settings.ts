import { readFileSync } from "node:fs";
import * as z from "zod";

const APP_SETTINGS_URL = "https://github.com/settings/apps/<your-app>";

/** The environment `npm start` reads; each field names the variable and says how to fix it. */
export const appEnvSchema = z.object({
  /** The numeric App ID shown on the app's settings page. */
  APP_ID: z
    .string({ error: `APP_ID is not set: copy the App ID from ${APP_SETTINGS_URL} into APP_ID` })
    .regex(/^\d+$/, { error: "APP_ID must be the numeric App ID from the app's settings page" }),
  /** The app's private key in PEM form; PRIVATE_KEY_PATH names a file holding it instead. */
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  /** The webhook secret entered when the app was registered; unsigned or wrongly signed deliveries are refused. */
  WEBHOOK_SECRET: z
    .string({
      error: `WEBHOOK_SECRET is not set: set it to the webhook secret of ${APP_SETTINGS_URL}`,
    })
    .min(16, { error: "WEBHOOK_SECRET is too short to be a secret: use at least 16 random characters" }),
  /** Where the HTTP server listens. */
  PORT: z.coerce
    .number({ error: "PORT must be a port number" })
    .int()
    .min(0)
    .max(65535, { error: "PORT must be a port number (0-65535)" })
    .default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** The path GitHub posts webhooks to (the app's webhook URL ends with it). */
  WEBHOOK_PATH: z
    .string()
    .startsWith("/", { error: "WEBHOOK_PATH must start with /" })
    .default("/api/github/webhooks"),
  /** GitHub's REST API root; set it for GitHub Enterprise Server (https://HOST/api/v3). */
  GITHUB_API_URL: z.url({ error: "GITHUB_API_URL must be a URL such as https://api.github.com" }).optional(),
  /** How often the app compares running attempts with their workflow runs, in seconds. */
  RECONCILE_INTERVAL_SECONDS: z.coerce
    .number({ error: "RECONCILE_INTERVAL_SECONDS must be a number of seconds" })
    .int()
    .min(10, { error: "RECONCILE_INTERVAL_SECONDS must be at least 10" })
    .default(300),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
  /**
   * Whether writes to GitHub are paced as its secondary limits ask (one a second, comments one
   * every three); off only for a GitHub without those limits, such as the offline one.
   */
  GITHUB_WRITE_PACING: z
    .enum(["on", "off"], { error: "GITHUB_WRITE_PACING must be on or off" })
    .default("on"),
});

type AppEnv = z.infer<typeof appEnvSchema>;

/** The settings the server runs with: the environment, validated, with the private key read. */
export type AppSettings = Omit<AppEnv, "PRIVATE_KEY" | "PRIVATE_KEY_PATH"> & { privateKey: string };

/** The environment is unusable; the message lists every variable to fix. */
export class AppSettingsError extends Error {
  override name = "AppSettingsError";
}

/** Reads the app's settings from the environment, or throws one error naming every variable to fix. */
export function readAppSettings(env: NodeJS.ProcessEnv): AppSettings {
  const parsed = appEnvSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  let privateKey: string | undefined;
  if (env.PRIVATE_KEY) privateKey = env.PRIVATE_KEY.replace(/\\n/g, "\n");
  else if (env.PRIVATE_KEY_PATH) {
    try {
      privateKey = readFileSync(env.PRIVATE_KEY_PATH, "utf8");
    } catch (error) {
      problems.push(
        `PRIVATE_KEY_PATH is ${env.PRIVATE_KEY_PATH}, which cannot be read (${(error as Error).message})`,
      );
    }
  } else
    problems.push(
      `PRIVATE_KEY is not set: generate a private key on ${APP_SETTINGS_URL} and set PRIVATE_KEY to its contents ` +
        "or PRIVATE_KEY_PATH to the .pem file",
    );
  if (privateKey !== undefined && !privateKey.includes("-----BEGIN"))
    problems.push("PRIVATE_KEY is not a PEM private key: it should start with -----BEGIN");
  if (!parsed.success || privateKey === undefined || problems.length > 0)
    throw new AppSettingsError(
      `The app cannot start; fix these environment variables:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  const { PRIVATE_KEY: _key, PRIVATE_KEY_PATH: _path, ...rest } = parsed.data;
  return { ...rest, privateKey };
}
