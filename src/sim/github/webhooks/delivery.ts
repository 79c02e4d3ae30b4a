import { createHmac, randomUUID } from "node:crypto";
import type { GitHubSim } from "../server.ts";
import type { SimEventEnvelope } from "../sim-events.ts";
import type { SimApp } from "../world.ts";
import { webhookPayloadProblems } from "./payload-validator.ts";
import { renderWebhook, type RenderedWebhook } from "./render-payload.ts";

/** What can go wrong with one delivery, chosen per delivery by a fault plan. */
export interface DeliveryFault {
  /** Sends the delivery twice with the same `X-GitHub-Delivery` id. */
  duplicate?: boolean;
  /** Holds the delivery back until the next one has been sent (a delay of one). */
  reorder?: boolean;
  /**
   * Holds the delivery back until this many later deliveries have been sent (or `idle()` is
   * awaited): a delay measured in deliveries, so tests see the same order on every run.
   */
  delay?: number;
  /** The first attempts that fail before reaching the receiver; each is redelivered. */
  failAttempts?: number;
}

/** Chooses the faults for each delivery (the n-th of the run, event and action). */
export type FaultPlan = (delivery: {
  index: number;
  event: string;
  action: string | undefined;
}) => DeliveryFault | undefined;

/** One attempt to deliver: the receiver's status, or why it never answered. */
export interface DeliveryAttempt {
  status: number | undefined;
  error: string | undefined;
  redelivery: boolean;
}

/** A delivery: the id every attempt (and redelivery) carries, the webhook and its attempts. */
export interface DeliveryRecord {
  id: string;
  event: string;
  action: string | undefined;
  payload: Record<string, unknown>;
  attempts: DeliveryAttempt[];
}

/** Where and how to deliver an app's webhooks. */
export interface WebhookDeliveryOptions {
  appId: number;
  /** The app's webhook URL. */
  url: string;
  faults?: FaultPlan;
  /**
   * Attempts per delivery before giving up (failed ones are redelivered at once with the same
   * id, as an app's redelivery job would through the deliveries API). Default 3.
   */
  maxAttempts?: number;
}

/**
 * Delivers the world's events to one GitHub App as GitHub does: rendered from the published
 * examples, checked against the webhook schemas (a failure is a recorded violation), signed
 * with the app's webhook secret and POSTed to its URL, for repositories it is installed on and
 * events it subscribes to. `idle()` resolves once every delivery so far has been answered.
 */
export class WebhookDelivery {
  readonly #sim: GitHubSim;
  readonly #app: SimApp;
  readonly #options: WebhookDeliveryOptions;
  readonly #records: DeliveryRecord[] = [];
  readonly #waiters: Array<() => void> = [];
  readonly #listener: (envelope: SimEventEnvelope) => void;
  #rendering: Promise<void> = Promise.resolve();
  #sending: Promise<void> = Promise.resolve();
  #held: Array<{ record: DeliveryRecord; fault: DeliveryFault; behind: number }> = [];
  #inFlight = 0;
  #index = 0;

  constructor(sim: GitHubSim, options: WebhookDeliveryOptions) {
    const app = sim.world.apps.get(options.appId);
    if (!app) throw new Error(`WebhookDelivery: no app with id ${options.appId}`);
    if (!/^https?:\/\//.test(options.url))
      throw new Error(`WebhookDelivery: the webhook URL "${options.url}" is not an http(s) URL`);
    this.#sim = sim;
    this.#app = app;
    this.#options = options;
    this.#listener = (envelope) => this.#accept(envelope);
    sim.world.events.on("event", this.#listener);
  }

  /** Every delivery so far, in the order the events happened. */
  deliveries(): DeliveryRecord[] {
    return [...this.#records];
  }

  /** Resolves when every delivery so far (rendering, delays, redeliveries) has been answered. */
  idle(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#releaseHeldIfAlone();
    return idle;
  }

  /** Sends a delivery again with its original id (GitHub's "Redeliver"). */
  async redeliver(id: string): Promise<DeliveryAttempt> {
    const record = this.#records.find((r) => r.id === id);
    if (!record) throw new Error(`redeliver: no delivery with id ${id}`);
    return this.#attempt(record, true, false);
  }

  /** Stops listening; deliveries already under way still finish (await `idle()`). */
  stop(): void {
    this.#sim.world.events.off("event", this.#listener);
  }

  #accept(envelope: SimEventEnvelope): void {
    if (!this.#app.events.includes(envelope.name)) return;
    const repo = this.#sim.world.repo(envelope.payload.repository);
    const installation = repo ? this.#sim.world.installationFor(this.#app.id, repo) : undefined;
    if (!installation) return;
    this.#begin();
    const urls = { api: this.#sim.url, html: this.#sim.url };
    // Rendering is chained so deliveries leave in the order the events happened.
    const rendered = this.#rendering.then(() => renderWebhook(this.#sim.world, urls, envelope, installation));
    this.#rendering = rendered.then(
      () => undefined,
      () => undefined,
    );
    this.#sending = this.#sending
      .then(() => rendered)
      .then((webhook) => (webhook ? this.#dispatch(webhook) : undefined))
      .catch((error: unknown) => this.#violation(envelope.name, [`could not render: ${String(error)}`]))
      .finally(() => this.#end());
  }

  async #dispatch(webhook: RenderedWebhook): Promise<void> {
    const problems = webhookPayloadProblems(webhook.event, webhook.action, webhook.payload);
    if (problems.length > 0) this.#violation(`${webhook.event}.${webhook.action ?? ""}`, problems);
    const record: DeliveryRecord = { id: randomUUID(), ...webhook, attempts: [] };
    this.#records.push(record);
    const fault =
      this.#options.faults?.({ index: this.#index++, event: record.event, action: record.action }) ?? {};
    const hold = fault.delay ?? (fault.reorder ? 1 : 0);
    if (hold > 0) {
      // Counted as in flight until sent.
      this.#held.push({ record, fault, behind: hold });
      this.#begin();
      return;
    }
    await this.#send(record, fault);
    for (const held of this.#held) held.behind--;
    const due = this.#held.filter((h) => h.behind <= 0);
    this.#held = this.#held.filter((h) => h.behind > 0);
    for (const held of due) await this.#send(held.record, held.fault).finally(() => this.#end());
  }

  async #send(record: DeliveryRecord, fault: DeliveryFault): Promise<void> {
    const max = this.#options.maxAttempts ?? 3;
    let failures = fault.failAttempts ?? 0;
    for (let n = 0; n < max; n++) {
      const attempt = await this.#attempt(record, n > 0, failures-- > 0);
      if (attempt.status !== undefined && attempt.status < 400) break;
    }
    if (fault.duplicate) await this.#attempt(record, false, false);
  }

  async #attempt(record: DeliveryRecord, redelivery: boolean, fail: boolean): Promise<DeliveryAttempt> {
    const attempt: DeliveryAttempt = { status: undefined, error: undefined, redelivery };
    record.attempts.push(attempt);
    if (fail) {
      attempt.error = "delivery failed before reaching the receiver (injected fault)";
      return attempt;
    }
    const body = JSON.stringify(record.payload);
    const sign = (algorithm: string) =>
      createHmac(algorithm, this.#app.webhookSecret).update(body).digest("hex");
    try {
      const response = await fetch(this.#options.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "GitHub-Hookshot/offline",
          "x-github-event": record.event,
          "x-github-delivery": record.id,
          "x-github-hook-id": String(this.#app.id),
          "x-github-hook-installation-target-type": "integration",
          "x-github-hook-installation-target-id": String(this.#app.id),
          "x-hub-signature": `sha1=${sign("sha1")}`,
          "x-hub-signature-256": `sha256=${sign("sha256")}`,
        },
        body,
      });
      await response.arrayBuffer();
      attempt.status = response.status;
    } catch (error) {
      attempt.error = error instanceof Error ? error.message : String(error);
    }
    return attempt;
  }

  #violation(what: string, problems: string[]): void {
    this.#sim.recordViolation({
      side: "webhook",
      method: "POST",
      path: this.#options.url,
      operationId: what,
      status: 0,
      problems,
    });
  }

  // A held delivery waits for the next one; once someone waits for quiet and nothing else is
  // under way, no next one is coming from what happened so far, so it goes.
  #releaseHeldIfAlone(): void {
    if (this.#inFlight === 0 || this.#inFlight !== this.#held.length) return;
    const held = this.#held.splice(0);
    this.#sending = this.#sending.then(async () => {
      for (const h of held) await this.#send(h.record, h.fault).finally(() => this.#end());
    });
  }

  #begin(): void {
    this.#inFlight++;
  }

  #end(): void {
    this.#inFlight--;
    if (this.#waiters.length > 0) this.#releaseHeldIfAlone();
    if (this.#inFlight > 0) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
