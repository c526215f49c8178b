// The one path by which Stripe's truth reaches the ledger. Webhooks, the return page and the sweep all
// call syncPaymentIntent: it re-reads the PaymentIntent from Stripe (never trusting an event's copy or
// its order), moves the payment forward, and, once the money is received, records the credit owed.
// The credit's idempotency key is unique in the database, so any number of concurrent syncs of one
// PaymentIntent leave exactly one credit.
import type Stripe from "stripe";
import { isUniqueViolation, transaction, type Tx } from "../db/client";
import { newId } from "../ids";
import { movePayment, type Payment } from "../ledger/payments";
import { paymentStatusFromIntent } from "../ledger/states";
import { toNavixyAmount } from "../money";
import type { Services } from "../server/services";
import { payerMessageForFailure } from "../stripe/failures";
import { applyRefunds, listRefunds } from "./refunds";
import { afterPaymentSync } from "../autotopup/settle";

export type SyncOutcome =
  /** movementsChanged: a credit or debit was recorded or changed, so the worker has work. */
  | { kind: "synced"; payment: Payment; movementsChanged: boolean }
  | { kind: "not_ours"; reason: string };

export interface SyncOptions {
  /** Re-read the PaymentIntent's refunds too (a charge.refunded event, the sweep). */
  refunds?: boolean;
}

export async function syncPaymentIntent(
  services: Services,
  paymentIntentId: string,
  source: string,
  options: SyncOptions = {},
): Promise<SyncOutcome> {
  const intent = await services.stripe.paymentIntents.retrieve(paymentIntentId);
  let refunds: Stripe.Refund[] | undefined;
  if (intent.status === "succeeded") {
    const known = options.refunds
      ? true
      : ((await services.db.payment.findUnique({ where: { stripePaymentIntentId: intent.id }, select: { amountRefunded: true } }))?.amountRefunded ?? 0) > 0;
    if (known) refunds = await listRefunds(services, intent.id);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await applyIntent(services, intent, refunds, source);
    } catch (error) {
      // Two syncs raced to record the same credit: the database kept one. Run again to see it.
      if (isUniqueViolation(error) && attempt < 2) continue;
      throw error;
    }
  }
}

async function applyIntent(
  services: Services,
  intent: Stripe.PaymentIntent,
  refunds: Stripe.Refund[] | undefined,
  source: string,
): Promise<SyncOutcome> {
  const { db } = services;
  const outcome = await transaction(db, async (tx): Promise<SyncOutcome & { creditId?: string }> => {
    const found = await findPayment(tx, intent);
    if (found.kind === "not_ours") return found;
    let payment = found.payment;

    const to = paymentStatusFromIntent(intent);
    const error = intent.last_payment_error;
    const fields = {
      // Written only when it was missing (a crash before it was stored): rewriting the same value would still
      // move its entry in the unique index, a random page of a large ledger.
      ...(payment.stripePaymentIntentId === intent.id ? {} : { stripePaymentIntentId: intent.id }),
      livemode: intent.livemode,
      amountReceived: intent.amount_received ?? 0,
      amountCapturable: intent.amount_capturable ?? 0,
      lastSyncedAt: new Date(),
      ...(to === "failed" && error
        ? { failureCode: error.decline_code ?? error.code ?? "payment_failed", failureMessage: payerMessageForFailure(error) }
        : {}),
    };
    const moved = await movePayment(tx, payment, to, source, fields);
    payment = moved.payment;
    if (!moved.moved && payment.status === to) {
      // Same status, newer facts (a second decline, the amount captured): keep the latest.
      payment = await tx.payment.update({ where: { id: payment.id }, data: fields });
    }

    let creditId: string | undefined;
    let refundsChanged = false;
    if (intent.status === "succeeded") {
      creditId = await ensureCredit(tx, payment, intent);
      if (refunds) {
        const result = await applyRefunds(tx, payment, intent, refunds);
        refundsChanged = result.changed;
        if (result.refunded > 0) {
          const fullyRefunded = result.refunded >= payment.amountReceived;
          payment = (await movePayment(tx, payment, fullyRefunded ? "refunded" : "partially_refunded", source)).payment;
          if (payment.amountRefunded !== result.refunded) {
            payment = await tx.payment.update({ where: { id: payment.id }, data: { amountRefunded: result.refunded } });
          }
        }
      }
    }
    // Automatic top-up: activate a rule whose enrolment payment succeeded, settle a top-up that became final.
    await afterPaymentSync(tx, services.config, payment, intent);
    return { kind: "synced", payment, movementsChanged: creditId !== undefined || refundsChanged, creditId };
  });
  if (outcome.kind === "synced" && outcome.movementsChanged) services.wakeWorker();
  return outcome;
}

async function findPayment(tx: Tx, intent: Stripe.PaymentIntent): Promise<{ kind: "ours"; payment: Payment } | { kind: "not_ours"; reason: string }> {
  const byIntent = await tx.payment.findUnique({ where: { stripePaymentIntentId: intent.id } });
  if (byIntent) return { kind: "ours", payment: byIntent };
  // We may have crashed between creating the PaymentIntent and storing its id: our metadata links them.
  const paymentId = intent.metadata?.payment_id;
  if (!paymentId) return { kind: "not_ours", reason: "PaymentIntent was not created by this gateway" };
  const byMetadata = await tx.payment.findUnique({ where: { id: paymentId } });
  if (!byMetadata) return { kind: "not_ours", reason: `no payment ${paymentId} in this ledger` };
  if (byMetadata.stripePaymentIntentId && byMetadata.stripePaymentIntentId !== intent.id) {
    return { kind: "not_ours", reason: `payment ${paymentId} belongs to another PaymentIntent` };
  }
  if (String(byMetadata.navixyUserId) !== intent.metadata?.navixy_user_id || byMetadata.currency !== intent.currency) {
    return { kind: "not_ours", reason: `PaymentIntent metadata does not match payment ${paymentId}` };
  }
  return { kind: "ours", payment: byMetadata };
}

/** Records the credit owed for a succeeded PaymentIntent, once. Returns its id when it was created now. */
async function ensureCredit(tx: Tx, payment: Payment, intent: Stripe.PaymentIntent): Promise<string | undefined> {
  const idempotencyKey = `credit:${intent.id}`;
  const existing = await tx.balanceMovement.findUnique({ where: { idempotencyKey }, select: { id: true } });
  if (existing) return undefined;
  const amount = intent.amount_received;
  if (!Number.isSafeInteger(amount) || amount <= 0) return undefined;
  const id = newId("mv");
  await tx.balanceMovement.create({
    data: {
      id,
      paymentId: payment.id,
      kind: "credit",
      navixyUserId: payment.navixyUserId,
      amount,
      currency: intent.currency,
      navixyAmount: toNavixyAmount(amount, intent.currency),
      reference: intent.id,
      text: creditText(intent.id),
      idempotencyKey,
    },
  });
  return id;
}

/** What the user reads in their Navixy transaction list; it carries the PaymentIntent id we look up later. */
export function creditText(paymentIntentId: string): string {
  return `Balance top-up via Stripe, payment ${paymentIntentId}`;
}
