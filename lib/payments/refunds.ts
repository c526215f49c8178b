// Refunds debit the Navixy balance: one debit movement per Stripe refund id, its amount taken from the
// Refund object re-read from Stripe. A refund of money that never reached the balance (the credit is
// still owed) reduces or cancels that credit instead, and the ledger says so.
//
// A refund can fail after it succeeded (the card was closed, ...): Stripe then keeps the money, so the
// balance must not lose it. A debit certainly not applied is canceled; one applied is given back by its
// own credit movement (key refund-reversal:<refund id>), once; one whose outcome at Navixy is not known
// yet is waited for. A failed refund also leaves a note for a person: the payer did not get the money back.
import type Stripe from "stripe";
import type { Tx } from "../db/client";
import type { BalanceMovement } from "../db/generated/sqlite/client";
import { newId } from "../ids";
import type { Payment } from "./ledger/payment-records";
import { assertNever, type MovementState } from "./ledger/states";
import { toMajorString, toNavixyAmount } from "../money";
import type { Services } from "../server/services";
import { creditKey, debitKey, refundReversalKey } from "./ledger/movement-keys";

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
export async function listRefunds(services: Pick<Services, "stripe">, paymentIntentId: string): Promise<Stripe.Refund[]> {
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
 * What the user reads for a failed refund's money coming back. It names the refund (the lookup's reference,
 * with the sign telling it from the debit) and not the PaymentIntent, so a lookup of the payment's own
 * credit can never take it for that credit.
 */
export function refundReversalText(refundId: string): string {
  return `Refund ${refundId} failed at Stripe: amount returned`;
}

/** How a failed refund's debit starts its note (lastError) for a person; lib/payments/attention.ts lists them. */
export const REFUND_FAILED_NOTE = "refund failed at Stripe";
/** What earlier versions wrote on an applied debit whose refund failed, leaving the credit-back to a person. */
const LEGACY_BY_HAND_NOTE = "after its debit: credit it back by hand";
const LEGACY_FLAGGED_NOTE = "flagged before credit-backs were automatic";
/** How a debit taken off a credit that had not reached Navixy says so; a later failure of its refund gives it back. */
export const ABSORBED_NOTE = "not debited: the credit had not been sent yet and was";

export interface RefundsOutcome {
  /** Pending and succeeded refunds: what has left, or is leaving, the balance. */
  refunded: number;
  /** A movement was created or changed: the worker has work. */
  changed: boolean;
  /** Failed refunds whose debit's outcome at Navixy is not known yet: settled once it is. */
  waiting: string[];
}

/** Records what each refund owes the balance, or gives back. */
export async function applyRefunds(tx: Tx, payment: Payment, intent: Stripe.PaymentIntent, refunds: Stripe.Refund[]): Promise<RefundsOutcome> {
  const outcome: RefundsOutcome = { refunded: 0, changed: false, waiting: [] };
  for (const refund of [...refunds].sort((a, b) => a.created - b.created)) {
    const effect = refundEffect(refund.status);
    switch (effect) {
      case "debit":
        outcome.refunded += refund.amount;
        if (await recordDebit(tx, payment, intent, refund)) outcome.changed = true;
        break;
      case "wait":
        break;
      case "void": {
        const result = await voidRefund(tx, payment, intent, refund);
        if (result === "changed") outcome.changed = true;
        if (result === "waiting") outcome.waiting.push(refund.id);
        break;
      }
      default:
        assertNever(effect);
    }
  }
  return outcome;
}

/** The debit a pending or succeeded refund owes, once. Returns whether it was created now. */
async function recordDebit(tx: Tx, payment: Payment, intent: Stripe.PaymentIntent, refund: Stripe.Refund): Promise<boolean> {
  const key = debitKey(refund.id);
  if (await tx.balanceMovement.findUnique({ where: { idempotencyKey: key }, select: { id: true } })) return false;
  const absorbed = await absorbIntoOwedCredit(tx, intent.id, refund);
  await tx.balanceMovement.create({
    data: { ...debitOf(payment, intent, refund), ...(absorbed ? { state: "canceled", lastError: `${ABSORBED_NOTE} ${absorbed} instead` } : {}) },
  });
  return true;
}

/** The debit row of a refund (key debit:<refund id>), owed unless the caller says otherwise. */
function debitOf(payment: Payment, intent: Stripe.PaymentIntent, refund: Stripe.Refund) {
  return {
    id: newId("mv"),
    paymentId: payment.id,
    kind: "debit",
    navixyUserId: payment.navixyUserId,
    amount: refund.amount,
    currency: refund.currency,
    navixyAmount: toNavixyAmount(refund.amount, refund.currency, -1),
    reference: refund.id,
    text: refundText(refund.id, intent.id),
    idempotencyKey: debitKey(refund.id),
  };
}

/**
 * A failed or canceled refund: nothing may leave the balance for it. What that takes depends on where its
 * debit is, and only a debit certainly not applied ("pending", "failed") is canceled.
 */
async function voidRefund(tx: Tx, payment: Payment, intent: Stripe.PaymentIntent, refund: Stripe.Refund): Promise<"changed" | "unchanged" | "waiting"> {
  const failed = refund.status === "failed"; // canceled is the dealer's own doing; failed needs telling
  const note = failed
    ? `${REFUND_FAILED_NOTE} (${refund.failure_reason ?? "no reason given"}): ${refund.id}, the payer did not get ${toMajorString(refund.amount, refund.currency)} ${refund.currency.toUpperCase()} back`
    : `refund ${refund.id} canceled`;
  const debit = await tx.balanceMovement.findUnique({ where: { idempotencyKey: debitKey(refund.id) } });
  if (!debit) {
    // Seen void before its debit was recorded (refund.failed before charge.refunded): record the debit as
    // never owed, so an older read of the same refund as succeeded finds it and debits nothing.
    await tx.balanceMovement.create({
      data: { ...debitOf(payment, intent, refund), state: "canceled", needsAttention: failed, lastError: `${note}; nothing was debited`.slice(0, 1000) },
    });
    return "changed";
  }
  const state = debit.state as MovementState;
  switch (state) {
    case "pending":
    case "failed": {
      // Certainly not applied at Navixy: no longer owed. Conditional on the version read, so a worker that
      // claimed it meanwhile wins, and this refund is settled after that worker knows the outcome.
      const { count } = await tx.balanceMovement.updateMany({
        where: { id: debit.id, version: debit.version, state: debit.state },
        data: { state: "canceled", needsAttention: failed, lastError: `${note}; not debited`.slice(0, 1000), version: { increment: 1 } },
      });
      return count === 1 ? "changed" : "waiting";
    }
    case "sending":
    case "unknown":
      // It may have reached Navixy: neither cancel it nor give anything back until the worker knows.
      return "waiting";
    case "applied":
      // An earlier version of the gateway handed this case to a person ("credit it back by hand"), who may
      // have done it already: crediting it back now could double it. It stays with that person.
      if (failed && debit.lastError?.includes(LEGACY_BY_HAND_NOTE)) {
        await tx.balanceMovement.updateMany({
          where: { id: debit.id, version: debit.version },
          data: { lastError: `${note}; ${LEGACY_FLAGGED_NOTE}: check the Navixy transactions for ${refund.id}, credit it back by hand if it is not there`.slice(0, 1000), version: { increment: 1 } },
        });
        return "changed";
      }
      if (failed && debit.lastError?.includes(LEGACY_FLAGGED_NOTE)) return "unchanged";
      return (await oweReversal(tx, payment, refund, debit, failed ? `${note}; credited back` : null)) ? "changed" : "unchanged";
    case "canceled":
      // Taken off a credit that had not reached Navixy: that credit was lowered for nothing, give it back.
      if (debit.lastError?.startsWith(ABSORBED_NOTE)) {
        return (await oweReversal(tx, payment, refund, debit, failed ? `${note}; it had been taken off the credit, credited back` : null)) ? "changed" : "unchanged";
      }
      return "unchanged";
    default:
      return assertNever(state);
  }
}

/**
 * The credit that gives back what a refund's debit took, once (its own movement: unique key). The debit
 * keeps its state, since it did happen; for a failed refund it carries the note for a person.
 */
async function oweReversal(tx: Tx, payment: Payment, refund: Stripe.Refund, debit: BalanceMovement, personNote: string | null): Promise<boolean> {
  const key = refundReversalKey(refund.id);
  if (await tx.balanceMovement.findUnique({ where: { idempotencyKey: key }, select: { id: true } })) return false;
  await tx.balanceMovement.create({
    data: {
      id: newId("mv"),
      paymentId: payment.id,
      kind: "credit",
      navixyUserId: debit.navixyUserId,
      amount: debit.amount,
      currency: debit.currency,
      navixyAmount: toNavixyAmount(debit.amount, debit.currency),
      reference: refund.id,
      text: refundReversalText(refund.id),
      idempotencyKey: key,
    },
  });
  if (personNote) {
    await tx.balanceMovement.updateMany({
      where: { id: debit.id, version: debit.version },
      data: { needsAttention: true, lastError: personNote.slice(0, 1000), version: { increment: 1 } },
    });
  }
  return true;
}

/**
 * When the credit is failing and has certainly not reached Navixy (refused, or every attempt so far was
 * refused before applying), take the refund off it. A credit that may be in flight ("sending",
 * "unknown"), was applied, or simply has not been tried yet is left alone: the debit follows it.
 */
async function absorbIntoOwedCredit(tx: Tx, paymentIntentId: string, refund: Stripe.Refund): Promise<string | null> {
  const credit = await tx.balanceMovement.findUnique({ where: { idempotencyKey: creditKey(paymentIntentId) } });
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
