/**
 * Webhook endpoints (`/v1/webhook_endpoints`) and the account balance (`/v1/balance`): just enough for a
 * dealer console to register its endpoint through the API and to check that a key works.
 * Endpoints created here are recorded and listed (the signing secret only in the create response, as
 * Stripe does); deliveries still go to the endpoints given to the emulator (`webhooks` option,
 * `/_emulator/webhooks`).
 */
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { invalidRequest, resourceMissing } from "./errors";
import type { ParamObject } from "./form";
import { newId, randomAlnum } from "./ids";
import { applyMetadata, assertAllowed, expandParam, listParams, optString, optStringArray, reqString } from "./params";
import { paginate } from "./render";
import { snapshot, type Store } from "./store";

const endpointsByStore = new WeakMap<Store, Map<string, Stripe.WebhookEndpoint>>();

function endpoints(store: Store): Map<string, Stripe.WebhookEndpoint> {
  let m = endpointsByStore.get(store);
  if (!m) endpointsByStore.set(store, (m = new Map()));
  return m;
}

/** Endpoints registered through the API, oldest first (with their secrets: for the emulator's own tests). */
export function registeredWebhookEndpoints(store: Store): Stripe.WebhookEndpoint[] {
  return [...endpoints(store).values()].map((e) => snapshot(e));
}

function withoutSecret(e: Stripe.WebhookEndpoint): Stripe.WebhookEndpoint {
  const { secret: _secret, ...rest } = snapshot(e);
  void _secret;
  return rest as Stripe.WebhookEndpoint;
}

export function createWebhookEndpoint(ctx: Ctx, params: ParamObject): Stripe.WebhookEndpoint {
  assertAllowed(params, ["url", "enabled_events", "description", "metadata", "api_version", "connect", "expand"]);
  expandParam(params, []);
  const url = reqString(params, "url");
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidRequest("Invalid URL: URL must be publicly accessible.", { param: "url", code: "url_invalid" });
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw invalidRequest("Invalid URL: URL must be publicly accessible.", { param: "url", code: "url_invalid" });
  }
  const events = optStringArray(params, "enabled_events");
  if (!events || events.length === 0) throw invalidRequest("Missing required param: enabled_events.", { param: "enabled_events", code: "parameter_missing" });
  const endpoint = {
    id: newId("we"),
    object: "webhook_endpoint",
    api_version: optString(params, "api_version") ?? null,
    application: null,
    created: ctx.now(),
    description: optString(params, "description") ?? null,
    enabled_events: events,
    livemode: false,
    metadata: applyMetadata(params, {}) ?? {},
    secret: `whsec_${randomAlnum(32)}`,
    status: "enabled",
    url,
  } as unknown as Stripe.WebhookEndpoint;
  endpoints(ctx.store).set(endpoint.id, endpoint);
  return snapshot(endpoint);
}

export function listWebhookEndpoints(ctx: Ctx, params: ParamObject) {
  assertAllowed(params, ["limit", "starting_after", "ending_before", "expand"]);
  const page = listParams(params);
  const items = [...endpoints(ctx.store).values()].reverse().map(withoutSecret);
  return paginate(items, page, "/v1/webhook_endpoints", (id) => resourceMissing("webhook_endpoint", id, "starting_after"));
}

export function retrieveWebhookEndpoint(ctx: Ctx, id: string): Stripe.WebhookEndpoint {
  const e = endpoints(ctx.store).get(id);
  if (!e) throw resourceMissing("webhook_endpoint", id, "id");
  return withoutSecret(e);
}

export function deleteWebhookEndpoint(ctx: Ctx, id: string) {
  if (!endpoints(ctx.store).delete(id)) throw resourceMissing("webhook_endpoint", id, "id");
  return { id, object: "webhook_endpoint", deleted: true };
}

/** The balance: what succeeded charges brought in, less refunds, per currency, all available at once. */
export function retrieveBalance(ctx: Ctx, params: ParamObject): Stripe.Balance {
  assertAllowed(params, ["expand"]);
  expandParam(params, []);
  const byCurrency = new Map<string, number>();
  for (const ch of ctx.store.charges.values()) {
    if (ch.status !== "succeeded") continue;
    byCurrency.set(ch.currency, (byCurrency.get(ch.currency) ?? 0) + (ch.amount_captured ?? 0) - (ch.amount_refunded ?? 0));
  }
  if (byCurrency.size === 0) byCurrency.set("usd", 0);
  const funds = [...byCurrency.entries()].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
  return {
    object: "balance",
    available: funds,
    pending: funds.map((f) => ({ ...f, amount: 0, source_types: { card: 0 } })),
    livemode: false,
  } as unknown as Stripe.Balance;
}
