// Refunds debit the Navixy balance: one debit movement per Stripe refund id, its amount taken from the
// Refund object re-read from Stripe. A refund of money that never reached the balance (the credit is
// still owed) reduces or cancels that credit instead, and the ledger says so.
import type Stripe from "stripe";
import type { Tx } from "../db/client";
import { newId } from "../ids";
import type { Payment } from "../ledger/payments";
import { assertNever } from "../ledger/states";
import { toNavixyAmount } from "../money";
import type { Services } from "../server/services";

/** Stripe's Refund statuses (the SDK types them as a plain string). */
export const REFUND_STATUSES = ["pending", "requires_action", "succeeded", "failed", "canceled"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** What a refund in a given status means for the balance. */
export function refundEffect(status: string | null): "debit" | "wait" | "void" {
  if (!(REFUND_STATUSES as readonly string[]).includes(status ?? "")) {
    throw new Error(`Unknown Stripe refund status "${status}": refusing to guess what it means for the balance`);
  }
  const known = status as RefundStatus;
  switch (known) {
    case "succeeded":
    case "pending": // the money is on its way back to the payer: it leaves the balance now
      return "debit";
    case "requires_action":
      return "wait";
    case "failed":
    case "canceled":
      return "void";
    default:
      return assertNever(known);
  }
}

/** Every refund of a PaymentIntent, re-read from Stripe (never from an event's copy). */
export async function listRefunds(services: Services, paymentIntentId: string): Promise<Stripe.Refund[]> {
  const refunds: Stripe.Refund[] = [];
  for await (const refund of services.stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })) {
    refunds.push(refund);
  }
  return refunds;
}

export function refundText(refundId: string, paymentIntentId: string): string {
  return `Refund via Stripe ${refundId} of payment ${paymentIntentId}`;
}

/**
 * Records what each refund owes the balance. Returns the total refunded (pending and succeeded) and
 * whether a movement was created or changed (the worker then has work).
 */
export async function applyRefunds(
  tx: Tx,
  payment: Payment,
  intent: Stripe.PaymentIntent,
  refunds: Stripe.Refund[],
): Promise<{ refunded: number; changed: boolean }> {
  let refunded = 0;
  let changed = false;
  for (const refund of [...refunds].sort((a, b) => a.created - b.created)) {
    const effect = refundEffect(refund.status);
    if (effect === "debit") refunded += refund.amount;
    if (effect === "wait") continue;
    const key = `debit:${refund.id}`;
    const existing = await tx.balanceMovement.findUnique({ where: { idempotencyKey: key } });
    if (effect === "void") {
      // A refund that failed after we recorded its debit: the money never left Stripe, so neither may it
      // leave the balance. Not yet sent → cancel; already applied → a person credits it back.
      if (existing && (existing.state === "pending" || existing.state === "failed")) {
        await tx.balanceMovement.update({
          where: { id: existing.id },
          data: { state: "canceled", needsAttention: false, lastError: `refund ${refund.id} ${refund.status}: nothing to debit` },
        });
        changed = true;
      } else if (existing && existing.state !== "canceled" && !existing.needsAttention) {
        await tx.balanceMovement.update({
          where: { id: existing.id },
          data: { needsAttention: true, lastError: `refund ${refund.id} ${refund.status} after its debit: credit it back by hand` },
        });
        changed = true;
      }
      continue;
    }
    if (existing) continue;
    changed = true;
    const absorbed = await absorbIntoOwedCredit(tx, intent.id, refund);
    await tx.balanceMovement.create({
      data: {
        id: newId("mv"),
        paymentId: payment.id,
        kind: "debit",
        navixyUserId: payment.navixyUserId,
        amount: refund.amount,
        currency: refund.currency,
        navixyAmount: toNavixyAmount(refund.amount, refund.currency, -1),
        reference: refund.id,
        text: refundText(refund.id, intent.id),
        idempotencyKey: key,
        ...(absorbed
          ? { state: "canceled", lastError: `not debited: the credit had not been sent yet and was ${absorbed} instead` }
          : {}),
      },
    });
  }
  return { refunded, changed };
}

/**
 * When the credit is failing and has certainly not reached Navixy (refused, or every attempt so far was
 * refused before applying), take the refund off it. A credit that may be in flight ("sending",
 * "unknown"), was applied, or simply has not been tried yet is left alone: the debit follows it.
 */
async function absorbIntoOwedCredit(tx: Tx, paymentIntentId: string, refund: Stripe.Refund): Promise<string | null> {
  const credit = await tx.balanceMovement.findUnique({ where: { idempotencyKey: `credit:${paymentIntentId}` } });
  const failing = credit && (credit.state === "failed" || (credit.state === "pending" && credit.attempts > 0));
  if (!credit || !failing) return null;
  const remaining = credit.amount - refund.amount;
  const { count } = await tx.balanceMovement.updateMany({
    where: { id: credit.id, version: credit.version, state: credit.state },
    data:
      remaining > 0
        ? { amount: remaining, navixyAmount: toNavixyAmount(remaining, credit.currency), version: { increment: 1 } }
        : { state: "canceled", needsAttention: false, lastError: `refunded (${refund.id}) before it was credited`, version: { increment: 1 } },
  });
  if (count === 0) return null; // a worker claimed it meanwhile: debit normally after it
  return remaining > 0 ? `reduced to ${remaining}` : "canceled";
}
