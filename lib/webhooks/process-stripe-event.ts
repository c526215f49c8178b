// Processing of a stored Stripe event, run by the worker. Every handled event leads to the same
// idempotent sync of its PaymentIntent, re-read from Stripe.
import type Stripe from "stripe";
import type { StripeEvent } from "../db/generated/sqlite/client";
import { syncPaymentIntent } from "../payments/sync-payment-intent";
import { capturePayment } from "../payments/capture";
import { captureDue } from "../payments/sweep";
import type { Services } from "../server/services";
import { assertNever } from "../ledger/states";

/** The four events Navixy's own Stripe integration listens to. */
export const HANDLED_EVENT_TYPES = [
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.amount_capturable_updated",
  "charge.refunded",
] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

export type EventResult = { status: "processed"; paymentId: string | null } | { status: "ignored"; reason: string };

export async function processStripeEvent(services: Services, row: StripeEvent): Promise<EventResult> {
  const event = JSON.parse(row.payload) as Stripe.Event;
  const type = event.type as HandledEventType;
  let paymentIntentId: string | null;
  let refunds = false;
  switch (type) {
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
    case "payment_intent.amount_capturable_updated":
      paymentIntentId = (event.data.object as Stripe.PaymentIntent).id;
      break;
    case "charge.refunded": {
      const intent = (event.data.object as Stripe.Charge).payment_intent;
      paymentIntentId = typeof intent === "string" ? intent : (intent?.id ?? null);
      refunds = true;
      break;
    }
    default:
      return assertNever(type);
  }
  if (!paymentIntentId) return { status: "ignored", reason: "the event names no PaymentIntent" };
  const outcome = await syncPaymentIntent(services, paymentIntentId, `webhook:${row.id}`, { refunds });
  if (outcome.kind === "not_ours") return { status: "ignored", reason: outcome.reason };
  if (outcome.payment.status === "authorized" && captureDue(services, outcome.payment.authorizedAt)) {
    await capturePayment(services, outcome.payment.id, undefined, "auto_capture");
  }
  return { status: "processed", paymentId: outcome.payment.id };
}
