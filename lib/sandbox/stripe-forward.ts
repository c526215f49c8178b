// The sandbox's browser-to-emulator bridge: /sandbox/stripe-api/<path> forwards exactly the three calls the
// sandbox Stripe.js makes to the Stripe emulator (STRIPE_API_URL), and nothing else:
//
//   POST /v1/payment_intents/:id/confirm                  form body with client_secret (Stripe.js's confirm)
//   GET  /v1/payment_intents/:id?client_secret=...        (Stripe.js's retrieve)
//   POST /_emulator/payment_intents/:id/authenticate      {"outcome": "complete"|"fail", "client_secret": ...}
//
// Every forwarded call carries the configured publishable key (whatever `key` the browser sent is replaced, so a
// secret key can never be smuggled through) and must name the PaymentIntent's client secret; the 3-D Secure
// control, which the emulator leaves unauthenticated, is only passed on after the client secret was checked.
// Only the route handler in app/sandbox/stripe-api calls this, and only in sandbox mode.
import { logger } from "../logging/logger";
import { isPayloadTooLarge, readBodyText } from "../http/body";

export type ForwardKind = "confirm" | "retrieve" | "authenticate";

export interface ForwardRoute {
  kind: ForwardKind;
  paymentIntentId: string;
}

const PAYMENT_INTENT_ID = /^pi_[A-Za-z0-9]{1,64}$/;
export const MAX_FORWARD_BODY_BYTES = 16 * 1024;

/** Which allowed call a method and path (the segments after /sandbox/stripe-api/) are, or null. */
export function matchForwardRoute(method: string, segments: readonly string[]): ForwardRoute | null {
  const m = method.toUpperCase();
  const [a, b, id, action, ...rest] = segments;
  if (rest.length > 0 || b !== "payment_intents" || id === undefined || !PAYMENT_INTENT_ID.test(id)) return null;
  if (a === "v1" && action === undefined && m === "GET") return { kind: "retrieve", paymentIntentId: id };
  if (a === "v1" && action === "confirm" && m === "POST") return { kind: "confirm", paymentIntentId: id };
  if (a === "_emulator" && action === "authenticate" && m === "POST") return { kind: "authenticate", paymentIntentId: id };
  return null;
}

export interface UpstreamRequest {
  method: "GET" | "POST";
  /** Path and query, relative to STRIPE_API_URL. */
  path: string;
  contentType?: string;
  body?: string;
}

export type ForwardPlan =
  | { ok: true; verify?: UpstreamRequest; request: UpstreamRequest }
  | { ok: false; status: number; message: string; param?: string };

export interface IncomingCall {
  /** The query string without "?". */
  query: string;
  contentType: string;
  body: string;
}

function reject(message: string, param?: string): ForwardPlan {
  return { ok: false, status: 400, message, ...(param ? { param } : {}) };
}

function withKey(params: URLSearchParams, publishableKey: string): URLSearchParams {
  const out = new URLSearchParams();
  for (const [k, v] of params) if (k !== "key") out.append(k, v);
  out.set("key", publishableKey);
  return out;
}

/** The upstream request(s) for an allowed call, or why it is refused. Pure. */
export function planForward(route: ForwardRoute, call: IncomingCall, publishableKey: string): ForwardPlan {
  const id = encodeURIComponent(route.paymentIntentId);
  switch (route.kind) {
    case "retrieve": {
      const params = new URLSearchParams(call.query);
      if (!params.get("client_secret")) return reject("Missing required param: client_secret.", "client_secret");
      return { ok: true, request: { method: "GET", path: `/v1/payment_intents/${id}?${withKey(params, publishableKey)}` } };
    }
    case "confirm": {
      if (!/^application\/x-www-form-urlencoded\b/i.test(call.contentType.trim())) {
        return reject("Confirm takes an application/x-www-form-urlencoded body.");
      }
      const params = new URLSearchParams(call.body);
      if (!params.get("client_secret")) return reject("Missing required param: client_secret.", "client_secret");
      return {
        ok: true,
        request: {
          method: "POST",
          path: `/v1/payment_intents/${id}/confirm`,
          contentType: "application/x-www-form-urlencoded",
          body: withKey(params, publishableKey).toString(),
        },
      };
    }
    case "authenticate": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(call.body);
      } catch {
        return reject("Authenticate takes a JSON body: {\"outcome\": \"complete\"|\"fail\", \"client_secret\": \"...\"}.");
      }
      const body = (parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>;
      const outcome = body["outcome"];
      if (outcome !== "complete" && outcome !== "fail") return reject('`outcome` must be "complete" or "fail".', "outcome");
      const clientSecret = body["client_secret"];
      if (typeof clientSecret !== "string" || clientSecret === "") return reject("Missing required param: client_secret.", "client_secret");
      const check = new URLSearchParams({ key: publishableKey, client_secret: clientSecret });
      return {
        ok: true,
        verify: { method: "GET", path: `/v1/payment_intents/${id}?${check}` },
        request: {
          method: "POST",
          path: `/_emulator/payment_intents/${id}/authenticate`,
          contentType: "application/json",
          body: JSON.stringify({ outcome }),
        },
      };
    }
  }
}

export interface ForwardSettings {
  /** STRIPE_API_URL: the Stripe emulator. */
  apiUrl: string;
  publishableKey: string;
  timeoutMs?: number;
}

function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

function stripeError(status: number, type: string, message: string, param?: string): Response {
  return json(status, { error: { type, message, ...(param ? { param } : {}) } });
}

async function send(settings: ForwardSettings, upstream: UpstreamRequest): Promise<{ status: number; text: string }> {
  const response = await fetch(`${settings.apiUrl.replace(/\/+$/, "")}${upstream.path}`, {
    method: upstream.method,
    headers: {
      accept: "application/json",
      ...(upstream.contentType ? { "content-type": upstream.contentType } : {}),
    },
    ...(upstream.body !== undefined ? { body: upstream.body } : {}),
    signal: AbortSignal.timeout(settings.timeoutMs ?? 15_000),
    redirect: "manual",
    cache: "no-store",
  });
  return { status: response.status, text: await response.text() };
}

/** Answers one browser call: forwards it if allowed (Stripe-shaped JSON either way). */
export async function forwardSandboxStripeRequest(request: Request, segments: readonly string[], settings: ForwardSettings): Promise<Response> {
  const route = matchForwardRoute(request.method, segments);
  if (!route) {
    return stripeError(404, "invalid_request_error", `Unrecognized request URL (${request.method}: /${segments.join("/")}).`);
  }
  let body = "";
  try {
    if (request.method !== "GET") body = await readBodyText(request, MAX_FORWARD_BODY_BYTES);
  } catch (error) {
    if (isPayloadTooLarge(error)) return stripeError(413, "invalid_request_error", "Request body too large.");
    throw error;
  }

  const plan = planForward(
    route,
    { query: new URL(request.url).search.replace(/^\?/, ""), contentType: request.headers.get("content-type") ?? "", body },
    settings.publishableKey,
  );
  if (!plan.ok) return stripeError(plan.status, "invalid_request_error", plan.message, plan.param);

  try {
    if (plan.verify) {
      const checked = await send(settings, plan.verify);
      if (checked.status !== 200) return passThrough(checked);
    }
    const answer = await send(settings, plan.request);
    if (route.kind === "authenticate" && answer.status === 200) {
      // The control answers with the secret-key view of the PaymentIntent: the browser gets only its status.
      const pi = JSON.parse(answer.text) as { id?: unknown; status?: unknown };
      return json(200, { id: pi.id, object: "payment_intent", status: pi.status });
    }
    return passThrough(answer);
  } catch (error) {
    logger.error({ err: error }, "sandbox: the Stripe emulator could not be reached");
    return stripeError(502, "api_connection_error", "The sandbox could not reach its Stripe emulator. Is `npm run demo` still running?");
  }
}

function passThrough(answer: { status: number; text: string }): Response {
  try {
    return json(answer.status, JSON.parse(answer.text));
  } catch {
    return stripeError(502, "api_error", `The Stripe emulator answered HTTP ${answer.status} without JSON.`);
  }
}
