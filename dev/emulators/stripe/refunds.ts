/**
 * Refunds. Card refunds succeed immediately in test mode. The refundable
 * remainder of a charge is `amount - amount_refunded` (a partial capture's
 * released part already counts as refunded). A refund can still fail later
 * (`failRefund`, as when the card was closed): Stripe then puts the money back
 * into the account balance, so it no longer counts as refunded on the charge.
 */
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { formatAmount } from "./currency";
import { invalidRequest, resourceMissing } from "./errors";
import type { ParamObject } from "./form";
import { newId } from "./ids";
import { applyMetadata, assertAllowed, createdFilter, expandParam, listParams, optEnum, optInt, optString, optStringArray } from "./params";
import { recordRefund, recordRefundFailure } from "./balance";
import { paginate, renderRefund, validateExpand, type ListPage } from "./render";

export const REFUND_EXPAND = ["charge", "payment_intent", "charge.payment_intent", "payment_intent.latest_charge"];

export function createRefund(ctx: Ctx, params: ParamObject): Stripe.Refund {
  assertAllowed(params, [
    "payment_intent",
    "charge",
    "amount",
    "reason",
    "metadata",
    "expand",
    "instructions_email",
    "refund_application_fee",
    "reverse_transfer",
    "origin",
  ]);
  expandParam(params, REFUND_EXPAND);
  const piId = optString(params, "payment_intent") || undefined;
  const chargeId = optString(params, "charge") || undefined;
  if (!piId && !chargeId) {
    throw invalidRequest("One of the following params should be provided for this request: payment_intent or charge.", { param: "payment_intent" });
  }
  let charge: Stripe.Charge | undefined;
  let pi: Stripe.PaymentIntent | undefined;
  if (piId) {
    const rec = ctx.store.paymentIntents.get(piId);
    if (!rec) throw resourceMissing("payment_intent", piId, "payment_intent");
    pi = rec.pi;
    if (pi.status !== "succeeded" || typeof pi.latest_charge !== "string") {
      throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { param: "payment_intent" });
    }
    charge = ctx.store.charges.get(pi.latest_charge);
    if (chargeId && chargeId !== pi.latest_charge) {
      throw invalidRequest(`The charge ${chargeId} does not belong to the PaymentIntent ${pi.id}.`, { param: "charge" });
    }
  } else if (chargeId) {
    charge = ctx.store.charges.get(chargeId);
    if (!charge) throw resourceMissing("charge", chargeId, "charge");
    if (typeof charge.payment_intent === "string") pi = ctx.store.paymentIntents.get(charge.payment_intent)?.pi;
  }
  if (!charge || charge.status !== "succeeded" || !charge.captured) {
    throw invalidRequest(`Charge ${charge?.id ?? chargeId ?? ""} has not been captured or did not succeed, so it cannot be refunded.`, {
      param: chargeId ? "charge" : "payment_intent",
      code: "charge_not_refundable",
    });
  }
  const remaining = charge.amount - charge.amount_refunded;
  if (remaining <= 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: "charge_already_refunded" });
  }
  const amount = optInt(params, "amount", { min: 1 }) ?? remaining;
  if (amount > remaining) {
    const msg =
      charge.amount_refunded === 0
        ? `Refund amount (${formatAmount(amount, charge.currency)}) is greater than charge amount (${formatAmount(charge.amount, charge.currency)})`
        : `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`;
    throw invalidRequest(msg, { param: "amount", code: "amount_too_large" });
  }
  const reason = optEnum(params, "reason", ["duplicate", "fraudulent", "requested_by_customer"] as const) ?? null;
  const refund: Stripe.Refund = {
    id: newId("re"),
    object: "refund",
    amount,
    balance_transaction: null,
    charge: charge.id,
    created: ctx.now(),
    currency: charge.currency,
    customer: typeof charge.customer === "string" ? charge.customer : null,
    customer_account: null,
    destination_details: {
      card: { reference_status: "pending", reference_type: "acquirer_reference_number", type: "refund" },
      type: "card",
    } as Stripe.Refund.DestinationDetails,
    metadata: applyMetadata(params, {}) ?? {},
    payment_intent: pi?.id ?? null,
    payment_method: charge.payment_method,
    reason,
    receipt_number: null,
    source_transfer_reversal: null,
    status: "succeeded",
    transfer_reversal: null,
  };
  ctx.store.refunds.set(refund.id, refund);
  recordRefund(ctx, refund);
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  ctx.emit("refund.created", refund);
  ctx.emit("charge.refunded", charge);
  return refund;
}

/** Stripe's documented `failure_reason` values. */
export const REFUND_FAILURE_REASONS = [
  "lost_or_stolen_card",
  "expired_or_canceled_card",
  "charge_for_pending_refund_disputed",
  "insufficient_funds",
  "declined",
  "merchant_request",
  "unknown",
] as const;
export type RefundFailureReason = (typeof REFUND_FAILURE_REASONS)[number];

/**
 * A pending or succeeded refund fails, as Stripe reports it days later: status `failed` with a
 * `failure_reason` and a `failure_balance_transaction`, the amount back on the charge's refundable
 * remainder, and the events `charge.refund.updated`, `refund.updated` and `refund.failed`.
 */
export function failRefund(ctx: Ctx, id: string, reason: RefundFailureReason = "unknown"): Stripe.Refund {
  if (!(REFUND_FAILURE_REASONS as readonly string[]).includes(reason)) {
    throw invalidRequest(`Invalid failure_reason: must be one of ${REFUND_FAILURE_REASONS.join(", ")}`, { param: "failure_reason" });
  }
  const refund = getRefund(ctx, id);
  if (refund.status !== "succeeded" && refund.status !== "pending") {
    throw invalidRequest(`Refund ${id} is ${refund.status}: only a pending or succeeded refund can fail.`, { code: "refund_invalid_state" });
  }
  refund.status = "failed";
  refund.failure_reason = reason;
  recordRefundFailure(ctx, refund);
  const charge = typeof refund.charge === "string" ? ctx.store.charges.get(refund.charge) : undefined;
  if (charge) {
    charge.amount_refunded = Math.max(0, charge.amount_refunded - refund.amount);
    charge.refunded = charge.amount_refunded >= charge.amount;
  }
  ctx.emit("charge.refund.updated", refund);
  ctx.emit("refund.updated", refund);
  ctx.emit("refund.failed", refund);
  return refund;
}

export function getRefund(ctx: Ctx, id: string): Stripe.Refund {
  const refund = ctx.store.refunds.get(id);
  if (!refund) throw resourceMissing("refund", id, "id");
  return refund;
}

export function updateRefund(ctx: Ctx, id: string, params: ParamObject): Stripe.Refund {
  assertAllowed(params, ["metadata", "expand"]);
  expandParam(params, REFUND_EXPAND);
  const refund = getRefund(ctx, id);
  const metadata = applyMetadata(params, refund.metadata ?? {});
  if (metadata) refund.metadata = metadata;
  return refund;
}

export function listRefunds(ctx: Ctx, params: ParamObject): ListPage<Stripe.Refund> {
  assertAllowed(params, ["limit", "starting_after", "ending_before", "created", "charge", "payment_intent", "expand"]);
  const expand = optStringArray(params, "expand") ?? [];
  validateExpand(expand, "refund", true);
  const page = listParams(params);
  const created = createdFilter(params);
  const charge = optString(params, "charge");
  const pi = optString(params, "payment_intent");
  const items = [...ctx.store.refunds.values()]
    .reverse()
    .filter((r) => created(r.created) && (charge === undefined || r.charge === charge) && (pi === undefined || r.payment_intent === pi));
  const result = paginate(items, page, "/v1/refunds", (id) => resourceMissing("refund", id, "starting_after"));
  const sub = expand.map((e) => e.replace(/^data\./, ""));
  return { ...result, data: result.data.map((r) => renderRefund(ctx.store, r, sub)) };
}
