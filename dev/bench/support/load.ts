// Load generators: autocannon for webhook bursts (closed loop, N connections, every request a distinct
// event), a paced sender for credit latency, and a keep-alive HTTP client that times the first byte.
import http from "node:http";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import type { PreparedEvent } from "./payments";
import { signatureOf, webhookUrl } from "./payments";
import { summarize, type Summary } from "./stats";
import { sleep } from "../../testing/app-process";

export interface IngestResult {
  connections: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  perSecond: number;
  latency: Summary;
  /** PaymentIntent id → epoch ms of our 2xx (for credit latency). */
  okAt: Map<string, number>;
  /** Every response's latency, ms (for pooling several runs). */
  samples: number[];
}

/** Several runs of the same step as one: events/s over their summed time, percentiles over all responses. */
export function poolIngest(runs: IngestResult[]): IngestResult {
  const sum = (f: (r: IngestResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const samples = runs.flatMap((r) => r.samples);
  const ok = sum((r) => r.ok);
  const seconds = sum((r) => r.seconds);
  return {
    connections: runs[0]!.connections,
    sent: sum((r) => r.sent),
    ok,
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    seconds,
    perSecond: ok / seconds,
    latency: summarize(samples),
    okAt: new Map(runs.flatMap((r) => [...r.okAt])),
    samples,
  };
}

/** `url` for an event of the environment's dealer; its own dealer's endpoint on the same server for a hosted one's. */
function eventUrl(url: string, e: PreparedEvent): string {
  return e.dealer ? webhookUrl(new URL(url).origin, e) : url;
}

/**
 * POSTs each event once, `connections` at a time, to `url` (a hosted dealer's event to its own endpoint on that
 * server); latency per response as autocannon measures it.
 */
export async function ingest(url: string, events: PreparedEvent[], connections: number): Promise<IngestResult> {
  let next = 0;
  const okAt = new Map<string, number>();
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  const target = new URL(url);
  // autocannon settles on its 1-second ticks: time the run from the first request to the last response.
  let first = 0;
  let last = 0;
  const instance = autocannon({
    url: target.origin,
    connections,
    pipelining: 1,
    amount: events.length,
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: target.pathname,
        setupRequest(req: Record<string, unknown>, context: Record<string, unknown>) {
          // autocannon may build one request more per connection than it sends: repeat the last event then.
          if (first === 0) first = performance.now();
          const e = events[Math.min(next++, events.length - 1)]!;
          context["pi"] = e.paymentIntentId;
          return {
            ...req,
            path: new URL(eventUrl(url, e)).pathname,
            headers: {
              "content-type": "application/json; charset=utf-8",
              "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
              "stripe-signature": signatureOf(e),
            },
            body: e.body,
          };
        },
        onResponse(status: number, _body: string, context: Record<string, unknown>) {
          if (status >= 200 && status < 300) {
            ok++;
            okAt.set(String(context["pi"]), Date.now());
          } else non2xx++;
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    last = performance.now();
  });
  const result = await instance;
  const seconds = (last - first) / 1000;
  return {
    connections,
    sent: result.requests.total,
    ok,
    non2xx,
    errors: result.errors + result.timeouts,
    seconds,
    perSecond: ok / seconds,
    latency: summarize(latencies),
    okAt,
    samples: latencies,
  };
}

/**
 * Sends events one at a time at `ratePerSecond` (open loop on a fixed schedule; a hosted dealer's event to its own
 * endpoint on `url`'s server).
 */
export async function paced(url: string, events: PreparedEvent[], ratePerSecond: number): Promise<Map<string, number>> {
  const okAt = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const start = Date.now();
  for (let i = 0; i < events.length; i++) {
    const due = start + (i * 1000) / ratePerSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    const e = events[i]!;
    const status = await post(eventUrl(url, e), e.body, { "content-type": "application/json; charset=utf-8", "stripe-signature": signatureOf(e) }, agent);
    if (status >= 200 && status < 300) okAt.set(e.paymentIntentId, Date.now());
  }
  agent.destroy();
  return okAt;
}

export interface RedeliveryLoad {
  /** Stops the load; resolves with what it did. */
  stop(): Promise<{ responses: number; non2xx: number; errors: number; seconds: number; perSecond: number; latency: Summary }>;
}

/**
 * A closed loop of `connections` that POSTs `events` over and over (each signed afresh) until stopped: events the
 * gateway stored already, i.e. Stripe's redeliveries, answered without being stored or worked again.
 */
export function redeliveryLoad(url: string, events: PreparedEvent[], connections: number): RedeliveryLoad {
  if (events.length === 0) throw new Error("redeliveryLoad needs events");
  let next = 0;
  let non2xx = 0;
  const latencies: number[] = [];
  let first = 0;
  let last = 0;
  const instance = autocannon({
    url: new URL(url).origin,
    connections,
    pipelining: 1,
    duration: 3_600,
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: new URL(url).pathname,
        setupRequest(req: Record<string, unknown>) {
          if (first === 0) first = performance.now();
          const e = events[next++ % events.length]!;
          return {
            ...req,
            path: new URL(eventUrl(url, e)).pathname,
            headers: { "content-type": "application/json; charset=utf-8", "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)", "stripe-signature": signatureOf(e) },
            body: e.body,
          };
        },
        onResponse(status: number) {
          if (status < 200 || status >= 300) non2xx++;
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    last = performance.now();
  });
  return {
    async stop() {
      instance.stop();
      const result = await instance;
      const seconds = (last - first) / 1000;
      return { responses: latencies.length, non2xx, errors: result.errors + result.timeouts, seconds, perSecond: latencies.length / seconds, latency: summarize(latencies) };
    },
  };
}

function post(url: string, body: string, headers: Record<string, string>, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) }, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body);
  });
}

export interface PageTiming {
  concurrency: number;
  requests: number;
  non200: number;
  ttfb: Summary;
  total: Summary;
  perSecond: number;
}

/** GETs `path` `count` times, `concurrency` at a time, timing the first byte (response head) and the whole body. */
export async function pageTiming(base: string, path: string, count: number, concurrency: number): Promise<PageTiming> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const ttfb: number[] = [];
  const total: number[] = [];
  let non200 = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          const req = http.get(base + path, { agent, headers: { "accept-encoding": "identity" } }, (res) => {
            ttfb.push(performance.now() - t0);
            if (res.statusCode !== 200) non200++;
            res.resume();
            res.on("end", () => {
              total.push(performance.now() - t0);
              resolve();
            });
          });
          req.on("error", reject);
        });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { concurrency, requests: count, non200, ttfb: summarize(ttfb), total: summarize(total), perSecond: count / seconds };
}

export interface FirstLoadJs {
  scripts: { src: string; bytes: number; gzip: number }[];
  bytes: number;
  gzip: number;
  /** Inline <script> content (RSC payload, bootstrap), for context: it is part of the HTML. */
  inlineBytes: number;
  htmlBytes: number;
  htmlGzip: number;
}

/** Every same-origin script the page's HTML loads (script src and preloaded scripts), gzipped (zlib level 9). */
export async function firstLoadJs(base: string, path: string): Promise<FirstLoadJs> {
  const res = await fetch(base + path);
  if (res.status !== 200) throw new Error(`${base}${path} answered ${res.status}`);
  const html = await res.text();
  const srcs = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) srcs.add(m[1]!);
  for (const m of html.matchAll(/<link\b[^>]*>/g)) {
    const tag = m[0];
    if (/\bas="script"/.test(tag) || /\brel="modulepreload"/.test(tag)) {
      const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
      if (href) srcs.add(href);
    }
  }
  let inlineBytes = 0;
  for (const m of html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) inlineBytes += Buffer.byteLength(m[1]!);
  const scripts: FirstLoadJs["scripts"] = [];
  for (const raw of srcs) {
    const src = raw.replace(/&amp;/g, "&");
    const u = new URL(src, base);
    if (u.origin !== new URL(base).origin) continue; // Stripe.js and other third parties are excluded
    const r = await fetch(u);
    const buf = Buffer.from(await r.arrayBuffer());
    scripts.push({ src: u.pathname, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length });
  }
  return {
    scripts,
    bytes: scripts.reduce((a, s) => a + s.bytes, 0),
    gzip: scripts.reduce((a, s) => a + s.gzip, 0),
    inlineBytes,
    htmlBytes: Buffer.byteLength(html),
    htmlGzip: gzipSync(Buffer.from(html), { level: 9 }).length,
  };
}
