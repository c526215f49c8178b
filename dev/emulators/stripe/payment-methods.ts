/**
 * Card PaymentMethods: created from test tokens (`pm_card_visa` makes a new
 * `pm_...` each time it is used, as in Stripe) or from raw card details
 * (`payment_method_data[card][number]=...`, which Stripe.js sends).
 */
import type Stripe from "stripe";
import { TEST_PAYMENT_METHODS, cardFingerprint, describeCard, luhnValid, type TestCard } from "./cards";
import type { Ctx } from "./context";
import { cardError, invalidRequest, missingParam, resourceMissing } from "./errors";
import type { ParamObject } from "./form";
import { newId } from "./ids";
import { applyMetadata, assertAllowed, optObject, optString, reqString } from "./params";
import type { PaymentMethodRecord } from "./store";

/** Keys Stripe.js adds next to the card details; accepted and ignored. */
const STRIPE_JS_EXTRAS = [
  "payment_user_agent",
  "time_on_page",
  "guid",
  "muid",
  "sid",
  "referrer",
  "client_attribution_metadata",
  "radar_options",
  "allow_redisplay",
  "key",
  "_stripe_version",
  "_stripe_account",
];

function buildPaymentMethod(ctx: Ctx, card: TestCard, expMonth: number, expYear: number, extra: {
  billing?: Stripe.PaymentMethod.BillingDetails;
  metadata?: Record<string, string>;
  cvcProvided: boolean;
}): PaymentMethodRecord {
  const pm: Stripe.PaymentMethod = {
    id: newId("pm"),
    object: "payment_method",
    allow_redisplay: "unspecified",
    billing_details: extra.billing ?? emptyBilling(),
    card: {
      brand: card.brand,
      checks: {
        address_line1_check: null,
        address_postal_code_check: null,
        cvc_check: extra.cvcProvided ? "unchecked" : null,
      },
      country: card.country,
      display_brand: card.brand === "amex" ? "american_express" : card.brand,
      exp_month: expMonth,
      exp_year: expYear,
      fingerprint: cardFingerprint(card.number),
      funding: card.funding,
      generated_from: null,
      last4: card.number.slice(-4),
      networks: { available: [card.brand], preferred: null },
      regulated_status: "unregulated",
      three_d_secure_usage: { supported: true },
      wallet: null,
    } as Stripe.PaymentMethod.Card,
    created: ctx.now(),
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: extra.metadata ?? {},
    type: "card",
  };
  const record = { pm, card };
  ctx.store.paymentMethods.set(pm.id, record);
  return record;
}

function emptyBilling(): Stripe.PaymentMethod.BillingDetails {
  return {
    address: { city: null, country: null, line1: null, line2: null, postal_code: null, state: null },
    email: null,
    name: null,
    phone: null,
    tax_id: null,
  } as Stripe.PaymentMethod.BillingDetails;
}

function billingFrom(params: ParamObject | undefined, param: string): Stripe.PaymentMethod.BillingDetails {
  const b = emptyBilling();
  if (!params) return b;
  assertAllowed(params, ["address", "email", "name", "phone", "tax_id"], param);
  b.email = optString(params, "email", `${param}[email]`) || null;
  b.name = optString(params, "name", `${param}[name]`) || null;
  b.phone = optString(params, "phone", `${param}[phone]`) || null;
  const addr = optObject(params, "address", `${param}[address]`);
  if (addr && b.address) {
    const a = `${param}[address]`;
    assertAllowed(addr, ["city", "country", "line1", "line2", "postal_code", "state"], a);
    b.address = {
      city: optString(addr, "city", `${a}[city]`) || null,
      country: optString(addr, "country", `${a}[country]`) || null,
      line1: optString(addr, "line1", `${a}[line1]`) || null,
      line2: optString(addr, "line2", `${a}[line2]`) || null,
      postal_code: optString(addr, "postal_code", `${a}[postal_code]`) || null,
      state: optString(addr, "state", `${a}[state]`) || null,
    };
  }
  return b;
}

function defaultExpiry(ctx: Ctx): { month: number; year: number } {
  const d = new Date(ctx.nowMs());
  return { month: d.getUTCMonth() + 1, year: d.getUTCFullYear() + 1 };
}

/** Resolve `payment_method=...`: a test token (new PM each time) or a stored PM. */
export function resolvePaymentMethod(ctx: Ctx, id: string, param = "payment_method"): PaymentMethodRecord {
  const testNumber = TEST_PAYMENT_METHODS[id];
  if (testNumber) {
    const exp = defaultExpiry(ctx);
    return buildPaymentMethod(ctx, describeCard(testNumber), exp.month, exp.year, { cvcProvided: false });
  }
  const record = ctx.store.paymentMethods.get(id);
  if (!record) {
    // Stripe capitalises the type in this message.
    throw invalidRequest(`No such PaymentMethod: '${id}'`, { param, code: "resource_missing", status: 404 });
  }
  return record;
}

/** `payment_method_data` / `POST /v1/payment_methods` body -> a new card PaymentMethod. */
export function createPaymentMethod(ctx: Ctx, data: ParamObject, prefix: string): PaymentMethodRecord {
  const p = (k: string) => (prefix ? `${prefix}[${k}]` : k);
  assertAllowed(data, ["type", "card", "billing_details", "metadata", ...STRIPE_JS_EXTRAS], prefix);
  const type = reqString(data, "type", p("type"));
  if (type !== "card") {
    throw invalidRequest(`The payment method type "${type}" is not supported by the Stripe emulator (only "card").`, {
      param: p("type"),
      code: "payment_method_invalid_parameter",
    });
  }
  const cardParams = optObject(data, "card", p("card"));
  if (!cardParams) throw missingParam(p("card"));
  const c = (k: string) => `${p("card")}[${k}]`;
  const billing = billingFrom(optObject(data, "billing_details", p("billing_details")), p("billing_details"));
  const metadata = applyMetadata(data, {}) ?? {};

  // `card[token]=tok_visa` (tokens map onto the same test cards as pm_card_*).
  const token = optString(cardParams, "token", c("token"));
  if (token) {
    assertAllowed(cardParams, ["token"], p("card"));
    const number = TEST_PAYMENT_METHODS[`pm_card_${token.replace(/^tok_/, "")}`];
    if (!number) throw invalidRequest(`No such token: '${token}'`, { param: c("token"), code: "resource_missing", status: 404 });
    const exp = defaultExpiry(ctx);
    return buildPaymentMethod(ctx, describeCard(number), exp.month, exp.year, { billing, metadata, cvcProvided: false });
  }

  assertAllowed(cardParams, ["number", "exp_month", "exp_year", "cvc", "networks"], p("card"));
  const rawNumber = reqString(cardParams, "number", c("number")).replace(/[\s-]/g, "");
  if (!luhnValid(rawNumber)) {
    throw cardError({ code: "incorrect_number", message: "Your card number is incorrect.", param: c("number") });
  }
  const monthStr = reqString(cardParams, "exp_month", c("exp_month"));
  const yearStr = reqString(cardParams, "exp_year", c("exp_year"));
  const month = /^\d{1,2}$/.test(monthStr) ? Number(monthStr) : NaN;
  let year = /^\d{2}(\d{2})?$/.test(yearStr) ? Number(yearStr) : NaN;
  if (year < 100) year += 2000;
  if (!(month >= 1 && month <= 12)) {
    throw cardError({ code: "invalid_expiry_month", message: "Your card's expiration month is invalid.", param: c("exp_month") });
  }
  const today = new Date(ctx.nowMs());
  const thisYear = today.getUTCFullYear();
  if (!(year >= thisYear && year <= thisYear + 100)) {
    throw cardError({ code: "invalid_expiry_year", message: "Your card's expiration year is invalid.", param: c("exp_year") });
  }
  if (year === thisYear && month < today.getUTCMonth() + 1) {
    throw cardError({ code: "invalid_expiry_month", message: "Your card's expiration month is invalid.", param: c("exp_month") });
  }
  const cvc = optString(cardParams, "cvc", c("cvc"));
  if (cvc !== undefined && !/^\d{3,4}$/.test(cvc)) {
    throw cardError({ code: "invalid_cvc", message: "Your card's security code is invalid.", param: c("cvc") });
  }
  return buildPaymentMethod(ctx, describeCard(rawNumber), month, year, { billing, metadata, cvcProvided: cvc !== undefined });
}

export function retrievePaymentMethod(ctx: Ctx, id: string): PaymentMethodRecord {
  const record = ctx.store.paymentMethods.get(id);
  if (!record) throw resourceMissing("PaymentMethod", id, "payment_method");
  return record;
}
