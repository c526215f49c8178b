// What a person can do from the console. Each action is idempotent (pressing twice does no harm), goes
// through the same functions as the worker and `npm run payments`, and writes an AuditLog row with the
// state before and after.
import { createHash } from "node:crypto";
import { retryMovement } from "../payments/retry-movement";
import type { Payment } from "../payments/ledger/payment-records";
import { toMajorString } from "../money";
import { cancelPayment, capturePayment, PaymentActionError } from "../payments/capture";
import { syncPaymentIntent } from "../payments/sync-payment-intent";
import type { Services } from "../server/services";
import { audit, type Actor } from "./audit";
import { asMovementId, asPaymentId, asPaymentIntentId } from "../ids";

/** A refusal meant for the person (shown as is), as opposed to a failure of ours. */
export class AdminActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AdminActionError";
  }
}

const paymentSnapshot = (p: Payment) => ({
  status: p.status,
  amount: p.amount,
  amountReceived: p.amountReceived,
  amountCapturable: p.amountCapturable,
  amountRefunded: p.amountRefunded,
  currency: p.currency,
});

async function movementSnapshot(services: Services, id: string) {
  const m = await services.db.balanceMovement.findUnique({ where: { id } });
  if (!m) return null;
  return { state: m.state, needsAttention: m.needsAttention, attempts: m.attempts, lastError: m.lastError, lastErrorCode: m.lastErrorCode, paymentId: m.paymentId };
}

async function loadPayment(services: Services, paymentId: string): Promise<Payment> {
  const p = await services.db.payment.findUnique({ where: { id: paymentId } });
  if (!p) throw new AdminActionError(`No payment ${paymentId}.`);
  return p;
}

/** Sends a failed movement again: looked up in Navixy first, so it can never apply twice. */
export async function adminRetryMovement(services: Services, who: Actor, movementId: string): Promise<{ state: string }> {
  const before = await movementSnapshot(services, movementId);
  if (!before) throw new AdminActionError(`No movement ${movementId}.`);
  let result: { state: string };
  try {
    result = await retryMovement(services, asMovementId(movementId)); // it exists: read just above
  } catch (error) {
    throw new AdminActionError((error as Error).message);
  }
  await audit(services.db, { ...who, action: "movement.retry", target: movementId, before, after: await movementSnapshot(services, movementId) });
  return result;
}

/**
 * A person settles a movement by hand. `appliedInNavixy`: they confirm the balance change was made in
 * Navixy (state "applied"); otherwise it is no longer owed ("canceled"). Either way it leaves the
 * attention list, with the comment in lastError and the audit log.
 */
export async function resolveMovement(
  services: Services,
  who: Actor,
  args: { movementId: string; appliedInNavixy: boolean; comment: string },
): Promise<{ state: string; changed: boolean }> {
  const comment = args.comment.trim();
  if (comment.length < 3) throw new AdminActionError("Say what was done (a comment is required).");
  const movement = await services.db.balanceMovement.findUnique({ where: { id: args.movementId } });
  if (!movement) throw new AdminActionError(`No movement ${args.movementId}.`);
  if (movement.state === "applied" || movement.state === "canceled") {
    if (!movement.needsAttention) return { state: movement.state, changed: false };
  }
  if (movement.state === "sending") throw new AdminActionError(`Movement ${movement.id} is being sent right now; look again in a minute.`);
  const state = args.appliedInNavixy ? "applied" : "canceled";
  const now = new Date();
  const { count } = await services.db.balanceMovement.updateMany({
    where: { id: movement.id, version: movement.version },
    data: {
      state,
      needsAttention: false,
      lastError: `resolved by hand (${args.appliedInNavixy ? "applied in Navixy" : "not applied, no longer owed"}): ${comment}`.slice(0, 1000),
      ...(args.appliedInNavixy ? { appliedAt: movement.appliedAt ?? now } : {}),
      leaseOwner: null,
      leaseUntil: null,
      version: { increment: 1 },
    },
  });
  if (count === 0) throw new AdminActionError(`Movement ${movement.id} changed meanwhile; look at it again.`);
  await audit(services.db, {
    ...who,
    action: "movement.resolve",
    target: movement.id,
    before: { state: movement.state, needsAttention: movement.needsAttention, lastError: movement.lastError, paymentId: movement.paymentId },
    after: { state, needsAttention: false, appliedInNavixy: args.appliedInNavixy },
    comment,
  });
  return { state, changed: true };
}

/** The refund's Stripe idempotency key: one per payment, amount and form (the nonce the form carries). */
export function refundIdempotencyKey(paymentId: string, amount: number, nonce: string): string {
  const digest = createHash("sha256").update(`${paymentId}:${amount}:${nonce}`).digest("base64url").slice(0, 32);
  return `admin-refund:${paymentId}:${amount}:${digest}`;
}

/**
 * Refunds all (amount undefined) or part of a payment through Stripe. The charge.refunded webhook then
 * debits Navixy as for any refund; the sync here only makes the console show it at once.
 */
export async function refundPayment(
  services: Services,
  who: Actor,
  args: { paymentId: string; amount?: number; nonce: string; comment?: string },
): Promise<Payment> {
  const payment = await loadPayment(services, args.paymentId);
  if (!payment.stripePaymentIntentId) throw new AdminActionError(`Payment ${payment.id} has no PaymentIntent: nothing was paid.`);
  if (payment.status !== "succeeded" && payment.status !== "partially_refunded") {
    if (payment.status === "refunded") return payment;
    throw new AdminActionError(`Payment ${payment.id} is ${payment.status}: only a paid payment can be refunded.`);
  }
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(args.nonce)) throw new AdminActionError("The form is out of date: reload the page and try again.");
  const refundable = payment.amountReceived - payment.amountRefunded;
  const amount = args.amount ?? refundable;
  if (!Number.isSafeInteger(amount) || amount <= 0 || amount > refundable) {
    throw new AdminActionError(`The refund must be between ${toMajorString(1, payment.currency)} and ${toMajorString(refundable, payment.currency)} ${payment.currency.toUpperCase()}.`);
  }
  let refundId: string | undefined;
  try {
    const refund = await services.stripe.refunds.create(
      { payment_intent: payment.stripePaymentIntentId, amount, metadata: { payment_id: payment.id, source: "dealer_console" } },
      { idempotencyKey: refundIdempotencyKey(payment.id, amount, args.nonce) },
    );
    refundId = refund.id;
  } catch (error) {
    const e = error as { type?: string; message?: string };
    if (e.type === "StripeInvalidRequestError" || e.type === "StripeCardError") throw new AdminActionError(`Stripe refused the refund: ${e.message}`);
    throw error;
  }
  const outcome = await syncPaymentIntent(services, asPaymentIntentId(payment.stripePaymentIntentId), "console_refund", { refunds: true });
  const after = outcome.kind === "synced" ? outcome.payment : await loadPayment(services, payment.id);
  services.wakeWorker();
  await audit(services.db, {
    ...who,
    action: "payment.refund",
    target: payment.id,
    before: paymentSnapshot(payment),
    after: { ...paymentSnapshot(after), refundId, refundAmount: amount },
    comment: args.comment?.trim() || null,
  });
  return after;
}

/** Captures an authorization, all or part (minor units). */
export async function adminCapture(services: Services, who: Actor, args: { paymentId: string; amount?: number }): Promise<Payment> {
  const before = await loadPayment(services, args.paymentId);
  let after: Payment;
  try {
    after = await capturePayment(services, asPaymentId(before.id), args.amount, "console_capture");
  } catch (error) {
    if (error instanceof PaymentActionError) throw new AdminActionError(error.message);
    throw error;
  }
  await audit(services.db, { ...who, action: "payment.capture", target: before.id, before: paymentSnapshot(before), after: { ...paymentSnapshot(after), requested: args.amount ?? null } });
  return after;
}

/** Releases an authorization (or cancels a payment never completed). */
export async function adminRelease(services: Services, who: Actor, args: { paymentId: string; comment?: string }): Promise<Payment> {
  const before = await loadPayment(services, args.paymentId);
  let after: Payment;
  try {
    after = await cancelPayment(services, asPaymentId(before.id), "console_cancel");
  } catch (error) {
    if (error instanceof PaymentActionError) throw new AdminActionError(error.message);
    throw error;
  }
  await audit(services.db, { ...who, action: "payment.cancel", target: before.id, before: paymentSnapshot(before), after: paymentSnapshot(after), comment: args.comment?.trim() || null });
  return after;
}
