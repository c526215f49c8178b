// The sweep: the worker takes its due payments across every dealer (worker/queues.ts) and re-reads from Stripe every
// payment that should have moved on by now (a missed webhook never leaves a payment stuck), and cancels
// PaymentIntents the payer abandoned. (Authorizations due for capture are a queue of their own: capture.ts.) It also
// re-reads recently refunded payments, at a slower pace: Stripe can fail a refund days after it succeeded, and a missed refund.failed must not leave
// the balance debited. Everything goes through the same idempotent paths as webhooks, so several workers
// sweeping at once do no harm; a conditional update on lastSyncedAt keeps them from doing the same work twice.
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

/** A payment the sweep should look at now: whose, which. */
export interface SweepCandidate {
  id: string;
  dealerId: string;
}

/**
 * The payments due for the sweep, of every dealer `db` sees (the worker passes the unscoped client and gets every
 * dealer's in one query; a dealer's own services get its own), oldest first: payments that should have moved on by
 * now, and refunded payments due for their slower re-read. `where` narrows it (the worker's dealer filter).
 */
export async function dueSweeps(
  db: SyncDeps["db"],
  worker: Pick<SyncDeps["config"]["worker"], "sweepAfterMs">,
  now: Date,
  opts: { limit?: number; refundLimit?: number; where?: { dealerId?: unknown } } = {},
): Promise<SweepCandidate[]> {
  const staleBefore = new Date(now.getTime() - worker.sweepAfterMs);
  const where = (opts.where ?? {}) as Record<string, never>;
  const candidates = await db.payment.findMany({
    where: {
      ...where,
      status: { in: NOT_FINAL },
      updatedAt: { lt: staleBefore },
      OR: [{ lastSyncedAt: null }, { lastSyncedAt: { lt: staleBefore } }],
    },
    orderBy: { updatedAt: "asc" },
    take: opts.limit ?? BATCH,
    select: { id: true, dealerId: true },
  });
  // Refunded within REFUND_WATCH_MS and not read for REFUND_RECHECK_MS. Every sync of a refund writes
  // lastSyncedAt, so the range on it (index status, lastSyncedAt) keeps older refunds out of the scan.
  const watchFrom = new Date(now.getTime() - REFUND_WATCH_MS);
  const recheckBefore = new Date(now.getTime() - Math.max(REFUND_RECHECK_MS, worker.sweepAfterMs));
  const refunded = await db.payment.findMany({
    where: {
      ...where,
      status: { in: REFUNDED },
      lastSyncedAt: { gte: watchFrom, lt: recheckBefore },
      stripePaymentIntentId: { not: null },
      movements: { some: { kind: "debit", createdAt: { gte: watchFrom } } },
    },
    orderBy: { lastSyncedAt: "asc" },
    take: opts.refundLimit ?? REFUND_BATCH,
    select: { id: true, dealerId: true },
  });
  return [...candidates, ...refunded];
}

/** One dealer's sweep, all at once (`npm run payments -- sweep`, tests); the worker sweeps payment by payment. */
export async function sweepPayments(services: SyncDeps, now = new Date()): Promise<SweepReport> {
  const report: SweepReport = { resynced: 0, abandoned: 0, errors: 0 };
  for (const { id } of await dueSweeps(services.db, services.config.worker, now)) {
    const outcome = await sweepPayment(services, id, now);
    if (outcome === "resynced") report.resynced++;
    else if (outcome === "abandoned") report.abandoned++;
    else if (outcome === "error") report.errors++;
  }
  return report;
}

export type SweepOutcome = "resynced" | "abandoned" | "skipped" | "error";

/**
 * Brings one payment up to date if it is still due: re-read from Stripe (cancelled once abandoned). Claimed by a
 * conditional update of lastSyncedAt, so of several sweepers exactly one works on it; a payment another sweeper
 * read meanwhile is no longer due and is skipped.
 */
export async function sweepPayment(services: SyncDeps, paymentId: string, now = new Date()): Promise<SweepOutcome> {
  const { db, config } = services;
  const payment = await db.payment.findUnique({ where: { id: paymentId } });
  if (!payment) return "skipped";
  const staleBefore = now.getTime() - config.worker.sweepAfterMs;
  const notFinalDue =
    NOT_FINAL.includes(payment.status) && payment.updatedAt.getTime() < staleBefore && (payment.lastSyncedAt?.getTime() ?? 0) < staleBefore;
  const refundDue =
    REFUNDED.includes(payment.status) &&
    payment.lastSyncedAt !== null &&
    payment.lastSyncedAt.getTime() < now.getTime() - Math.max(REFUND_RECHECK_MS, config.worker.sweepAfterMs);
  if (!notFinalDue && !refundDue) return "skipped";
  // Claim: only the sweeper whose update matches works on this payment now.
  const { count } = await db.payment.updateMany({
    where: { id: payment.id, lastSyncedAt: payment.lastSyncedAt },
    data: { lastSyncedAt: now },
  });
  if (count === 0) return "skipped";
  try {
    const age = now.getTime() - payment.createdAt.getTime();
    if (!payment.stripePaymentIntentId) {
      // The PaymentIntent was never created (Stripe refused or was down): nothing can complete it.
      if (age > config.worker.abandonAfterMs) {
        await services.sql.transaction((sql) => movePayment(sql, payment, "abandoned", "sweep"));
        return "abandoned";
      }
      return "skipped";
    }
    const outcome = await syncPaymentIntent(services, asPaymentIntentId(payment.stripePaymentIntentId), "sweep", { refunds: true });
    if (outcome.kind !== "synced") return "resynced";
    const current = outcome.payment;
    if ((current.status === "awaiting_payment" || current.status === "failed") && age > config.worker.abandonAfterMs) {
      await cancelPayment(services, asPaymentId(current.id), "sweep", "abandoned");
      return "abandoned";
    }
    return "resynced";
  } catch (error) {
    paymentLogger(payment.id).error({ err: error }, "sweep could not bring the payment up to date");
    return "error";
  }
}
