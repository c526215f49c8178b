/** Charge objects behind PaymentIntents (`latest_charge`): creation, retrieval, listing. */
import type Stripe from "stripe";
import type { Decline } from "./cards";
import type { Ctx } from "./context";
import { resourceMissing } from "./errors";
import type { ParamObject } from "./form";
import { newId } from "./ids";
import { assertAllowed, createdFilter, listParams, optString, optStringArray } from "./params";
import { paginate, renderCharge, validateExpand, type ListPage } from "./render";
import type { PaymentMethodRecord } from "./store";
import { calculatedStatementDescriptor } from "./account";
import { recordCharge } from "./balance";

export function createCharge(
  ctx: Ctx,
  pi: Stripe.PaymentIntent,
  pm: PaymentMethodRecord,
  opts: { capture: boolean; decline?: Decline; authenticated: boolean },
): Stripe.Charge {
  const { card } = pm;
  const pmCard = pm.pm.card;
  const failed = opts.decline !== undefined;
  const outcome = failed
    ? {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: opts.decline?.declineCode === "fraudulent" ? "not_sent_to_network" : "declined_by_network",
        reason: opts.decline?.declineCode ?? null,
        risk_level: opts.decline?.declineCode === "fraudulent" ? "highest" : "normal",
        risk_score: opts.decline?.declineCode === "fraudulent" ? 85 : 20,
        seller_message:
          opts.decline?.declineCode === "fraudulent"
            ? "Stripe blocked this payment as too risky."
            : "The bank did not return any further details with this decline.",
        type: opts.decline?.declineCode === "fraudulent" ? "blocked" : "issuer_declined",
      }
    : {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: "approved_by_network",
        reason: null,
        risk_level: "normal",
        risk_score: 20,
        seller_message: "Payment complete.",
        type: "authorized",
      };
  const charge: Stripe.Charge = {
    id: newId("ch"),
    object: "charge",
    amount: pi.amount,
    amount_captured: !failed && opts.capture ? pi.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: null,
    billing_details: structuredClone(pm.pm.billing_details) as unknown as Stripe.Charge.BillingDetails,
    calculated_statement_descriptor: calculatedStatementDescriptor(ctx.store, pi),
    captured: !failed && opts.capture,
    created: ctx.now(),
    currency: pi.currency,
    customer: pi.customer,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: opts.decline?.code ?? null,
    failure_message: opts.decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome: outcome as Stripe.Charge.Outcome,
    paid: !failed,
    payment_intent: pi.id,
    payment_method: pm.pm.id,
    payment_method_details: {
      card: {
        amount_authorized: failed ? null : pi.amount,
        authorization_code: failed ? null : String(100000 + Math.floor(Math.random() * 900000)),
        brand: card.brand,
        capture_before: failed || opts.capture ? undefined : ctx.now() + 7 * 24 * 3600,
        checks: pmCard?.checks ?? null,
        country: card.country,
        exp_month: pmCard?.exp_month,
        exp_year: pmCard?.exp_year,
        extended_authorization: { status: "disabled" },
        fingerprint: pmCard?.fingerprint,
        funding: card.funding,
        incremental_authorization: { status: "unavailable" },
        installments: null,
        last4: card.number.slice(-4),
        mandate: null,
        multicapture: { status: "unavailable" },
        network: card.brand,
        network_token: { used: false },
        network_transaction_id: failed ? null : String(Math.floor(1e14 + Math.random() * 9e14)),
        overcapture: { maximum_amount_capturable: pi.amount, status: "unavailable" },
        regulated_status: "unregulated",
        three_d_secure: opts.authenticated
          ? {
              authentication_flow: "challenge",
              electronic_commerce_indicator: "05",
              exemption_indicator: null,
              result: "authenticated",
              result_reason: null,
              transaction_id: crypto.randomUUID(),
              version: "2.2.0",
            }
          : null,
        wallet: null,
      },
      type: "card",
    } as unknown as Stripe.Charge.PaymentMethodDetails,
    radar_options: {},
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: pi.shipping ? structuredClone(pi.shipping) : null,
    source: null,
    source_transfer: null,
    statement_descriptor: pi.statement_descriptor,
    statement_descriptor_suffix: pi.statement_descriptor_suffix,
    status: failed ? "failed" : "succeeded",
    transfer_data: null,
    transfer_group: pi.transfer_group,
  };
  ctx.store.charges.set(charge.id, charge);
  recordCharge(ctx, charge);
  return charge;
}

export const CHARGE_EXPAND = ["payment_intent", "refunds", "payment_intent.latest_charge"];

export function getCharge(ctx: Ctx, id: string): Stripe.Charge {
  const charge = ctx.store.charges.get(id);
  if (!charge) throw resourceMissing("charge", id, "id");
  return charge;
}

export function listCharges(ctx: Ctx, params: ParamObject): ListPage<Stripe.Charge> {
  assertAllowed(params, ["limit", "starting_after", "ending_before", "created", "customer", "payment_intent", "expand", "transfer_group"]);
  const expand = optStringArray(params, "expand") ?? [];
  validateExpand(expand, "charge", true);
  const page = listParams(params);
  const created = createdFilter(params);
  const customer = optString(params, "customer");
  const pi = optString(params, "payment_intent");
  const items = [...ctx.store.charges.values()]
    .reverse()
    .filter((c) => created(c.created) && (customer === undefined || c.customer === customer) && (pi === undefined || c.payment_intent === pi));
  const result = paginate(items, page, "/v1/charges", (id) => resourceMissing("charge", id, "starting_after"));
  const sub = expand.map((e) => e.replace(/^data\./, ""));
  return { ...result, data: result.data.map((c) => renderCharge(ctx.store, c, sub)) };
}
