// The money's path as the worker's queues, each due query one statement for every dealer (plain statements for the
// events and movements, looked at on every pass; the unscoped client for the others; the worker's dealer filter added): stored Stripe events and owed balance movements (looked at on every pass and woken
// by hints), and the periodic work as due rows: the sweep's payments (missed webhooks, abandoned and refunded
// payments) and the authorizations whose automatic capture is due. Each row is then worked with its own dealer's
// services, whose database view is scoped to that dealer.
import type { Config } from "../../config";
import { captureIfDue, dueCaptures } from "../capture";
import { workStripeEvent } from "../intake/handle-stripe-event";
import { workMovement } from "../outbox/send-movement";
import { dueSweeps, sweepPayment } from "../sweep";
import { dueEvents, dueMovements } from "../ledger/ledger-sql";
import { dealerFilter, type WorkQueue } from "./queue";

/** Stored Stripe events: new, due for a retry, or left by a worker whose lease ran out. */
export const stripeEventQueue: WorkQueue = {
  name: "event",
  async due(_db, q, sql) {
    const rows = await dueEvents(sql, q.now, q.limit, { only: q.onlyDealer, exclude: q.excludeDealers });
    return rows.map((r) => ({ queue: "event", ...r }));
  },
  async work(claimant, item) {
    const result = await workStripeEvent(claimant, item);
    if (!result.worked) return { worked: false, health: "neutral" };
    const retry = result.retryAt ? { retryAt: result.retryAt } : {};
    return result.stripeFailing
      ? { worked: true, health: "failing", service: "stripe", reason: result.stripeFailing, ...retry }
      : { worked: true, health: "ok", service: "stripe", ...retry };
  },
  inFlight: (db, q) => db.stripeEvent.count({ where: { ...dealerFilter(q), status: "processing", leaseUntil: { gte: q.now } } }),
};

/** Balance movements owed to Navixy: pending, unknown (looked up before anything is sent again), or abandoned mid-call. */
export const movementQueue: WorkQueue = {
  name: "movement",
  async due(_db, q, sql) {
    const rows = await dueMovements(sql, q.now, q.limit, { only: q.onlyDealer, exclude: q.excludeDealers });
    return rows.map((r) => ({ queue: "movement", ...r }));
  },
  work: async (claimant, item) => ({ ...(await workMovement(claimant, item)), service: "navixy" }),
  inFlight: (db, q) => db.balanceMovement.count({ where: { ...dealerFilter(q), state: "sending", leaseUntil: { gte: q.now } } }),
};

/** The sweep's payments, every SWEEP_INTERVAL_MS (and again at once while a look fills its batch). */
export function sweepQueue(worker: Config["worker"]): WorkQueue {
  return {
    name: "sweep",
    intervalMs: worker.sweepIntervalMs,
    async due(db, q) {
      const rows = await dueSweeps(db, worker, q.now, { limit: q.limit, refundLimit: Math.ceil(q.limit / 2), where: dealerFilter(q) });
      return rows.map((r) => ({ queue: "sweep", ...r }));
    },
    async work(claimant, item) {
      const outcome = await sweepPayment(claimant.services, item.id);
      if (outcome === "skipped") return { worked: false, health: "neutral" };
      return outcome === "error" ? { worked: true, health: "neutral" } : { worked: true, health: "ok", service: "stripe" };
    },
  };
}

/** Authorizations whose automatic capture is due (Payment.captureAt). */
export function captureQueue(worker: Config["worker"]): WorkQueue {
  return {
    name: "capture",
    intervalMs: Math.min(worker.sweepIntervalMs, 60_000),
    async due(db, q) {
      const rows = await dueCaptures(db, q.now, { limit: q.limit, where: dealerFilter(q) });
      return rows.map((r) => ({ queue: "capture", ...r }));
    },
    async work(claimant, item) {
      const outcome = await captureIfDue(claimant.services, item.id);
      if (outcome === "skipped") return { worked: false, health: "neutral" };
      return outcome === "captured" ? { worked: true, health: "ok", service: "stripe" } : { worked: true, health: "neutral" };
    },
  };
}

/** The money's path: events first, then movements (a dealer's rows are taken in this order), then periodic work. */
export function coreQueues(worker?: Config["worker"]): WorkQueue[] {
  return worker ? [stripeEventQueue, movementQueue, sweepQueue(worker), captureQueue(worker)] : [stripeEventQueue, movementQueue];
}
