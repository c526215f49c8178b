// Manual capture: capture an authorization (all or part of it) or release it. The same functions serve
// the automatic capture (the worker's capture-due job, and right away when the delay is 0),
// `npm run payments -- capture|cancel`, and the dealer console.
// Each is idempotent: the Stripe call carries a key derived from our payment id, and the result goes
// through the same sync as a webhook.
import type { Payment } from "./ledger/payment-records";
import { syncPaymentIntent, type SyncDeps } from "./sync-payment-intent";
import { paymentLogger } from "../logging/logger";
import { asPaymentId, asPaymentIntentId, type PaymentId, type PaymentIntentId } from "../ids";

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

/** Whether an authorization is due for automatic capture (PAYMENT_AUTO_CAPTURE_AFTER; unset = never). */
export function captureDue(services: SyncDeps, authorizedAt: Date | null, now = new Date()): boolean {
  const after = services.config.payments.autoCaptureAfterMs;
  if (after === null || services.config.payments.capture !== "manual") return false;
  return (authorizedAt?.getTime() ?? 0) + after <= now.getTime();
}

const CAPTURE_BATCH = 50;

/**
 * The capture-due job: captures every authorization whose PAYMENT_AUTO_CAPTURE_AFTER has passed. Several
 * workers doing it at once capture each once: the capture's Stripe call carries a key derived from our payment id.
 */
export async function captureDueAuthorizations(services: SyncDeps, now = new Date()): Promise<{ captured: number; errors: number }> {
  const report = { captured: 0, errors: 0 };
  const after = services.config.payments.autoCaptureAfterMs;
  if (after === null || services.config.payments.capture !== "manual") return report;
  const due = await services.db.payment.findMany({
    where: { status: "authorized", OR: [{ authorizedAt: null }, { authorizedAt: { lte: new Date(now.getTime() - after) } }] },
    orderBy: { authorizedAt: "asc" },
    take: CAPTURE_BATCH,
    select: { id: true },
  });
  for (const { id } of due) {
    try {
      await capturePayment(services, asPaymentId(id), undefined, "auto_capture");
      report.captured++;
    } catch (error) {
      report.errors++;
      paymentLogger(id).error({ err: error }, "automatic capture failed; tried again on the next run");
    }
  }
  return report;
}
