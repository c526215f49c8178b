// The one path by which Stripe's truth reaches the ledger. Webhooks, the return page and the sweep all
// call syncPaymentIntent: it re-reads the PaymentIntent from Stripe (never trusting an event's copy or
// its order), moves the payment forward, and, once the money is received, records the credit owed.
// The credit's idempotency key is unique in the database, so any number of concurrent syncs of one
// PaymentIntent leave exactly one credit.
import type Stripe from "stripe";
import { isUniqueViolation, transaction, type Tx } from "../db/client";
import type { DirectSql } from "../db/direct";
import { newId } from "../ids";
import { movePayment, type Payment } from "./ledger/payment-records";
import { paymentStatusFromIntent } from "./ledger/states";
import { toMajorString, toNavixyAmount } from "../money";
import type { Services } from "../server/services";
import { payerMessageForFailure } from "../stripe/failures";
import { creditKey } from "./ledger/movement-keys";
import { insertCreditOnce, paymentById, paymentByIntent, updatePayment } from "./ledger/ledger-sql";
import { applyRefunds, listRefunds } from "./refunds";
import { isPaymentId, type PaymentIntentId } from "../ids";
import { sendRequestedReceipt } from "./receipts";
import { captureAtFor } from "./capture-policy";
import { PAYMENT_METHOD_EXPAND, paymentMethodFields } from "./payment-method";

/**
 * What a sync needs: the ledger, Stripe, the hooks features plug in, a way to wake the worker, and Navixy for the
 * one thing read there (a requested receipt's address, lib/payments/receipts.ts).
 */
export type SyncDeps = Pick<Services, "dealer" | "config" | "db" | "sql" | "stripe" | "navixy" | "hooks" | "wakeWorker">;

export type SyncOutcome =
  /**
   * movementsChanged: a credit or debit was recorded or changed, so the worker has work.
   * refundsWaiting: failed refunds whose debit's outcome at Navixy is not known yet; a later sync settles them.
   */
  | { kind: "synced"; payment: Payment; movementsChanged: boolean; refundsWaiting: string[] }
  /**
   * foreign: a gateway made it (our metadata, a payment id of ours) for a payment this dealer's ledger does not
   * hold: another dealer's of this deployment, or another deployment's, on the same Stripe account.
   */
  | { kind: "not_ours"; reason: string; foreign?: true };

/** failureCode of a payment whose PaymentIntent is in another currency than the ledger's: never credited. */
export const CURRENCY_MISMATCH = "currency_mismatch";

export interface SyncOptions {
  /** Re-read the PaymentIntent's refunds too (a charge.refunded event, the sweep). */
  refunds?: boolean;
}

export async function syncPaymentIntent(
  services: SyncDeps,
  paymentIntentId: PaymentIntentId,
  source: string,
  options: SyncOptions = {},
): Promise<SyncOutcome> {
  const intent = await services.stripe.paymentIntents.retrieve(paymentIntentId, { expand: PAYMENT_METHOD_EXPAND });
  let refunds: Stripe.Refund[] | undefined;
  if (intent.status === "succeeded" && options.refunds) refunds = await listRefunds(services, intent.id);
  for (let attempt = 0; ; attempt++) {
    try {
      return await applyIntent(services, intent, refunds, source);
    } catch (error) {
      // The ledger records refunds of it: they are read from Stripe too (one may have failed since), then it runs again.
      if (error instanceof RefundsToRead && refunds === undefined) {
        refunds = await listRefunds(services, intent.id);
        continue;
      }
      // Two syncs raced to record the same credit: the database kept one. Run again to see it.
      if (isUniqueViolation(error) && attempt < 2) continue;
      throw error;
    }
  }
}

/** Thrown inside the ledger's transaction (nothing written yet) when a payment's refunds must be read from Stripe first. */
class RefundsToRead extends Error {}

async function applyIntent(
  services: SyncDeps,
  intent: Stripe.PaymentIntent,
  refunds: Stripe.Refund[] | undefined,
  source: string,
): Promise<SyncOutcome> {
  // Most syncs write only the payment, its timeline and its credit: plain statements in a transaction of the driver's
  // own (lib/db/direct.ts). Refunds and a feature's hook (automatic top-up) use Prisma's models, so a sync with them
  // runs in Prisma's transaction, the same statements going through it.
  const hooked = services.hooks.syncConcerns(intent);
  const withModels = refunds !== undefined || hooked;
  const inTransaction = <T>(fn: (sql: DirectSql, models: () => Tx) => Promise<T>): Promise<T> =>
    withModels
      ? transaction(services.db, (tx) => fn(services.sql.within(tx), () => tx))
      : services.sql.transaction((sql) =>
          fn(sql, () => {
            throw new Error("sync: Prisma's models are needed in a transaction opened without them");
          }),
        );
  const outcome = await inTransaction(async (sql, models): Promise<SyncOutcome & { creditId?: string }> => {
    const found = await findPayment(sql, services.dealer.id, intent);
    if (found.kind === "not_ours") return found;
    let payment = found.payment;
    // Read with the payment instead of before the transaction: the Stripe call for refunds only when there are some.
    if (intent.status === "succeeded" && refunds === undefined && payment.amountRefunded > 0) throw new RefundsToRead();

    const to = paymentStatusFromIntent(intent);
    const error = intent.last_payment_error;
    // Amounts in the ledger are in the payment's currency. A PaymentIntent whose currency was changed in
    // Stripe after we created it holds money we cannot credit as is: nothing of it counts as received here,
    // and the payment says why (a person decides: refund it, or credit the user by hand).
    const foreign = intent.currency.toLowerCase() !== payment.currency.toLowerCase();
    const moneyHeld = to === "succeeded" || to === "authorized";
    const fields = {
      // Written only when it was missing (a crash before it was stored): rewriting the same value would still
      // move its entry in the unique index, a random page of a large ledger.
      ...(payment.stripePaymentIntentId === intent.id ? {} : { stripePaymentIntentId: intent.id }),
      livemode: intent.livemode,
      amountReceived: foreign ? 0 : (intent.amount_received ?? 0),
      amountCapturable: foreign ? 0 : (intent.amount_capturable ?? 0),
      lastSyncedAt: new Date(),
      // Card brand, last four, wallet or method, for the console: only when it changed.
      ...paymentMethodFields(intent, payment),
      // The capture queue's due time while authorized (the dealer's PAYMENT_AUTO_CAPTURE_AFTER), cleared after.
      ...(to === "authorized"
        ? { captureAt: captureAtFor(services.config, payment.authorizedAt) }
        : payment.captureAt
          ? { captureAt: null }
          : {}),
      ...(to === "failed" && error
        ? { failureCode: error.decline_code ?? error.code ?? "payment_failed", failureMessage: payerMessageForFailure(error) }
        : {}),
      ...(foreign && moneyHeld ? { failureCode: CURRENCY_MISMATCH, failureMessage: currencyMismatchMessage(intent, payment.currency) } : {}),
    };
    const moved = await movePayment(sql, payment, to, source, fields);
    payment = moved.payment;
    if (!moved.moved) {
      // Same status, newer facts (a second decline, the amount captured): keep the latest. A payment already
      // past the PaymentIntent's status (refunded) still records that it was read, which the sweep goes by.
      payment = (await updatePayment(sql, payment.dealerId, payment.id, payment.status === to ? fields : { lastSyncedAt: fields.lastSyncedAt })) ?? payment;
    }

    let creditId: string | undefined;
    let refundsChanged = false;
    let refundsWaiting: string[] = [];
    if (intent.status === "succeeded") {
      if (!foreign) creditId = await ensureCredit(sql, payment, intent);
      if (refunds) {
        // A foreign PaymentIntent was never credited, so its refunds debit nothing; they only end the payment.
        const result = foreign ? { refunded: refundedTotal(refunds), changed: false, waiting: [] } : await applyRefunds(models(), payment, intent, refunds);
        refundsChanged = result.changed;
        refundsWaiting = result.waiting;
        if (result.refunded > 0) {
          const fullyRefunded = result.refunded >= (intent.amount_received ?? 0);
          payment = (await movePayment(sql, payment, fullyRefunded ? "refunded" : "partially_refunded", source)).payment;
        }
        // What Stripe says is refunded now: lower again when a refund fails later.
        const amountRefunded = foreign ? 0 : result.refunded;
        if (payment.amountRefunded !== amountRefunded) {
          payment = (await updatePayment(sql, payment.dealerId, payment.id, { amountRefunded })) ?? payment;
        }
      }
    }
    // Features plugged in at the composition root (automatic top-up: a rule's enrolment succeeded, a top-up became final).
    if (hooked) await services.hooks.afterPaymentSync(models(), services.config, payment, intent);
    return { kind: "synced", payment, movementsChanged: creditId !== undefined || refundsChanged, refundsWaiting, creditId };
  });
  if (outcome.kind === "synced" && outcome.movementsChanged) {
    // A new credit: the worker claims that row; refunds may have changed several, which it looks for.
    services.wakeWorker(outcome.creditId && services.dealer ? { queue: "movement", dealerId: services.dealer.id, id: outcome.creditId, version: 0, state: "pending" } : undefined);
  }
  // After the ledger's transaction, never inside it: a receipt the payer asked for (it never throws).
  if (outcome.kind === "synced") await sendRequestedReceipt(services, intent, outcome.payment.navixyUserId);
  return outcome;
}

async function findPayment(sql: DirectSql, dealerId: string, intent: Stripe.PaymentIntent): Promise<{ kind: "ours"; payment: Payment } | Extract<SyncOutcome, { kind: "not_ours" }>> {
  const byIntent = await paymentByIntent(sql, dealerId, intent.id);
  if (byIntent) return { kind: "ours", payment: byIntent };
  // We may have crashed between creating the PaymentIntent and storing its id: our metadata links them.
  const paymentId = intent.metadata?.payment_id;
  if (!paymentId) return { kind: "not_ours", reason: "PaymentIntent was not created by this gateway" };
  const byMetadata = await paymentById(sql, dealerId, paymentId);
  if (!byMetadata) {
    // The ledger is scoped to this dealer: another dealer's payment is not found here either.
    return isPaymentId(paymentId) && intent.metadata?.navixy_user_id
      ? { kind: "not_ours", foreign: true, reason: `payment ${paymentId} of PaymentIntent ${intent.id} is not in this dealer's ledger: this webhook endpoint receives the events of another dealer or deployment on the same Stripe account` }
      : { kind: "not_ours", reason: `no payment ${paymentId} in this ledger` };
  }
  if (byMetadata.stripePaymentIntentId && byMetadata.stripePaymentIntentId !== intent.id) {
    return { kind: "not_ours", reason: `payment ${paymentId} belongs to another PaymentIntent` };
  }
  if (String(byMetadata.navixyUserId) !== intent.metadata?.navixy_user_id || byMetadata.currency !== intent.currency) {
    return { kind: "not_ours", reason: `PaymentIntent metadata does not match payment ${paymentId}` };
  }
  return { kind: "ours", payment: byMetadata };
}

/** Pending and succeeded refunds, as Stripe counts them refunded. */
function refundedTotal(refunds: Stripe.Refund[]): number {
  return refunds.filter((r) => r.status === "pending" || r.status === "succeeded").reduce((sum, r) => sum + r.amount, 0);
}

/** Why a payment was not credited: for the dealer console and, plainly, for the payer. */
function currencyMismatchMessage(intent: Stripe.PaymentIntent, ledgerCurrency: string): string {
  const amount = intent.amount_received || intent.amount_capturable || intent.amount;
  return `Stripe received ${toMajorString(amount, intent.currency)} ${intent.currency.toUpperCase()}, but this payment is in ${ledgerCurrency.toUpperCase()}: it is not credited to the Navixy balance until a person looks at it.`;
}

/** Records the credit owed for a succeeded PaymentIntent, once. Returns its id when it was created now. */
async function ensureCredit(sql: DirectSql, payment: Payment, intent: Stripe.PaymentIntent): Promise<string | undefined> {
  // The caller refuses a foreign PaymentIntent; this guard keeps any other caller from crediting one.
  if (intent.currency.toLowerCase() !== payment.currency.toLowerCase()) return undefined;
  const amount = intent.amount_received;
  if (!Number.isSafeInteger(amount) || amount <= 0) return undefined;
  const id = newId("mv");
  // One INSERT that does nothing when the credit exists (another sync recorded it): the database keeps one.
  const inserted = await insertCreditOnce(sql, {
    id,
    dealerId: payment.dealerId,
    paymentId: payment.id,
    navixyUserId: payment.navixyUserId,
    amount,
    currency: intent.currency,
    navixyAmount: toNavixyAmount(amount, intent.currency),
    reference: intent.id,
    text: creditText(intent.id),
    idempotencyKey: creditKey(intent.id),
  });
  return inserted ? id : undefined;
}

/** What the user reads in their Navixy transaction list; it carries the PaymentIntent id we look up later. */
export function creditText(paymentIntentId: string): string {
  return `Balance top-up via Stripe, payment ${paymentIntentId}`;
}
