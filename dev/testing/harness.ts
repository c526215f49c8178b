// A whole gateway for integration tests: both emulators over real HTTP, a fresh database of the kind
// the test project names, the app's route handlers served on a real port (so Stripe's webhooks arrive
// over HTTP, signed), and the worker running as in production.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { randomUUID } from "node:crypto";
import Stripe from "stripe";
import { inject } from "vitest";
import { startNavixyEmulator, type NavixyEmulator, type NavixyEmulatorOptions, type SeedUser } from "../emulators/navixy/server";
import { startStripeEmulator, type StripeEmulator } from "../emulators/stripe/server";
import { resetConfigForTests } from "../../lib/config";
import { createPostgresDatabase, dropPostgresDatabase, removeSqliteFiles } from "./app-process";
import { getServices, resetServicesForTests, servicesForSlug, type Services } from "../../lib/server/services";
import type { LedgerWorker } from "../../lib/payments/worker/ledger-worker";
import { createWorker } from "../../lib/server/start";
import * as paymentsRoute from "../../app/api/payments/route";
import * as paymentRoute from "../../app/api/payments/[paymentId]/route";
import * as webhookRoute from "../../app/api/stripe/webhook/route";
import * as dealerWebhookRoute from "../../app/api/stripe/webhook/[slug]/route";
import { DEALER_HEADER, splitDealerPath } from "../../lib/server/request-dealer";
import { stampPeerAddress } from "../../lib/server/peer-address";
import * as healthRoute from "../../app/api/health/route";
import * as readyRoute from "../../app/api/ready/route";
import * as metricsRoute from "../../app/metrics/route";
import * as logoRoute from "../../app/brand/logo/route";
import * as faviconRoute from "../../app/brand/favicon/route";
import * as topUpCheckoutRoute from "../../app/api/topup/checkout/route";
import * as topUpConfirmRoute from "../../app/api/topup/confirm/route";

export const TEST_KEYS = {
  secret: "sk_test_emulator",
  publishable: "pk_test_emulator",
  webhookSecret: "whsec_integration_tests",
};

export const DEFAULT_USERS: SeedUser[] = [
  { id: 10001, firstName: "Jane", lastName: "Smith", balance: "12.50" },
  { id: 10002, firstName: "Oleg", lastName: "Ivanov", balance: "0.00" },
  { id: 10003, legalName: "Acme Logistics", balance: "100.00" },
  { id: 10004, firstName: "Sub", lastName: "User", subUser: true },
];

export interface GatewayOptions {
  env?: Record<string, string>;
  users?: SeedUser[];
  currency?: string;
  /** Start the in-process worker (default true). */
  worker?: boolean;
  /** The dealer's look in Navixy (service settings and get_info). */
  navixyBrand?: NavixyEmulatorOptions["brand"];
}

export interface CreatedTestPayment {
  paymentId: string;
  clientSecret: string;
  piId: string;
  amount: number;
  currency: string;
}

export interface Gateway {
  url: string;
  navixy: NavixyEmulator;
  stripeEmulator: StripeEmulator;
  /** The real Stripe SDK with the secret key, pointed at the emulator. */
  stripe: Stripe;
  services: Services;
  worker: LedgerWorker | undefined;
  provider: "sqlite" | "postgres";
  /** An HTTP request to the app; `from` binds the connection to that local address (127.0.0.2, ...): another client. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>, options?: { from?: string }): Promise<{ status: number; body: any; text: string }>;
  /** Confirms a PaymentIntent as the payer's browser would (publishable key + client secret). */
  confirmAsPayer(paymentIntentId: string, clientSecret: string, paymentMethod?: string): Promise<{ status: number; body: any }>;
  /** POST /api/payments, which must answer 201. */
  createPayment(userId: number, amount: number): Promise<CreatedTestPayment>;
  /** createPayment, then the payer confirms with `paymentMethod` (a card that succeeds by default). */
  pay(userId: number, amount: number, paymentMethod?: string): Promise<CreatedTestPayment & { confirmed: { status: number; body: any } }>;
  /** Waits until GET /api/payments/<id> says credited, and returns that answer. */
  waitCredited(paymentId: string): Promise<any>;
  close(): Promise<void>;
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;

function route(method: string, pathname: string): { handler: Handler; params: Record<string, string> } | null {
  if (pathname === "/api/payments" && method === "POST") return { handler: paymentsRoute.POST as Handler, params: {} };
  const m = /^\/api\/payments\/([^/]+)$/.exec(pathname);
  if (m && method === "GET") return { handler: paymentRoute.GET as Handler, params: { paymentId: decodeURIComponent(m[1]!) } };
  if (pathname === "/api/stripe/webhook" && method === "POST") return { handler: webhookRoute.POST as Handler, params: {} };
  const hook = /^\/api\/stripe\/webhook\/([^/]+)$/.exec(pathname);
  if (hook && method === "POST") return { handler: dealerWebhookRoute.POST as Handler, params: { slug: decodeURIComponent(hook[1]!) } };
  if (pathname === "/api/health" && method === "GET") return { handler: healthRoute.GET as Handler, params: {} };
  if (pathname === "/api/ready" && method === "GET") return { handler: readyRoute.GET as Handler, params: {} };
  if (pathname === "/metrics" && method === "GET") return { handler: metricsRoute.GET as Handler, params: {} };
  if (pathname === "/brand/logo" && method === "GET") return { handler: logoRoute.GET as Handler, params: {} };
  if (pathname === "/brand/favicon" && method === "GET") return { handler: faviconRoute.GET as Handler, params: {} };
  if (pathname === "/api/topup/checkout" && method === "GET") return { handler: topUpCheckoutRoute.GET as Handler, params: {} };
  if (pathname === "/api/topup/confirm" && method === "POST") return { handler: topUpConfirmRoute.POST as Handler, params: {} };
  return null;
}

async function serveRoutes(): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      // A hosted dealer's /d/<slug>/... as proxy.ts serves it: the inner path, with the dealer named in a header.
      const hosted = splitDealerPath(url.pathname);
      let dealerId: string | null = null;
      if (hosted) {
        const dealer = hosted.slug === null ? null : await servicesForSlug(hosted.slug);
        if (!dealer || dealer.dealer.status !== "active") {
          res.writeHead(404).end();
          return;
        }
        dealerId = dealer.dealer.id;
      }
      const found = route(req.method ?? "GET", hosted ? hosted.path : url.pathname);
      if (!found) {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = chunks.length ? Buffer.concat(chunks) : undefined;
      // As under `next start`: the connection's own address in its header, whatever the client sent there.
      stampPeerAddress(req);
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      headers.delete(DEALER_HEADER);
      if (dealerId) headers.set(DEALER_HEADER, dealerId);
      const request = new Request(url, { method: req.method, headers, body: req.method === "GET" ? undefined : body });
      const response = await found.handler(request, { params: Promise.resolve(found.params) });
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  // Longer than any pause of a test between two requests: a kept-alive connection the server closes just as the
  // client reuses it fails a POST with ECONNRESET (fetch retries only idempotent requests).
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function createDatabase(): Promise<{ provider: "sqlite" | "postgres"; url: string; drop: () => Promise<void> }> {
  const provider = (process.env.TEST_DATABASE_PROVIDER ?? "sqlite") as "sqlite" | "postgres";
  if (provider === "sqlite") {
    const template = inject("sqliteTemplate");
    const file = path.join(path.dirname(template), `test-${randomUUID()}.db`);
    fs.copyFileSync(template, file);
    return {
      provider,
      url: `file:${file}`,
      drop: async () => removeSqliteFiles(file),
    };
  }
  const template = inject("postgresTemplate");
  const adminUrl = process.env.TEST_POSTGRES_URL!;
  const name = `gateway_test_${randomUUID().replace(/-/g, "").slice(0, 16)}`;
  return {
    provider,
    url: await createPostgresDatabase(adminUrl, name, template),
    drop: () => dropPostgresDatabase(adminUrl, name),
  };
}

/** True when this project's database is not available here (PostgreSQL tests without a server). */
export function databaseUnavailable(): boolean {
  return process.env.TEST_DATABASE_PROVIDER === "postgres" && !inject("postgresTemplate");
}

export async function startGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const navixy = await startNavixyEmulator({
    users: options.users ?? DEFAULT_USERS,
    currency: options.currency ?? "EUR",
    ...(options.navixyBrand ? { brand: options.navixyBrand } : {}),
  });
  const stripeEmulator = await startStripeEmulator({ secretKey: TEST_KEYS.secret, publishableKey: TEST_KEYS.publishable });
  const database = await createDatabase();
  const server = await serveRoutes();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    PUBLIC_URL: url,
    STRIPE_SECRET_KEY: TEST_KEYS.secret,
    STRIPE_PUBLISHABLE_KEY: TEST_KEYS.publishable,
    STRIPE_WEBHOOK_SECRET: TEST_KEYS.webhookSecret,
    STRIPE_API_URL: stripeEmulator.url,
    NAVIXY_API_URL: navixy.apiUrl,
    NAVIXY_PANEL_LOGIN: navixy.credentials.login,
    NAVIXY_PANEL_PASSWORD: navixy.credentials.password,
    NAVIXY_API_HASH: navixy.credentials.apiHash,
    NAVIXY_TIMEOUT_MS: "1000",
    WORKER_POLL_INTERVAL_MS: "200",
    CREDIT_RETRY_BASE_MS: "50",
    CREDIT_RETRY_MAX_MS: "400",
    ...options.env,
  };
  const previous: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    previous[k] = process.env[k];
    process.env[k] = v;
  }
  resetConfigForTests();
  await resetServicesForTests();
  const services = getServices();
  stripeEmulator.setWebhookEndpoints([{ url: `${url}/api/stripe/webhook`, secret: TEST_KEYS.webhookSecret }]);

  // As in production: the two queues and the periodic jobs (sweep, capture due, automatic top-up).
  const worker = options.worker === false ? undefined : createWorker(services);
  worker?.start();

  const stripe = new Stripe(TEST_KEYS.secret, {
    host: "127.0.0.1",
    port: new URL(stripeEmulator.url).port,
    protocol: "http",
    maxNetworkRetries: 0,
  });

  const request: Gateway["request"] = async (method, p, body, headers = {}, options = {}) => {
    if (options.from) return requestFrom(options.from, url, method, p, body, headers);
    const res = await fetch(url + p, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, text };
  };

  const confirmAsPayer: Gateway["confirmAsPayer"] = async (paymentIntentId, clientSecret, paymentMethod = "pm_card_visa") => {
    const res = await fetch(`${stripeEmulator.url}/v1/payment_intents/${paymentIntentId}/confirm`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_KEYS.publishable}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_secret: clientSecret, payment_method: paymentMethod, return_url: `${url}/payment/complete` }),
    });
    return { status: res.status, body: await res.json() };
  };
  const createPayment: Gateway["createPayment"] = async (userId, amount) => {
    const res = await request("POST", "/api/payments", { userId, amount });
    if (res.status !== 201) throw new Error(`POST /api/payments answered ${res.status}: ${res.text}`);
    return { ...res.body, piId: String(res.body.clientSecret).split("_secret_")[0]! };
  };

  return {
    url,
    navixy,
    stripeEmulator,
    stripe,
    services,
    worker,
    provider: database.provider,
    request,
    confirmAsPayer,
    createPayment,
    async pay(userId, amount, paymentMethod) {
      const created = await createPayment(userId, amount);
      return { ...created, confirmed: await confirmAsPayer(created.piId, created.clientSecret, paymentMethod) };
    },
    waitCredited(paymentId) {
      return waitFor(
        async () => {
          const res = await request("GET", `/api/payments/${paymentId}`);
          return res.body?.credited ? res.body : null;
        },
        { what: `payment ${paymentId} credited` },
      );
    },
    async close() {
      await worker?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await stripeEmulator.close();
      await navixy.close();
      await resetServicesForTests();
      await database.drop();
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      resetConfigForTests();
    },
  };
}

/** `request` over a connection bound to `localAddress` (node:http: fetch cannot choose it). */
function requestFrom(
  localAddress: string,
  base: string,
  method: string,
  p: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; body: any; text: string }> {
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const target = new URL(p, base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method,
        localAddress,
        agent: false,
        headers: payload === undefined ? headers : { "content-type": "application/json", ...headers, "content-length": String(Buffer.byteLength(payload)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = undefined;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** Polls until `check` returns a truthy value, or fails with the last value seen. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 15_000, intervalMs = 25, what = "condition" } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
