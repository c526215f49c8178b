/** The `/v1` route table: which handler serves which path, and what a publishable key may call. */
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { invalidRequest, resourceMissing } from "./errors";
import type { ParamObject } from "./form";
import { assertAllowed, createdFilter, expandParam, listParams, optBool, optString, optStringArray } from "./params";
import {
  cancelPaymentIntent,
  capturePaymentIntent,
  checkClientSecret,
  confirmPaymentIntent,
  createPaymentIntent,
  getPaymentIntent,
  listPaymentIntents,
  retrievePaymentIntent,
  searchPaymentIntents,
  updatePaymentIntent,
} from "./payment-intents";
import { createPaymentMethod, retrievePaymentMethod } from "./payment-methods";
import { CHARGE_EXPAND, getCharge, listCharges } from "./charges";
import { REFUND_EXPAND, createRefund, getRefund, listRefunds, updateRefund } from "./refunds";
import { paginate, piForCaller, renderCharge, renderRefund } from "./render";
import { snapshot } from "./store";
import { attachPaymentMethod, createCustomer, detachPaymentMethod, listCustomerPaymentMethods, retrieveCustomer, updateCustomer } from "./customers";
import { retrieveAccount } from "./account";
import { listBalanceTransactions, listDisputes, listPayouts, retrieveBalanceTransaction, retrieveDispute, retrievePayout } from "./balance";
import { updateCharge } from "./receipts";
import {
  createPaymentMethodDomain,
  listPaymentMethodDomains,
  retrievePaymentMethodDomain,
  updatePaymentMethodDomain,
  validatePaymentMethodDomain,
} from "./payment-method-domains";
import { createWebhookEndpoint, deleteWebhookEndpoint, listWebhookEndpoints, retrieveBalance, retrieveWebhookEndpoint } from "./webhook-endpoints";

export interface Route {
  method: "GET" | "POST" | "DELETE";
  pattern: RegExp;
  /** Callable with the publishable key (as Stripe.js does). */
  publishable?: boolean;
  handle(ctx: Ctx, params: ParamObject, ids: string[]): unknown;
}

const ID = "([^/]+)";

function expandOf(params: ParamObject): string[] {
  return optStringArray(params, "expand") ?? [];
}

export const ROUTES: Route[] = [
  {
    method: "POST",
    pattern: /^\/v1\/payment_intents$/,
    handle: (ctx, p) => piForCaller(ctx, createPaymentIntent(ctx, p).pi, expandOf(p)),
  },
  { method: "GET", pattern: /^\/v1\/payment_intents$/, handle: (ctx, p) => listPaymentIntents(ctx, p) },
  { method: "GET", pattern: /^\/v1\/payment_intents\/search$/, handle: (ctx, p) => searchPaymentIntents(ctx, p) },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/payment_intents/${ID}$`),
    publishable: true,
    handle: (ctx, p, [id]) => retrievePaymentIntent(ctx, id ?? "", p),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/payment_intents/${ID}$`),
    handle: (ctx, p, [id]) => piForCaller(ctx, updatePaymentIntent(ctx, id ?? "", p).pi, expandOf(p)),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/payment_intents/${ID}/confirm$`),
    publishable: true,
    handle: (ctx, p, [id]) => {
      const rec = getPaymentIntent(ctx, id ?? "");
      checkClientSecret(ctx, rec, p);
      return piForCaller(ctx, confirmPaymentIntent(ctx, rec, p).pi, expandOf(p));
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/payment_intents/${ID}/capture$`),
    handle: (ctx, p, [id]) => piForCaller(ctx, capturePaymentIntent(ctx, id ?? "", p).pi, expandOf(p)),
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/payment_intents/${ID}/cancel$`),
    handle: (ctx, p, [id]) => piForCaller(ctx, cancelPaymentIntent(ctx, id ?? "", p).pi, expandOf(p)),
  },
  { method: "GET", pattern: /^\/v1\/charges$/, handle: (ctx, p) => listCharges(ctx, p) },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/charges/${ID}$`),
    handle: (ctx, p, [id]) => {
      assertAllowed(p, ["expand"]);
      const expand = expandParam(p, CHARGE_EXPAND);
      return renderCharge(ctx.store, getCharge(ctx, id ?? ""), expand);
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/charges/${ID}$`),
    handle: (ctx, p, [id]) => renderCharge(ctx.store, updateCharge(ctx, getCharge(ctx, id ?? ""), p)),
  },
  {
    method: "POST",
    pattern: /^\/v1\/refunds$/,
    handle: (ctx, p) => renderRefund(ctx.store, createRefund(ctx, p), expandOf(p)),
  },
  { method: "GET", pattern: /^\/v1\/refunds$/, handle: (ctx, p) => listRefunds(ctx, p) },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/refunds/${ID}$`),
    handle: (ctx, p, [id]) => {
      assertAllowed(p, ["expand"]);
      const expand = expandParam(p, REFUND_EXPAND);
      return renderRefund(ctx.store, getRefund(ctx, id ?? ""), expand);
    },
  },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/refunds/${ID}$`),
    handle: (ctx, p, [id]) => renderRefund(ctx.store, updateRefund(ctx, id ?? "", p), expandOf(p)),
  },
  { method: "GET", pattern: /^\/v1\/events$/, handle: (ctx, p) => listEvents(ctx, p) },
  { method: "POST", pattern: /^\/v1\/webhook_endpoints$/, handle: (ctx, p) => createWebhookEndpoint(ctx, p) },
  { method: "GET", pattern: /^\/v1\/webhook_endpoints$/, handle: (ctx, p) => listWebhookEndpoints(ctx, p) },
  { method: "GET", pattern: new RegExp(`^/v1/webhook_endpoints/${ID}$`), handle: (ctx, _p, [id]) => retrieveWebhookEndpoint(ctx, id ?? "") },
  { method: "DELETE", pattern: new RegExp(`^/v1/webhook_endpoints/${ID}$`), handle: (ctx, _p, [id]) => deleteWebhookEndpoint(ctx, id ?? "") },
  { method: "GET", pattern: /^\/v1\/balance$/, handle: (ctx, p) => retrieveBalance(ctx, p) },
  // The account's books (balance.ts): balance transactions, payouts, disputes.
  { method: "GET", pattern: /^\/v1\/balance_transactions$/, handle: (ctx, p) => listBalanceTransactions(ctx, p) },
  { method: "GET", pattern: /^\/v1\/balance\/history$/, handle: (ctx, p) => listBalanceTransactions(ctx, p) },
  { method: "GET", pattern: new RegExp(`^/v1/balance_transactions/${ID}$`), handle: (ctx, p, [id]) => retrieveBalanceTransaction(ctx, id ?? "", p) },
  { method: "GET", pattern: /^\/v1\/payouts$/, handle: (ctx, p) => listPayouts(ctx, p) },
  { method: "GET", pattern: new RegExp(`^/v1/payouts/${ID}$`), handle: (ctx, p, [id]) => retrievePayout(ctx, id ?? "", p) },
  { method: "GET", pattern: /^\/v1\/disputes$/, handle: (ctx, p) => listDisputes(ctx, p) },
  { method: "GET", pattern: new RegExp(`^/v1/disputes/${ID}$`), handle: (ctx, p, [id]) => retrieveDispute(ctx, id ?? "", p) },
  { method: "GET", pattern: /^\/v1\/account$/, handle: (ctx, p) => retrieveAccount(ctx, p) },
  // Payment method domains (payment-method-domains.ts): where Elements may show wallets.
  { method: "POST", pattern: /^\/v1\/payment_method_domains$/, handle: (ctx, p) => createPaymentMethodDomain(ctx, p) },
  { method: "GET", pattern: /^\/v1\/payment_method_domains$/, handle: (ctx, p) => listPaymentMethodDomains(ctx, p) },
  { method: "GET", pattern: new RegExp(`^/v1/payment_method_domains/${ID}$`), handle: (ctx, p, [id]) => retrievePaymentMethodDomain(ctx, id ?? "", p) },
  { method: "POST", pattern: new RegExp(`^/v1/payment_method_domains/${ID}$`), handle: (ctx, p, [id]) => updatePaymentMethodDomain(ctx, id ?? "", p) },
  {
    method: "POST",
    pattern: new RegExp(`^/v1/payment_method_domains/${ID}/validate$`),
    handle: (ctx, p, [id]) => validatePaymentMethodDomain(ctx, id ?? "", p),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/events/${ID}$`),
    handle: (ctx, p, [id]) => {
      assertAllowed(p, ["expand"]);
      expandParam(p, []);
      const event = ctx.store.events.get(id ?? "");
      if (!event) throw resourceMissing("event", id ?? "", "id");
      return snapshot(event);
    },
  },
  {
    method: "POST",
    pattern: /^\/v1\/payment_methods$/,
    publishable: true,
    handle: (ctx, p) => {
      expandParam(p, []);
      const { expand: _e, ...data } = p;
      void _e;
      return snapshot(createPaymentMethod(ctx, data, "").pm);
    },
  },
  // Customers and saved cards (customers.ts).
  { method: "POST", pattern: /^\/v1\/customers$/, handle: (ctx, p) => createCustomer(ctx, p) },
  { method: "GET", pattern: new RegExp(`^/v1/customers/${ID}$`), handle: (ctx, p, [id]) => retrieveCustomer(ctx, id ?? "", p) },
  { method: "POST", pattern: new RegExp(`^/v1/customers/${ID}$`), handle: (ctx, p, [id]) => updateCustomer(ctx, id ?? "", p) },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/customers/${ID}/payment_methods$`),
    handle: (ctx, p, [id]) => listCustomerPaymentMethods(ctx, p, id ?? ""),
  },
  { method: "GET", pattern: /^\/v1\/payment_methods$/, handle: (ctx, p) => listCustomerPaymentMethods(ctx, p) },
  { method: "POST", pattern: new RegExp(`^/v1/payment_methods/${ID}/attach$`), handle: (ctx, p, [id]) => attachPaymentMethod(ctx, id ?? "", p) },
  { method: "POST", pattern: new RegExp(`^/v1/payment_methods/${ID}/detach$`), handle: (ctx, p, [id]) => detachPaymentMethod(ctx, id ?? "", p) },
  {
    method: "GET",
    pattern: new RegExp(`^/v1/payment_methods/${ID}$`),
    handle: (ctx, p, [id]) => {
      assertAllowed(p, ["expand"]);
      expandParam(p, []);
      return snapshot(retrievePaymentMethod(ctx, id ?? "").pm);
    },
  },
];

function listEvents(ctx: Ctx, params: ParamObject) {
  assertAllowed(params, ["limit", "starting_after", "ending_before", "created", "type", "types", "delivery_success", "expand"]);
  const page = listParams(params);
  const created = createdFilter(params);
  const type = optString(params, "type");
  const types = optStringArray(params, "types");
  if (type && types) throw invalidRequest("You may only specify one of these parameters: type, types.", { param: "types" });
  const deliverySuccess = optBool(params, "delivery_success");
  const matchType = (t: string) => {
    const patterns = types ?? (type ? [type] : undefined);
    if (!patterns) return true;
    return patterns.some((p) => (p.endsWith(".*") ? t.startsWith(p.slice(0, -1)) : p === t));
  };
  const items = [...ctx.store.events.values()]
    .reverse()
    .filter(
      (e) =>
        created(e.created) &&
        matchType(e.type) &&
        (deliverySuccess === undefined || (e.pending_webhooks === 0) === deliverySuccess),
    );
  const result = paginate(items, page, "/v1/events", (id) => resourceMissing("event", id, "starting_after"));
  return { ...result, data: result.data.map((e) => snapshot(e) as Stripe.Event) };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // an undecodable id simply matches nothing (404)
  }
}

export function matchRoute(method: string, path: string): { route: Route; ids: string[] } | { methodMismatch: true } | null {
  let pathMatched = false;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    return { route, ids: m.slice(1).map(safeDecode) };
  }
  return pathMatched ? { methodMismatch: true } : null;
}
