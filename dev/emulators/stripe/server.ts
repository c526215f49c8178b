/**
 * A Stripe API emulator over real HTTP, for tests and the sandbox mode.
 *
 * The real `stripe` SDK talks to it with
 *   new Stripe(secretKey, { host: "127.0.0.1", port, protocol: "http" })
 * and a browser-side fake Stripe.js may call it with the publishable key
 * (CORS is open). It serves the subset of `/v1` the gateway uses
 * (PaymentIntents, Charges, Refunds, Events, PaymentMethods), sends signed
 * webhooks, and exposes test controls under `/_emulator/*` (no auth).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type Stripe from "stripe";
import { matchRoute } from "./api";
import { API_VERSION, type Ctx, type KeyKind } from "./context";
import { handleControl } from "./controls";
import { StripeApiError, invalidRequest } from "./errors";
import { FormDecodeError, decodeForm, fromJson, type ParamObject } from "./form";
import { beginIdempotent, finishIdempotent } from "./idempotency";
import { newId, newRequestId, toUnix } from "./ids";
import { authenticatePaymentIntent } from "./payment-intents";
import { failRefund, type RefundFailureReason } from "./refunds";
import { disputeCharge, payOut, resetBooks } from "./balance";
import { snapshot, Store, type DeliveryRecord } from "./store";
import { accountId, accountIdForKey, configureAccount, setAccountId } from "./account";
import { resetReceipts, sentReceipts, type SentReceipt } from "./receipts";
import { registeredPaymentMethodDomains, resetPaymentMethodDomains, setWalletStatus, type DomainWallet } from "./payment-method-domains";
import { WebhookDeliverer, type PauseMode, type WebhookEndpoint } from "./webhooks";

export { API_VERSION } from "./context";
export type { WebhookEndpoint, PauseMode } from "./webhooks";
export type { DeliveryRecord } from "./store";
export type { SentReceipt } from "./receipts";
export type { DomainWallet } from "./payment-method-domains";

export interface StripeEmulatorOptions {
  /** 0 / undefined = ephemeral. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted Bearer key for server calls. Default "sk_test_emulator". */
  secretKey?: string;
  /** Accepted for client-side calls (confirm / retrieve with client_secret, create PaymentMethod). Default "pk_test_emulator". */
  publishableKey?: string;
  /** Endpoints to deliver signed events to; can be changed at runtime. */
  webhooks?: WebhookEndpoint[];
  log?: (line: string) => void;
  /** Delays before each webhook retry (attempts = length + 1). Default [500, 1000, 2000, 4000]. */
  webhookRetryDelaysMs?: number[];
  /** Per-attempt webhook timeout. Default 10 000 ms. */
  webhookTimeoutMs?: number;
  /** Base URL browsers reach the emulator at (3DS pages), if not `url`. */
  publicUrl?: string;
  /** Clock in ms for `created` timestamps and idempotency expiry (tests). Default Date.now. */
  now?: () => number;
  /** The account's card statement descriptor prefix (2–10 characters). Default "EMULATOR". */
  statementDescriptorPrefix?: string;
  /** The account's id (`GET /v1/account`). Default: one per secret key (account.ts), so the same key is the same account. */
  accountId?: string;
}

export interface StripeEmulator {
  /** e.g. http://127.0.0.1:54321 */
  url: string;
  port: number;
  /** The emulated account's id, as `GET /v1/account` (`stripe.accounts.retrieveCurrent()`) answers it. */
  accountId: string;
  setWebhookEndpoints(endpoints: WebhookEndpoint[]): void;
  webhookEndpoints(): WebhookEndpoint[];
  /** Snapshots, oldest first. */
  paymentIntents(): Stripe.PaymentIntent[];
  charges(): Stripe.Charge[];
  refunds(): Stripe.Refund[];
  events(): Stripe.Event[];
  deliveries(): DeliveryRecord[];
  /**
   * While paused, events are recorded but not sent. mode "hold" (default): they
   * are sent when deliveries resume (an endpoint that was down); "drop": never
   * sent (lost webhooks; `resendEvent` can still deliver them).
   */
  pauseDeliveries(paused: boolean, mode?: PauseMode): void;
  /** Resolves when every queued delivery attempt (retries included) has finished. */
  flushDeliveries(): Promise<void>;
  /** Resolve a `requires_action` PaymentIntent as the payer would on the 3DS page. */
  authenticate(paymentIntentId: string, outcome: "complete" | "fail"): Stripe.PaymentIntent;
  /** A pending or succeeded refund fails later, as Stripe reports it (default reason "unknown"). */
  failRefund(refundId: string, reason?: RefundFailureReason): Stripe.Refund;
  /** The payer's bank disputes a captured charge (default: all of what is left of it, reason "fraudulent"). */
  disputeCharge(chargeId: string, opts?: { amount?: number; reason?: string }): Stripe.Dispute;
  /** An automatic payout of every balance transaction not yet paid out, one per currency (arrival: now, or as given in unix seconds). */
  payOut(opts?: { arrivalDate?: number }): Stripe.Payout[];
  /** Deliver an existing event again (to all endpoints, or only `url`). Returns the number of endpoints. */
  resendEvent(eventId: string, url?: string): number;
  /** The receipts Stripe would have e-mailed (receipts.ts), oldest first. */
  sentReceipts(): SentReceipt[];
  /** Payment method domains registered through the API, oldest first. */
  paymentMethodDomains(): Stripe.PaymentMethodDomain[];
  /** A later check by Stripe finds a wallet inactive (or active) on a payment method domain. */
  setWalletStatus(id: string, wallet: DomainWallet, status: "active" | "inactive", errorMessage?: string): Stripe.PaymentMethodDomain;
  /**
   * The secret key is rolled in the Dashboard (or revoked): from now on every call with it is refused with 401
   * "Expired API Key provided", as Stripe refuses it. The publishable key keeps working.
   */
  expireSecretKey(): void;
  /** Forget all objects, events, deliveries and idempotency keys, and resume deliveries (endpoints are kept). */
  reset(): void;
  close(): Promise<void>;
}

const CORS_HEADERS: Record<string, string> = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "authorization, content-type, stripe-version, idempotency-key, stripe-account, x-stripe-client-user-agent",
  "Access-Control-Expose-Headers":
    "Request-Id, Stripe-Manage-Version, Stripe-Should-Retry, Idempotent-Replayed, Original-Request, Idempotency-Key, X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required",
  "Access-Control-Max-Age": "300",
};

const MAX_BODY_BYTES = 1024 * 1024;

/** `sk_test_********************ator`: how Stripe echoes a wrong key. */
function maskKey(key: string): string {
  const m = /^([a-z]{2,4}_(?:test|live)_)(.*)$/.exec(key);
  const prefix = m?.[1] ?? "";
  const rest = m?.[2] ?? key;
  if (rest.length <= 4) return prefix + "*".repeat(rest.length);
  return prefix + "*".repeat(rest.length - 4) + rest.slice(-4);
}

export interface ResponseSpec {
  status: number;
  headers?: Record<string, string>;
  body: string;
  contentType?: string;
}

/** Internal state shared by the HTTP layer and the controls. */
export class EmulatorCore {
  readonly store = new Store();
  readonly deliverer: WebhookDeliverer;
  baseUrl = "";
  readonly secretKey: string;
  /** Rolled or revoked: refused from now on (`expireSecretKey`). */
  secretKeyExpired = false;
  readonly publishableKey: string;
  readonly nowMs: () => number;
  readonly log: (line: string) => void;

  constructor(opts: StripeEmulatorOptions) {
    this.secretKey = opts.secretKey ?? "sk_test_emulator";
    this.publishableKey = opts.publishableKey ?? "pk_test_emulator";
    this.nowMs = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.deliverer = new WebhookDeliverer(
      this.store,
      [],
      { retryDelaysMs: opts.webhookRetryDelaysMs, timeoutMs: opts.webhookTimeoutMs },
      (line) => this.log(`[stripe-emulator] ${line}`),
    );
    if (opts.webhooks) this.deliverer.setEndpoints(opts.webhooks);
    if (opts.statementDescriptorPrefix !== undefined) configureAccount(this.store, { statementDescriptorPrefix: opts.statementDescriptorPrefix });
    setAccountId(this.store, opts.accountId ?? accountIdForKey(this.secretKey));
  }

  makeCtx(keyKind: KeyKind, request: { id: string | null; idempotency_key: string | null }): Ctx {
    const ctx: Ctx = {
      store: this.store,
      nowMs: this.nowMs,
      now: () => toUnix(this.nowMs()),
      keyKind,
      request,
      baseUrl: this.baseUrl,
      emit: (type, object) => this.emit(type, object, request),
    };
    return ctx;
  }

  /** Every state change becomes an Event holding a snapshot of the object at that moment. */
  emit(type: string, object: { id: string }, request: { id: string | null; idempotency_key: string | null }): Stripe.Event {
    const event = {
      id: newId("evt"),
      object: "event",
      api_version: API_VERSION,
      created: toUnix(this.nowMs()),
      data: { object: snapshot(object) },
      livemode: false,
      pending_webhooks: this.deliverer.countEndpoints(type),
      request: { ...request },
      type,
    } as unknown as Stripe.Event;
    this.store.events.set(event.id, event);
    this.deliverer.enqueue(event);
    return event;
  }

  authenticate(id: string, outcome: "complete" | "fail"): Stripe.PaymentIntent {
    const ctx = this.makeCtx("control", { id: null, idempotency_key: null });
    return snapshot(authenticatePaymentIntent(ctx, id, outcome).pi);
  }

  failRefund(id: string, reason?: RefundFailureReason): Stripe.Refund {
    const ctx = this.makeCtx("control", { id: null, idempotency_key: null });
    return snapshot(failRefund(ctx, id, reason));
  }

  disputeCharge(chargeId: string, opts?: { amount?: number; reason?: string }): Stripe.Dispute {
    const ctx = this.makeCtx("control", { id: null, idempotency_key: null });
    return snapshot(disputeCharge(ctx, chargeId, opts));
  }

  payOut(opts?: { arrivalDate?: number }): Stripe.Payout[] {
    const ctx = this.makeCtx("control", { id: null, idempotency_key: null });
    return payOut(ctx, opts);
  }

  resend(eventId: string, url?: string): number {
    const event = this.store.events.get(eventId);
    if (!event) throw invalidRequest(`No such event: '${eventId}'`, { code: "resource_missing", status: 404, param: "id" });
    if (url !== undefined && !this.deliverer.getEndpoints().some((e) => e.url === url)) {
      throw invalidRequest(`No webhook endpoint with url ${url}`, { param: "url" });
    }
    return this.deliverer.enqueue(event, url);
  }

  reset(): void {
    this.deliverer.reset();
    this.store.reset();
    resetBooks(this.store);
    resetReceipts(this.store);
    resetPaymentMethodDomains(this.store);
  }

  state() {
    return {
      paymentIntents: [...this.store.paymentIntents.values()].map((r) => snapshot(r.pi)),
      charges: [...this.store.charges.values()].map((c) => snapshot(c)),
      refunds: [...this.store.refunds.values()].map((r) => snapshot(r)),
      paymentMethods: [...this.store.paymentMethods.values()].map((r) => snapshot(r.pm)),
      events: [...this.store.events.values()].map((e) => snapshot(e)),
      deliveries: this.store.deliveries.map((d) => ({ ...d })),
      webhooks: { endpoints: this.deliverer.getEndpoints(), ...this.deliverer.isPaused() },
    };
  }

  /** One `/v1` API request, already read. */
  handleApi(method: string, path: string, query: string, headers: http.IncomingHttpHeaders, rawBody: string): ResponseSpec {
    const requestId = newRequestId();
    const idempotencyKey = method === "POST" ? (headerValue(headers, "idempotency-key") ?? null) : null;
    const responseHeaders: Record<string, string> = {
      "Request-Id": requestId,
      "Stripe-Version": headerValue(headers, "stripe-version") ?? API_VERSION,
    };
    if (idempotencyKey) responseHeaders["Idempotency-Key"] = idempotencyKey;
    const errorResponse = (err: StripeApiError): ResponseSpec => ({
      status: err.status,
      headers: responseHeaders,
      body: JSON.stringify(
        { error: { ...err.body, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}?t=${toUnix(this.nowMs())}` } },
        null,
        2,
      ),
    });

    try {
      // 1. Parameters: query string, plus the form (or JSON) body for POST.
      let params: ParamObject;
      try {
        params = decodeForm(query);
        if (method === "POST" && rawBody) {
          const type = headerValue(headers, "content-type") ?? "";
          const body = type.includes("application/json") ? fromJson(JSON.parse(rawBody)) : decodeForm(rawBody);
          if (typeof body !== "object" || Array.isArray(body)) throw new FormDecodeError("Invalid request body");
          params = { ...params, ...body };
        }
      } catch (err) {
        if (err instanceof FormDecodeError || err instanceof SyntaxError) {
          throw invalidRequest(`Invalid request: ${(err as Error).message}`);
        }
        throw err;
      }

      // 2. Authentication: `Authorization: Bearer <key>` (or Basic), or Stripe.js's `key` parameter.
      const key = this.apiKeyFrom(headers, params);
      delete params["key"];
      const keyKind: KeyKind = key === this.secretKey ? "secret" : "publishable";

      // 3. Route.
      const matched = matchRoute(method, path);
      if (!matched || "methodMismatch" in matched) {
        throw invalidRequest(
          `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          { status: 404 },
        );
      }
      if (keyKind === "publishable" && !matched.route.publishable) {
        throw invalidRequest(
          "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.",
          { status: 401 },
        );
      }

      // 4. Idempotency (POST only).
      let entry: ReturnType<typeof beginIdempotent> | undefined;
      if (idempotencyKey) {
        entry = beginIdempotent(this.store, {
          scope: key,
          key: idempotencyKey,
          method,
          path,
          params,
          nowMs: this.nowMs(),
          requestId,
        });
        if (entry.kind === "replay") {
          return {
            status: entry.response.status,
            headers: { ...responseHeaders, "Idempotent-Replayed": "true", "Original-Request": entry.entry.requestId },
            body: entry.response.body,
          };
        }
      }

      // 5. Execute (synchronously: concurrent requests cannot interleave inside a handler).
      const ctx = this.makeCtx(keyKind, { id: requestId, idempotency_key: idempotencyKey });
      let response: ResponseSpec;
      let save = true;
      try {
        const result = matched.route.handle(ctx, params, matched.ids);
        response = { status: 200, headers: responseHeaders, body: JSON.stringify(result, null, 2) };
      } catch (err) {
        if (!(err instanceof StripeApiError)) {
          if (entry?.kind === "proceed") finishIdempotent(this.store, entry.entry, { status: 500, body: "" }, false);
          throw err;
        }
        save = err.idempotentSave;
        response = errorResponse(err);
      }
      if (entry?.kind === "proceed") finishIdempotent(this.store, entry.entry, { status: response.status, body: response.body }, save);
      return response;
    } catch (err) {
      if (err instanceof StripeApiError) return errorResponse(err);
      this.log(`[stripe-emulator] internal error on ${method} ${path}: ${(err as Error).stack ?? String(err)}`);
      return errorResponse(
        new StripeApiError(500, { type: "api_error", message: `An unknown error occurred in the Stripe emulator: ${(err as Error).message}` }),
      );
    }
  }

  private apiKeyFrom(headers: http.IncomingHttpHeaders, params: ParamObject): string {
    const auth = headerValue(headers, "authorization");
    let key: string | undefined;
    if (auth) {
      const [scheme, value = ""] = auth.trim().split(/\s+/, 2);
      if (scheme?.toLowerCase() === "bearer") key = value;
      else if (scheme?.toLowerCase() === "basic") key = Buffer.from(value, "base64").toString("utf8").split(":")[0] ?? "";
      else key = auth.trim();
    } else if (typeof params["key"] === "string") {
      key = params["key"];
    }
    if (!key) {
      throw invalidRequest(
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
        { status: 401 },
      );
    }
    if (key !== this.secretKey && key !== this.publishableKey) {
      throw invalidRequest(`Invalid API Key provided: ${maskKey(key)}`, { status: 401 });
    }
    if (key === this.secretKey && this.secretKeyExpired) {
      throw invalidRequest(`Expired API Key provided: ${maskKey(key)}`, { status: 401 });
    }
    return key;
  }
}

function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export async function startStripeEmulator(opts: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const core = new EmulatorCore(opts);
  const host = opts.host ?? "127.0.0.1";

  const server = http.createServer((req, res) => {
    void (async () => {
      const method = (req.method ?? "GET").toUpperCase();
      const rawUrl = req.url ?? "/";
      const qIndex = rawUrl.indexOf("?");
      const path = qIndex < 0 ? rawUrl : rawUrl.slice(0, qIndex);
      const query = qIndex < 0 ? "" : rawUrl.slice(qIndex + 1);
      const send = (spec: ResponseSpec) => {
        res.writeHead(spec.status, {
          ...CORS_HEADERS,
          "Content-Type": spec.contentType ?? "application/json",
          "Cache-Control": "no-cache, no-store",
          ...spec.headers,
        });
        res.end(spec.body);
      };
      try {
        if (method === "OPTIONS") {
          const requested = req.headers["access-control-request-headers"];
          res.writeHead(204, {
            ...CORS_HEADERS,
            ...(requested ? { "Access-Control-Allow-Headers": `${CORS_HEADERS["Access-Control-Allow-Headers"]}, ${requested}` } : {}),
          });
          res.end();
          return;
        }
        const body = await readBody(req);
        if (body === null) {
          send({ status: 413, body: JSON.stringify({ error: { type: "invalid_request_error", message: "Request body too large." } }) });
          return;
        }
        if (path.startsWith("/_emulator/") || path === "/_emulator") {
          const spec = await handleControl(core, method, path, query, req.headers, body);
          core.log(`[stripe-emulator] ${method} ${path} ${spec.status}`);
          send(spec);
          return;
        }
        const spec = core.handleApi(method, path, query, req.headers, body);
        core.log(`[stripe-emulator] ${method} ${path} ${spec.status} ${spec.headers?.["Request-Id"] ?? ""}`);
        send(spec);
      } catch (err) {
        core.log(`[stripe-emulator] ${method} ${path} failed: ${(err as Error).stack ?? String(err)}`);
        if (!res.headersSent) send({ status: 500, body: JSON.stringify({ error: { type: "api_error", message: String(err) } }) });
        else res.end();
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  core.baseUrl = (opts.publicUrl ?? url).replace(/\/$/, "");

  let closed = false;
  return {
    url,
    port,
    accountId: accountId(core.store),
    setWebhookEndpoints: (endpoints) => core.deliverer.setEndpoints(endpoints),
    webhookEndpoints: () => core.deliverer.getEndpoints(),
    paymentIntents: () => [...core.store.paymentIntents.values()].map((r) => snapshot(r.pi)),
    charges: () => [...core.store.charges.values()].map((c) => snapshot(c)),
    refunds: () => [...core.store.refunds.values()].map((r) => snapshot(r)),
    events: () => [...core.store.events.values()].map((e) => snapshot(e)),
    deliveries: () => core.store.deliveries.map((d) => ({ ...d })),
    pauseDeliveries: (paused, mode = "hold") => core.deliverer.pause(paused, mode),
    flushDeliveries: () => core.deliverer.flush(),
    authenticate: (id, outcome) => core.authenticate(id, outcome),
    failRefund: (id, reason) => core.failRefund(id, reason),
    disputeCharge: (id, opts) => core.disputeCharge(id, opts),
    payOut: (opts) => core.payOut(opts),
    resendEvent: (id, url) => core.resend(id, url),
    sentReceipts: () => sentReceipts(core.store),
    paymentMethodDomains: () => registeredPaymentMethodDomains(core.store),
    setWalletStatus: (id, wallet, status, errorMessage) => setWalletStatus(core.store, id, wallet, status, errorMessage),
    expireSecretKey: () => {
      core.secretKeyExpired = true;
    },
    reset: () => core.reset(),
    close: async () => {
      if (closed) return;
      closed = true;
      core.deliverer.reset();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
