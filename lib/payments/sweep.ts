// The sweep, run by the worker on a timer: it re-reads from Stripe every payment that should have
// moved on by now (a missed webhook never leaves a payment stuck), and cancels PaymentIntents the payer
// abandoned. (Authorizations due for capture are a job of their own: captureDueAuthorizations in capture.ts.) It also re-reads recently refunded payments, at a
// slower pace: Stripe can fail a refund days after it succeeded, and a missed refund.failed must not leave
// the balance debited. Everything goes through the same idempotent paths as webhooks, so several workers
// sweeping at once do no harm; a conditional update on lastSyncedAt keeps them from doing the same work twice.
import { transaction } from "../db/client";
import { movePayment } from "./ledger/payment-records";
import { cancelPayment } from "./capture";
import { syncPaymentIntent, type SyncDeps } from "./sync-payment-intent";
import { paymentLogger } from "../logging/logger";
import { asPaymentId, asPaymentIntentId } from "../ids";

const NOT_FINAL = ["created", "awaiting_payment", "failed", "processing", "authorized"];
const BATCH = 50;
const REFUNDED = ["partially_refunded", "refunded"];
/** How long after its last refund a payment is re-read: refunds fail back to the account within weeks. */
export const REFUND_WATCH_MS = 30 * 86_400_000;
/** How often, at most, a refunded payment is re-read (its webhooks are the fast path; this is the net). */
export const REFUND_RECHECK_MS = 3_600_000;
const REFUND_BATCH = 20;

export interface SweepReport {
  resynced: number;
  abandoned: number;
  errors: number;
}

export async function sweepPayments(services: SyncDeps, now = new Date()): Promise<SweepReport> {
  const { db, config } = services;
  const report: SweepReport = { resynced: 0, abandoned: 0, errors: 0 };
  const staleBefore = new Date(now.getTime() - config.worker.sweepAfterMs);
  const candidates = await db.payment.findMany({
    where: {
      status: { in: NOT_FINAL },
      updatedAt: { lt: staleBefore },
      OR: [{ lastSyncedAt: null }, { lastSyncedAt: { lt: staleBefore } }],
    },
    orderBy: { updatedAt: "asc" },
    take: BATCH,
  });
  // Refunded within REFUND_WATCH_MS and not read for REFUND_RECHECK_MS. Every sync of a refund writes
  // lastSyncedAt, so the range on it (index status, lastSyncedAt) keeps older refunds out of the scan.
  const watchFrom = new Date(now.getTime() - REFUND_WATCH_MS);
  const recheckBefore = new Date(now.getTime() - Math.max(REFUND_RECHECK_MS, config.worker.sweepAfterMs));
  const refunded = await db.payment.findMany({
    where: {
      status: { in: REFUNDED },
      lastSyncedAt: { gte: watchFrom, lt: recheckBefore },
      stripePaymentIntentId: { not: null },
      movements: { some: { kind: "debit", createdAt: { gte: watchFrom } } },
    },
    orderBy: { lastSyncedAt: "asc" },
    take: REFUND_BATCH,
  });
  for (const payment of [...candidates, ...refunded]) {
    // Claim: only the sweeper whose update matches works on this payment now.
    const { count } = await db.payment.updateMany({
      where: { id: payment.id, lastSyncedAt: payment.lastSyncedAt },
      data: { lastSyncedAt: now },
    });
    if (count === 0) continue;
    try {
      const age = now.getTime() - payment.createdAt.getTime();
      if (!payment.stripePaymentIntentId) {
        // The PaymentIntent was never created (Stripe refused or was down): nothing can complete it.
        if (age > config.worker.abandonAfterMs) {
          await transaction(db, (tx) => movePayment(tx, payment, "abandoned", "sweep"));
          report.abandoned++;
        }
        continue;
      }
      const outcome = await syncPaymentIntent(services, asPaymentIntentId(payment.stripePaymentIntentId), "sweep", { refunds: true });
      report.resynced++;
      if (outcome.kind !== "synced") continue;
      const current = outcome.payment;
      if ((current.status === "awaiting_payment" || current.status === "failed") && age > config.worker.abandonAfterMs) {
        await cancelPayment(services, asPaymentId(current.id), "sweep", "abandoned");
        report.abandoned++;
      }
    } catch (error) {
      report.errors++;
      paymentLogger(payment.id).error({ err: error }, "sweep could not bring the payment up to date");
    }
  }
  return report;
}
