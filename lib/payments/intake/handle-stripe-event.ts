// Stored Stripe events, worked on by the worker: which are due, and what each leads to. Each is claimed
// (ledger/claims.ts) and handled once; every handled event leads to the same idempotent sync of its
// PaymentIntent, re-read from Stripe. A failure Stripe will never answer differently (404, 400) ends the event
// as failed; any other is retried with backoff.
import type Stripe from "stripe";
import type { StripeEvent } from "../../db/generated/sqlite/client";
import { RELEASED, dealerOf, leaseOn, type Claimant } from "../ledger/claims";
import { claimEvent, updateHeldEvent } from "../ledger/ledger-sql";
import { backoffDelay } from "../outbox/backoff";
import { syncPaymentIntent, type SyncDeps } from "../sync-payment-intent";
import { captureDue, capturePayment } from "../capture";
import { assertNever } from "../ledger/states";
import { asPaymentId, asPaymentIntentId } from "../../ids";
import { noteWebhookFor } from "../../metrics";

/**
 * The events this gateway handles: the four Navixy's own Stripe integration listens to, and the two that
 * say a refund failed after it succeeded (Stripe sends both; either one is enough).
 */
export const HANDLED_EVENT_TYPES = [
  "payment_intent.succeeded",
  "payment_intent.payment_failed",
  "payment_intent.amount_capturable_updated",
  "charge.refunded",
  "charge.refund.updated",
  "refund.failed",
] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

/**
 * A failed refund whose debit may have reached Navixy: it is settled (canceled or credited back) once the
 * worker knows. Thrown after the sync was recorded, so the worker keeps the event and processes it again.
 */
export class RefundNotSettledYet extends Error {
  constructor(refundIds: string[]) {
    super(`refund ${refundIds.join(", ")} failed while its debit's outcome at Navixy is not known yet: settled once it is`);
    this.name = "RefundNotSettledYet";
  }
}

export type EventResult = { status: "processed"; paymentId: string | null } | { status: "ignored" | "foreign"; reason: string };

export async function handleStripeEvent(services: SyncDeps, row: StripeEvent): Promise<EventResult> {
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
    case "charge.refund.updated":
    case "refund.failed":
      // The event's copy of the refund only says which payment to re-read: the refunds are read from Stripe.
      paymentIntentId = await paymentIntentOfRefund(services, event.data.object as Stripe.Refund);
      refunds = true;
      break;
    default:
      return assertNever(type);
  }
  if (!paymentIntentId) return { status: "ignored", reason: "the event names no PaymentIntent" };
  const outcome = await syncPaymentIntent(services, asPaymentIntentId(paymentIntentId), `webhook:${row.id}`, { refunds });
  if (outcome.kind === "not_ours") return { status: outcome.foreign ? "foreign" : "ignored", reason: outcome.reason };
  if (outcome.refundsWaiting.length > 0) throw new RefundNotSettledYet(outcome.refundsWaiting);
  if (outcome.payment.status === "authorized" && captureDue(services, outcome.payment.authorizedAt)) {
    await capturePayment(services, asPaymentId(outcome.payment.id), undefined, "auto_capture");
  }
  return { status: "processed", paymentId: outcome.payment.id };
}

/** A refund names its PaymentIntent; one made on a bare charge is traced through that charge. */
async function paymentIntentOfRefund(services: SyncDeps, refund: Stripe.Refund): Promise<string | null> {
  const idOf = (x: string | { id: string } | null | undefined) => (typeof x === "string" ? x : (x?.id ?? null));
  const direct = idOf(refund.payment_intent);
  if (direct) return direct;
  const chargeId = idOf(refund.charge);
  if (!chargeId) return null;
  return idOf((await services.stripe.charges.retrieve(chargeId)).payment_intent);
}

// ---- the queue: due events, claimed one at a time

/** What the worker learns from working an event: whether Stripe answered (its health for the dealer's circuit). */
export interface EventWork {
  worked: boolean;
  /** Stripe did not answer (connection, 5xx, rate limit, a refused key): the dealer may be backed off. */
  stripeFailing?: string;
  /** Put back to be processed again at this time. */
  retryAt?: Date;
}

/** Claims the event and handles it. `version` is what the due query read; a hinted event is claimed while received. */
export async function workStripeEvent(claimant: Claimant, candidate: { id: string; version?: number }): Promise<EventWork> {
  // One conditional UPDATE ... RETURNING: the event if it is still as read, nothing if another worker took it.
  const row = await claimEvent(
    claimant.services.sql,
    dealerOf(claimant),
    candidate.id,
    candidate.version !== undefined ? { version: candidate.version } : { dueBy: new Date() },
    { owner: claimant.id, leaseUntil: new Date(Date.now() + claimant.leaseMs) },
  );
  if (!row) return { worked: false };
  if (row.type === "payment_intent.succeeded") noteWebhookFor(row.objectId, row.receivedAt); // webhook-to-credited starts here
  const lease = leaseOn(claimant, "stripeEvent", row);
  try {
    return { worked: true, ...(await handleClaimed(claimant, row, lease.where)) };
  } finally {
    lease.stop();
  }
}

async function handleClaimed(claimant: Claimant, row: StripeEvent, mine: { id: string; leaseOwner: string; version: number }): Promise<Omit<EventWork, "worked">> {
  const { db, config } = claimant.services;
  const dealerId = dealerOf(claimant);
  try {
    const result = await handleStripeEvent(claimant.services, row);
    // Changes nothing here, but an operator should hear of it: the endpoint receives another ledger's events.
    if (result.status === "foreign") claimant.log.warn({ eventId: row.id, eventType: row.type, reason: result.reason }, "Stripe event of a payment this dealer does not hold");
    await updateHeldEvent(claimant.services.sql, dealerId, mine, {
      status: result.status,
      paymentId: result.status === "processed" ? result.paymentId : null,
      lastError: result.status === "processed" ? null : result.reason,
      processedAt: new Date(),
      ...RELEASED,
    });
    return {};
  } catch (error) {
    const permanent = isPermanentStripeError(error);
    const message = error instanceof Error ? error.message : String(error);
    claimant.log.warn({ eventId: row.id, eventType: row.type, attempt: row.attempts, permanent, err: error }, "Stripe event failed");
    const retryAt = new Date(Date.now() + backoffDelay(row.attempts, config.worker.retryBaseMs, config.worker.retryMaxMs));
    await updateHeldEvent(claimant.services.sql, dealerId, mine, { status: permanent ? "failed" : "received", lastError: message.slice(0, 1000), nextAttemptAt: retryAt, ...RELEASED });
    const retry = permanent ? {} : { retryAt };
    return isStripeUnavailable(error) ? { stripeFailing: `Stripe: ${message.slice(0, 200)}`, ...retry } : retry;
  }
}

function isPermanentStripeError(error: unknown): boolean {
  const e = error as { type?: string; statusCode?: number };
  return e?.type === "StripeInvalidRequestError" && (e.statusCode === 404 || e.statusCode === 400);
}

/** Stripe did not answer the dealer's key: unreachable, failing, limiting us, or refusing the key itself. */
function isStripeUnavailable(error: unknown): boolean {
  const type = (error as { type?: string })?.type;
  return type === "StripeConnectionError" || type === "StripeAPIError" || type === "StripeRateLimitError" || type === "StripeAuthenticationError";
}
