// Manual capture: capture an authorization (all or part of it) or release it. The same functions serve
// the automatic capture (the worker's capture queue of due authorizations, and right away when the delay is 0),
// `npm run payments -- capture|cancel`, and the dealer console.
// Each is idempotent: the Stripe call carries a key derived from our payment id, and the result goes
// through the same sync as a webhook.
import type { Payment } from "./ledger/payment-records";
import { syncPaymentIntent, type SyncDeps } from "./sync-payment-intent";
import { paymentLogger } from "../logging/logger";
import { asPaymentId, asPaymentIntentId, type PaymentId, type PaymentIntentId } from "../ids";
import { captureAtFor } from "./capture-policy";

export { captureAtFor, captureDue } from "./capture-policy";

export class PaymentActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PaymentActionError";
  }
}

async function authorizedPayment(services: SyncDeps, paymentId: string): Promise<Payment & { stripePaymentIntentId: string }> {
  const payment = await services.db.payment.findUnique({ where: { id: paymentId } });
  if (!payment) throw new PaymentActionError(`No payment ${paymentId}.`);
  if (!payment.stripePaymentIntentId) throw new PaymentActionError(`Payment ${paymentId} has no PaymentIntent.`);
  return payment as Payment & { stripePaymentIntentId: string };
}

/** Captures an authorized payment; `amount` (minor units) may be lower than authorized. */
export async function capturePayment(services: SyncDeps, paymentId: PaymentId, amount?: number, source = "capture"): Promise<Payment> {
  const payment = await authorizedPayment(services, paymentId);
  if (payment.status === "succeeded" || payment.status === "partially_refunded" || payment.status === "refunded") return payment;
  if (payment.status !== "authorized") {
    throw new PaymentActionError(`Payment ${paymentId} is ${payment.status}, not authorized: there is nothing to capture.`);
  }
  if (amount !== undefined && (!Number.isSafeInteger(amount) || amount <= 0 || amount > payment.amountCapturable)) {
    throw new PaymentActionError(`The amount to capture must be between 1 and ${payment.amountCapturable} (minor units).`);
  }
  const toCapture = amount ?? payment.amountCapturable;
  try {
    await services.stripe.paymentIntents.capture(
      payment.stripePaymentIntentId,
      { amount_to_capture: toCapture },
      { idempotencyKey: `payment:${payment.id}:capture:${toCapture}` },
    );
  } catch (error) {
    // Captured meanwhile (another instance, the dashboard): the sync below records the truth.
    if ((error as { code?: string }).code !== "payment_intent_unexpected_state") throw error;
  }
  return synced(services, asPaymentIntentId(payment.stripePaymentIntentId), source);
}

/** Releases an authorization (or cancels a PaymentIntent the payer never completed). */
export async function cancelPayment(services: SyncDeps, paymentId: PaymentId, source = "cancel", reason: "requested_by_customer" | "abandoned" = "requested_by_customer"): Promise<Payment> {
  const payment = await authorizedPayment(services, paymentId);
  const cancelable = ["created", "awaiting_payment", "failed", "authorized"];
  if (payment.status === "canceled" || payment.status === "abandoned") return payment;
  if (!cancelable.includes(payment.status)) {
    throw new PaymentActionError(`Payment ${paymentId} is ${payment.status}: it can no longer be canceled (refund it instead).`);
  }
  try {
    await services.stripe.paymentIntents.cancel(
      payment.stripePaymentIntentId,
      { cancellation_reason: reason },
      { idempotencyKey: `payment:${payment.id}:cancel` },
    );
  } catch (error) {
    if ((error as { code?: string }).code !== "payment_intent_unexpected_state") throw error;
  }
  return synced(services, asPaymentIntentId(payment.stripePaymentIntentId), source);
}

async function synced(services: SyncDeps, paymentIntentId: PaymentIntentId, source: string): Promise<Payment> {
  const outcome = await syncPaymentIntent(services, paymentIntentId, source);
  if (outcome.kind !== "synced") throw new PaymentActionError(outcome.reason);
  return outcome.payment;
}


const CAPTURE_BATCH = 50;
/** A capture that failed (Stripe down) is tried again after this long. */
const CAPTURE_RETRY_MS = 60_000;

/** Authorizations due for automatic capture (captureAt passed), of every dealer `db` sees, oldest first. */
export function dueCaptures(db: SyncDeps["db"], now: Date, opts: { limit?: number; where?: { dealerId?: unknown } } = {}) {
  return db.payment.findMany({
    where: { ...((opts.where ?? {}) as Record<string, never>), status: "authorized", captureAt: { lte: now } },
    orderBy: { captureAt: "asc" },
    take: opts.limit ?? CAPTURE_BATCH,
    select: { id: true, dealerId: true },
  });
}

/**
 * The capture-due work of one dealer, all at once (`npm run payments -- sweep`, tests); the worker captures payment by
 * payment. Several workers doing it at once capture each once: the capture's Stripe call carries a key derived from
 * our payment id.
 */
export async function captureDueAuthorizations(services: SyncDeps, now = new Date()): Promise<{ captured: number; errors: number }> {
  const report = { captured: 0, errors: 0 };
  for (const { id } of await dueCaptures(services.db, now)) {
    const outcome = await captureIfDue(services, id, now);
    if (outcome === "captured") report.captured++;
    else if (outcome === "error") report.errors++;
  }
  return report;
}

/** Captures one authorization if it is (still) due; a failure is tried again after CAPTURE_RETRY_MS. */
export async function captureIfDue(services: SyncDeps, paymentId: string, now = new Date()): Promise<"captured" | "skipped" | "error"> {
  const payment = await services.db.payment.findUnique({ where: { id: paymentId }, select: { status: true, authorizedAt: true, captureAt: true } });
  if (!payment || payment.status !== "authorized" || !payment.captureAt || payment.captureAt > now) return "skipped";
  // The dealer's settings may have changed since the authorization: they decide.
  const due = captureAtFor(services.config, payment.authorizedAt, now);
  if (!due || due > now) {
    await services.db.payment.updateMany({ where: { id: paymentId, status: "authorized" }, data: { captureAt: due } });
    return "skipped";
  }
  try {
    await capturePayment(services, asPaymentId(paymentId), undefined, "auto_capture");
    return "captured";
  } catch (error) {
    paymentLogger(paymentId).error({ err: error }, "automatic capture failed; tried again later");
    await services.db.payment
      .updateMany({ where: { id: paymentId, status: "authorized" }, data: { captureAt: new Date(now.getTime() + CAPTURE_RETRY_MS) } })
      .catch(() => {});
    return "error";
  }
}
