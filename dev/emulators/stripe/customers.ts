/**
 * Customers and saved cards, as Stripe runs them for off-session payments:
 *
 *   POST /v1/customers, GET /v1/customers/:id, POST /v1/customers/:id (update)
 *   GET  /v1/payment_methods?customer=cus_...&type=card   (also GET /v1/customers/:id/payment_methods)
 *   POST /v1/payment_methods/:id/attach {customer}, POST /v1/payment_methods/:id/detach
 *
 * A PaymentIntent with `customer` and `setup_future_usage` attaches its payment method to that customer when a
 * confirmation succeeds (status succeeded or requires_capture): the PaymentMethod then has `customer` set and
 * stays valid for any number of later charges (a decline clears the PaymentIntent's `payment_method`, never the
 * saved PaymentMethod). Stripe's checks on using a saved card are kept: a PaymentMethod attached to a customer
 * can only be used on a PaymentIntent of that same customer.
 *
 * 3-D Secure off-session (see cards.ts): 4000 0027 6000 3184 asks for authentication on every payment, so an
 * off-session charge declines with `authentication_required`; 4000 0025 0000 3155 asks for it on-session only
 * until it has been set up for future use (`setup_future_usage=off_session`), after which off-session charges
 * go through without authentication, as Stripe documents.
 */
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { invalidRequest, resourceMissing } from "./errors";
import type { ParamObject } from "./form";
import { newId } from "./ids";
import { applyMetadata, assertAllowed, expandParam, listParams, optString, optStringArray, reqString } from "./params";
import { retrievePaymentMethod } from "./payment-methods";
import { paginate } from "./render";
import { snapshot, type PaymentIntentRecord, type PaymentMethodRecord, type Store } from "./store";

// Kept beside the store (like webhook-endpoints.ts) rather than in it; cleared with it by `resetCustomers`.
const customersByStore = new WeakMap<Store, Map<string, Stripe.Customer>>();
/** PaymentMethods set up for off-session use by a successful `setup_future_usage=off_session` confirmation. */
const offSessionReady = new WeakSet<PaymentMethodRecord>();

function customers(store: Store): Map<string, Stripe.Customer> {
  let m = customersByStore.get(store);
  if (!m) customersByStore.set(store, (m = new Map()));
  return m;
}

/** For the emulator's reset (store.reset() does not know about customers). */
export function resetCustomers(store: Store): void {
  customers(store).clear();
}

/** The stored customer (not a copy), or undefined. */
export function customerById(store: Store, id: string): Stripe.Customer | undefined {
  return customers(store).get(id);
}

/**
 * `preferred_locales`: IETF language tags ("de", "en-GB", "es-419", "zh-Hant"), in order of preference; Stripe
 * writes the customer's e-mails (receipts, invoices) in the first one it supports. An empty value clears them.
 */
function readPreferredLocales(params: ParamObject): string[] | undefined {
  const list = optStringArray(params, "preferred_locales");
  if (list === undefined) return undefined;
  list.forEach((tag, i) => {
    if (!/^[a-z]{2,3}(-([A-Z]{2}|\d{3}|[A-Z][a-z]{3}))?$/.test(tag)) {
      throw invalidRequest(`Invalid locale: ${tag}. Use an IETF language tag such as "de" or "en-GB".`, { param: `preferred_locales[${i}]` });
    }
  });
  return list;
}

/** Stripe's check of a customer's e-mail (400 `email_invalid`); "" clears it. */
function readCustomerEmail(params: ParamObject): string | null | undefined {
  const v = optString(params, "email");
  if (v === undefined) return undefined;
  if (v === "") return null;
  if (v.length > 512 || !/^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(v)) throw invalidRequest(`Invalid email address: ${v}`, { param: "email", code: "email_invalid" });
  return v;
}

export function getCustomer(ctx: Ctx, id: string, param = "customer"): Stripe.Customer {
  const c = customers(ctx.store).get(id);
  if (!c) throw resourceMissing("customer", id, param);
  return c;
}

export function createCustomer(ctx: Ctx, params: ParamObject): Stripe.Customer {
  assertAllowed(params, ["email", "name", "description", "metadata", "phone", "preferred_locales", "expand"]);
  expandParam(params, []);
  const email = readCustomerEmail(params) ?? null;
  const preferredLocales = readPreferredLocales(params) ?? [];
  const customer = {
    id: newId("cus", 14),
    object: "customer",
    address: null,
    balance: 0,
    created: ctx.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: optString(params, "description") || null,
    email,
    invoice_prefix: null,
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: applyMetadata(params, {}) ?? {},
    name: optString(params, "name") || null,
    phone: optString(params, "phone") || null,
    preferred_locales: preferredLocales,
    shipping: null,
    tax_exempt: "none",
    test_clock: null,
  } as unknown as Stripe.Customer;
  customers(ctx.store).set(customer.id, customer);
  ctx.emit("customer.created", customer);
  return snapshot(customer);
}

/** `POST /v1/customers/:id`: the fields the gateway sets (and a few more), each only when given. */
export function updateCustomer(ctx: Ctx, id: string, params: ParamObject): Stripe.Customer {
  assertAllowed(params, ["email", "name", "description", "metadata", "phone", "preferred_locales", "expand"]);
  expandParam(params, []);
  const customer = getCustomer(ctx, id, "id");
  const email = readCustomerEmail(params);
  const preferredLocales = readPreferredLocales(params);
  const metadata = applyMetadata(params, customer.metadata);
  if (email !== undefined) customer.email = email;
  if (preferredLocales !== undefined) customer.preferred_locales = preferredLocales;
  if (metadata) customer.metadata = metadata;
  for (const field of ["name", "description", "phone"] as const) {
    if (params[field] !== undefined) customer[field] = optString(params, field) || null;
  }
  ctx.emit("customer.updated", customer);
  return snapshot(customer);
}

export function retrieveCustomer(ctx: Ctx, id: string, params: ParamObject): Stripe.Customer {
  assertAllowed(params, ["expand"]);
  expandParam(params, []);
  return snapshot(getCustomer(ctx, id, "id"));
}

/** `GET /v1/payment_methods?customer=...&type=card`: the customer's saved PaymentMethods, newest first. */
export function listCustomerPaymentMethods(ctx: Ctx, params: ParamObject, customerFromPath?: string) {
  assertAllowed(params, ["customer", "type", "limit", "starting_after", "ending_before", "expand", "allow_redisplay"]);
  expandParam(params, []);
  const customer = customerFromPath ?? optString(params, "customer");
  // Stripe lists only a customer's (or a Treasury account's) PaymentMethods here.
  if (!customer) throw invalidRequest("You must provide a `customer` to list PaymentMethods.", { param: "customer", code: "parameter_missing" });
  getCustomer(ctx, customer);
  const type = optString(params, "type");
  const page = listParams(params);
  const items = [...ctx.store.paymentMethods.values()]
    .map((r) => r.pm)
    .filter((pm) => pm.customer === customer && (type === undefined || pm.type === type))
    .reverse();
  const url = customerFromPath ? `/v1/customers/${customer}/payment_methods` : "/v1/payment_methods";
  const result = paginate(items, page, url, (id) => resourceMissing("payment_method", id, "starting_after"));
  return { ...result, data: result.data.map((pm) => snapshot(pm)) };
}

export function attachPaymentMethod(ctx: Ctx, id: string, params: ParamObject): Stripe.PaymentMethod {
  assertAllowed(params, ["customer", "expand"]);
  expandParam(params, []);
  const customer = reqString(params, "customer");
  getCustomer(ctx, customer);
  const rec = retrievePaymentMethod(ctx, id);
  if (rec.pm.customer && rec.pm.customer !== customer) {
    throw invalidRequest(`The payment method you provided has already been attached to a customer.`, {
      param: "payment_method",
      code: "payment_method_unexpected_state",
    });
  }
  attach(ctx, rec, customer);
  return snapshot(rec.pm);
}

export function detachPaymentMethod(ctx: Ctx, id: string, params: ParamObject): Stripe.PaymentMethod {
  assertAllowed(params, ["expand"]);
  expandParam(params, []);
  const rec = retrievePaymentMethod(ctx, id);
  if (!rec.pm.customer) {
    throw invalidRequest(`The payment method you provided is not attached to a customer so detachment is impossible.`, {
      param: "payment_method",
      code: "payment_method_unexpected_state",
    });
  }
  rec.pm.customer = null;
  offSessionReady.delete(rec);
  ctx.emit("payment_method.detached", rec.pm);
  return snapshot(rec.pm);
}

function attach(ctx: Ctx, rec: PaymentMethodRecord, customer: string): void {
  if (rec.pm.customer === customer) return;
  rec.pm.customer = customer;
  ctx.emit("payment_method.attached", rec.pm);
}

/**
 * Called when a confirmation of `rec` succeeds with `pm`: with `customer` and `setup_future_usage` set, the
 * payment method is saved to the customer (and, for `off_session`, set up for off-session charges).
 */
export function saveForFutureUsage(ctx: Ctx, rec: PaymentIntentRecord, pm: PaymentMethodRecord): void {
  const { pi } = rec;
  const customer = typeof pi.customer === "string" ? pi.customer : (pi.customer?.id ?? null);
  if (!pi.setup_future_usage || !customer) return;
  attach(ctx, pm, customer);
  if (pi.setup_future_usage === "off_session") offSessionReady.add(pm);
}

/** Stripe's rules on paying with a saved PaymentMethod: it must belong to the PaymentIntent's customer. */
export function checkPaymentMethodCustomer(pi: Stripe.PaymentIntent, pm: PaymentMethodRecord): void {
  const owner = pm.pm.customer;
  if (!owner) return;
  const customer = typeof pi.customer === "string" ? pi.customer : (pi.customer?.id ?? null);
  if (!customer) {
    throw invalidRequest(
      "The provided PaymentMethod belongs to a Customer, but you did not provide the Customer. Please include the Customer in the `customer` parameter on the PaymentIntent.",
      { param: "payment_method", code: "payment_method_unexpected_state" },
    );
  }
  if (owner !== customer) {
    throw invalidRequest(`The provided PaymentMethod ${pm.pm.id} does not belong to the Customer ${customer}.`, {
      param: "payment_method",
      code: "payment_method_unexpected_state",
    });
  }
}

/** Whether this charge must be authenticated by the cardholder (3-D Secure). */
export function needsAuthentication(pm: PaymentMethodRecord, offSession: boolean): boolean {
  const { behaviour } = pm.card;
  if (behaviour.threeDS !== "required") return false;
  // 4000 0025 0000 3155: once set up for off-session use, off-session charges need no authentication.
  if (offSession && behaviour.setupSkipsAuthentication && offSessionReady.has(pm)) return false;
  return true;
}
