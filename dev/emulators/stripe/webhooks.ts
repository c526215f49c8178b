/**
 * Webhook delivery, modelled on Stripe's:
 * - every event is POSTed as pretty-printed JSON to each endpoint whose
 *   `enabledEvents` match, signed with `Stripe-Signature: t=<unix>,v1=<hmac>`
 *   (HMAC-SHA256 of `${t}.${payload}` keyed by the endpoint secret);
 * - always asynchronously, never inside the API request that caused the event;
 * - one attempt at a time per endpoint, first attempts in event creation order;
 * - a non-2xx answer (redirects included), a network error or a timeout is
 *   retried with backoff. Retries do not block later events (like Stripe,
 *   whose deliveries are not ordered), so a retried event can arrive after a
 *   newer one.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type Stripe from "stripe";
import type { DeliveryRecord, Store } from "./store";

export interface WebhookEndpoint {
  url: string;
  secret: string;
  /** Event types to send (`*` or `payment_intent.*` wildcards); default all. */
  enabledEvents?: string[];
}

export interface WebhookDeliveryOptions {
  /** Delays before each retry; attempts = delays.length + 1. Default 0.5s, 1s, 2s, 4s (5 tries). */
  retryDelaysMs?: number[];
  /** Per-attempt timeout. Default 10 s. */
  timeoutMs?: number;
}

/** "drop": events raised while paused are never sent (lost webhooks); "hold": sent when resumed. */
export type PauseMode = "drop" | "hold";

interface Job {
  event: Stripe.Event;
  endpoint: WebhookEndpoint;
  attempt: number;
  generation: number;
}

interface EndpointQueue {
  jobs: Job[];
  running: boolean;
}

export const WEBHOOK_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";

/** Same format as `stripe.webhooks.generateTestHeaderString`. */
export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

export function eventMatches(type: string, enabled: readonly string[] | undefined): boolean {
  if (!enabled || enabled.length === 0) return true;
  return enabled.some((pattern) => {
    if (pattern === "*") return true;
    if (pattern.endsWith(".*")) return type.startsWith(pattern.slice(0, -1));
    return pattern === type;
  });
}

export class WebhookDeliverer {
  private endpoints: WebhookEndpoint[];
  private readonly queues = new Map<string, EndpointQueue>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private readonly delivered = new Set<string>();
  private held: Job[] = [];
  private paused = false;
  private pauseMode: PauseMode = "drop";
  private outstanding = 0;
  private waiters: (() => void)[] = [];
  private generation = 0;
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;

  constructor(
    private readonly store: Store,
    endpoints: WebhookEndpoint[],
    opts: WebhookDeliveryOptions,
    private readonly log: (line: string) => void,
  ) {
    this.endpoints = endpoints.map((e) => ({ ...e }));
    this.retryDelaysMs = opts.retryDelaysMs ?? [500, 1000, 2000, 4000];
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  setEndpoints(endpoints: WebhookEndpoint[]): void {
    for (const e of endpoints) {
      if (!/^https?:\/\//.test(e.url)) throw new Error(`Invalid webhook URL: ${e.url}`);
      if (!e.secret) throw new Error(`Missing webhook secret for ${e.url}`);
    }
    this.endpoints = endpoints.map((e) => ({ ...e }));
  }

  getEndpoints(): WebhookEndpoint[] {
    return this.endpoints.map((e) => ({ ...e }));
  }

  isPaused(): { paused: boolean; mode: PauseMode } {
    return { paused: this.paused, mode: this.pauseMode };
  }

  /** Number of endpoints an event of this type will be sent to (`pending_webhooks`). */
  countEndpoints(type: string): number {
    return this.endpoints.filter((e) => eventMatches(type, e.enabledEvents)).length;
  }

  /** Queue an event for every matching endpoint (or only `onlyUrl`). Returns how many. */
  enqueue(event: Stripe.Event, onlyUrl?: string): number {
    const targets = this.endpoints.filter(
      (e) => eventMatches(event.type, e.enabledEvents) && (onlyUrl === undefined || e.url === onlyUrl),
    );
    for (const endpoint of targets) {
      const job: Job = { event, endpoint, attempt: 1, generation: this.generation };
      if (this.paused) {
        if (this.pauseMode === "hold") this.held.push(job);
        else this.log(`webhook ${event.id} ${event.type} -> ${endpoint.url} dropped (deliveries paused)`);
        continue;
      }
      this.outstanding++;
      this.push(job);
    }
    return targets.length;
  }

  pause(paused: boolean, mode: PauseMode = "drop"): void {
    this.paused = paused;
    if (paused) {
      this.pauseMode = mode;
      return;
    }
    const held = this.held;
    this.held = [];
    for (const job of held) {
      job.generation = this.generation;
      this.outstanding++;
      this.push(job);
    }
  }

  /** Resolves once no attempt is queued, running or waiting for its retry. */
  flush(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Forget queued work and cancel retries and in-flight requests. */
  reset(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
    this.queues.clear();
    this.held = [];
    this.delivered.clear();
    this.paused = false;
    this.pauseMode = "drop";
    this.outstanding = 0;
    this.notifyIdle();
  }

  private push(job: Job): void {
    const key = job.endpoint.url;
    let q = this.queues.get(key);
    if (!q) {
      q = { jobs: [], running: false };
      this.queues.set(key, q);
    }
    q.jobs.push(job);
    // Never deliver synchronously: the causing API request answers first.
    setImmediate(() => this.pump(key));
  }

  private pump(key: string): void {
    const q = this.queues.get(key);
    if (!q || q.running) return;
    const job = q.jobs.shift();
    if (!job) return;
    q.running = true;
    void this.attempt(job).finally(() => {
      q.running = false;
      if (this.queues.get(key) === q) this.pump(key);
    });
  }

  private async attempt(job: Job): Promise<void> {
    if (job.generation !== this.generation) return;
    if (this.paused) {
      // Paused while queued: hold it for later or drop it, as for new events.
      if (this.pauseMode === "hold") this.held.push({ ...job });
      else this.log(`webhook ${job.event.id} ${job.event.type} -> ${job.endpoint.url} dropped (deliveries paused)`);
      this.finish(job);
      return;
    }
    const { event, endpoint } = job;
    const payload = JSON.stringify(event, null, 2);
    // Signatures use the real clock: receivers check a 300 s tolerance against it.
    const header = signPayload(payload, endpoint.secret, Math.floor(Date.now() / 1000));
    const started = Date.now();
    const { status, error } = await this.post(endpoint.url, payload, header);
    if (job.generation !== this.generation) return;
    const ok = status !== null && status >= 200 && status < 300;
    const record: DeliveryRecord = {
      eventId: event.id,
      eventType: event.type,
      url: endpoint.url,
      status,
      at: Date.now(),
      attempt: job.attempt,
      durationMs: Date.now() - started,
    };
    if (error) record.error = error;
    this.store.deliveries.push(record);
    this.log(
      `webhook ${event.id} ${event.type} -> ${endpoint.url} ${status ?? "ERR"}${error ? ` (${error})` : ""} attempt ${job.attempt}`,
    );
    if (ok) {
      const mark = `${event.id} ${endpoint.url}`;
      if (!this.delivered.has(mark)) {
        this.delivered.add(mark);
        const stored = this.store.events.get(event.id);
        if (stored && stored.pending_webhooks > 0) stored.pending_webhooks--;
      }
    } else {
      const delay = this.retryDelaysMs[job.attempt - 1];
      if (delay !== undefined) {
        this.outstanding++;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (job.generation !== this.generation) return;
          this.push({ ...job, attempt: job.attempt + 1 });
        }, delay);
        this.timers.add(timer);
      }
    }
    this.finish(job);
  }

  private finish(job: Job): void {
    if (job.generation !== this.generation) return;
    this.outstanding--;
    if (this.outstanding <= 0) {
      this.outstanding = 0;
      this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private post(url: string, payload: string, signature: string): Promise<{ status: number | null; error?: string }> {
    return new Promise((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ status: null, error: "invalid URL" });
        return;
      }
      const controller = new AbortController();
      this.inflight.add(controller);
      const lib = target.protocol === "https:" ? https : http;
      let settled = false;
      const done = (r: { status: number | null; error?: string }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inflight.delete(controller);
        resolve(r);
      };
      const timer = setTimeout(() => {
        controller.abort();
        done({ status: null, error: `timed out after ${this.timeoutMs} ms` });
      }, this.timeoutMs);
      const req = lib.request(
        target,
        {
          method: "POST",
          agent: false,
          signal: controller.signal,
          headers: {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Length": Buffer.byteLength(payload),
            "User-Agent": WEBHOOK_USER_AGENT,
            "Stripe-Signature": signature,
            Accept: "*/*; q=0.5, application/xml",
            "Cache-Control": "no-cache",
            Connection: "close",
          },
        },
        (res) => {
          res.resume(); // drain the body; Stripe ignores it
          res.on("end", () => done({ status: res.statusCode ?? null }));
          res.on("error", () => done({ status: res.statusCode ?? null }));
        },
      );
      req.on("error", (err) => done({ status: null, error: err.message || String(err) }));
      req.end(payload);
    });
  }
}
