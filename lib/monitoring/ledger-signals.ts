// The ledger's operational signals for every dealer at once: what is owed to Navixy and since when, the Stripe events
// waiting, what needs a person, the dealers backed off, the open alerts, when a worker was last seen. A dozen grouped
// queries (each a range on an indexed column, grouped by dealer), never a query per dealer, and kept for a few
// seconds: a scrape of every instance every 15 s, or a console page, costs the same at 1,000 dealers as at one.
// The gauges of GET /metrics and the console's overview read the same snapshot, so they always agree.
import type { Db } from "../db/client";
import { DEFAULT_DEALER } from "../dealers/directory";
import { REFUND_FAILED_NOTE } from "../payments/refunds";
import { CURRENCY_MISMATCH } from "../payments/sync-payment-intent";

/** Kinds of items needing a person, as the attention list names them (lib/payments/attention.ts). */
export type AttentionKind = "movement_failed" | "movement_unknown" | "movement_stuck" | "refund_failed" | "currency_mismatch" | "authorization_waiting" | "authorization_expiring";

export interface DealerOperations {
  dealerId: string;
  slug: string;
  /** Balance movements owed to Navixy (pending, being sent, outcome unknown), by kind. */
  owed: { credit: number; debit: number };
  owedOldestAt: Date | null;
  eventsWaiting: number;
  eventsOldestAt: Date | null;
  attention: Partial<Record<AttentionKind, number>>;
  /** Credits and debits needing a person that are not applied yet, by kind (for the alerts). */
  attentionByKind: { credit: number; debit: number };
  backoff: { since: Date; reason: string | null; retryAt: Date | null } | null;
  alertsOpen: Partial<Record<string, number>>;
}

export interface LedgerSnapshot {
  at: Date;
  /** Every dealer with something to show (others have nothing owed, waiting, open or backed off). */
  dealers: Map<string, DealerOperations>;
  /** Slugs of every dealer, by id ("default" for the environment's). */
  slugs: Map<string, string>;
  deliveriesWaiting: number;
  /** The freshest heartbeat of any worker of the deployment. */
  workerSeenAt: Date | null;
}

const OWED_STATES = ["pending", "unknown", "sending"];
const WAITING_EVENTS = ["received", "processing"];
const AUTHORIZATION_LIFETIME_MS = 7 * 86_400_000;
const EXPIRY_WARNING_MS = 86_400_000;
/** How long a snapshot is served before the ledger is read again. */
export const SNAPSHOT_TTL_MS = 5_000;

function emptyDealer(dealerId: string, slug: string): DealerOperations {
  return {
    dealerId,
    slug,
    owed: { credit: 0, debit: 0 },
    owedOldestAt: null,
    eventsWaiting: 0,
    eventsOldestAt: null,
    attention: {},
    attentionByKind: { credit: 0, debit: 0 },
    backoff: null,
    alertsOpen: {},
  };
}

const earlier = (a: Date | null, b: Date | null | undefined) => (!b ? a : !a || b < a ? b : a);

/** Reads the snapshot from the ledger now (a dozen grouped queries, whatever the number of dealers). */
export async function readLedgerSnapshot(db: Db, now = new Date()): Promise<LedgerSnapshot> {
  const expiringBefore = new Date(now.getTime() - (AUTHORIZATION_LIFETIME_MS - EXPIRY_WARNING_MS));
  const [dealerRows, owed, events, attention, refundsFailed, mismatched, authorized, expiring, backoffs, alerts, deliveriesWaiting, heartbeat] = await Promise.all([
    db.dealer.findMany({ select: { id: true, slug: true } }),
    db.balanceMovement.groupBy({ by: ["dealerId", "kind"], where: { state: { in: OWED_STATES } }, _count: { _all: true }, _min: { createdAt: true } }),
    db.stripeEvent.groupBy({ by: ["dealerId"], where: { status: { in: WAITING_EVENTS } }, _count: { _all: true }, _min: { receivedAt: true } }),
    db.balanceMovement.groupBy({ by: ["dealerId", "kind", "state"], where: { needsAttention: true, state: { notIn: ["applied", "canceled"] } }, _count: { _all: true } }),
    db.balanceMovement.groupBy({
      by: ["dealerId"],
      where: { needsAttention: true, kind: "debit", state: { in: ["applied", "canceled"] }, lastError: { startsWith: REFUND_FAILED_NOTE } },
      _count: { _all: true },
    }),
    db.payment.groupBy({ by: ["dealerId"], where: { failureCode: CURRENCY_MISMATCH, status: { in: ["succeeded", "partially_refunded"] } }, _count: { _all: true } }),
    db.payment.groupBy({ by: ["dealerId"], where: { status: "authorized" }, _count: { _all: true } }),
    db.payment.groupBy({ by: ["dealerId"], where: { status: "authorized", authorizedAt: { lt: expiringBefore } }, _count: { _all: true } }),
    db.dealerBackoff.findMany({ where: { state: "open" } }),
    db.alertIncident.groupBy({ by: ["dealerId", "kind"], where: { state: "open" }, _count: { _all: true } }),
    db.alertDelivery.count({ where: { state: { in: ["pending", "sending"] } } }),
    db.workerHeartbeat.aggregate({ _max: { seenAt: true } }),
  ]);
  const slugs = new Map<string, string>([[DEFAULT_DEALER.id, DEFAULT_DEALER.slug], ...dealerRows.map((d) => [d.id, d.slug] as [string, string])]);
  const dealers = new Map<string, DealerOperations>();
  const of = (dealerId: string) => {
    let d = dealers.get(dealerId);
    if (!d) dealers.set(dealerId, (d = emptyDealer(dealerId, slugs.get(dealerId) ?? dealerId)));
    return d;
  };
  for (const r of owed) {
    const d = of(r.dealerId);
    if (r.kind === "credit" || r.kind === "debit") d.owed[r.kind] += r._count._all;
    d.owedOldestAt = earlier(d.owedOldestAt, r._min.createdAt);
  }
  for (const r of events) {
    const d = of(r.dealerId);
    d.eventsWaiting += r._count._all;
    d.eventsOldestAt = earlier(d.eventsOldestAt, r._min.receivedAt);
  }
  const add = (d: DealerOperations, kind: AttentionKind, n: number) => (d.attention[kind] = (d.attention[kind] ?? 0) + n);
  for (const r of attention) {
    const d = of(r.dealerId);
    add(d, r.state === "failed" ? "movement_failed" : r.state === "unknown" ? "movement_unknown" : "movement_stuck", r._count._all);
    if (r.kind === "credit" || r.kind === "debit") d.attentionByKind[r.kind] += r._count._all;
  }
  for (const r of refundsFailed) add(of(r.dealerId), "refund_failed", r._count._all);
  for (const r of mismatched) add(of(r.dealerId), "currency_mismatch", r._count._all);
  const expiringBy = new Map(expiring.map((r) => [r.dealerId, r._count._all]));
  for (const r of authorized) {
    const d = of(r.dealerId);
    const soon = expiringBy.get(r.dealerId) ?? 0;
    if (soon > 0) add(d, "authorization_expiring", soon);
    if (r._count._all - soon > 0) add(d, "authorization_waiting", r._count._all - soon);
  }
  for (const b of backoffs) of(b.dealerId).backoff = { since: b.updatedAt, reason: b.reason, retryAt: b.retryAt };
  for (const r of alerts) of(r.dealerId).alertsOpen[r.kind] = r._count._all;
  return { at: now, dealers, slugs, deliveriesWaiting, workerSeenAt: heartbeat._max.seenAt ?? null };
}

interface SnapshotCache {
  db: Db | undefined;
  snapshot: LedgerSnapshot | undefined;
  reading: Promise<LedgerSnapshot> | undefined;
}

const cache: SnapshotCache = ((globalThis as { __gatewayLedgerSnapshot?: SnapshotCache }).__gatewayLedgerSnapshot ??= {
  db: undefined,
  snapshot: undefined,
  reading: undefined,
});

/**
 * The snapshot, read again when older than SNAPSHOT_TTL_MS; concurrent callers (several scrapers, a console page)
 * share one read.
 */
export async function ledgerSnapshot(db: Db, now = Date.now()): Promise<LedgerSnapshot> {
  if (cache.db !== db) {
    cache.db = db;
    cache.snapshot = undefined;
    cache.reading = undefined;
  }
  if (cache.snapshot && now - cache.snapshot.at.getTime() < SNAPSHOT_TTL_MS) return cache.snapshot;
  cache.reading ??= readLedgerSnapshot(db, new Date(now))
    .then((s) => {
      if (cache.db === db) cache.snapshot = s;
      return s;
    })
    .finally(() => {
      cache.reading = undefined;
    });
  return cache.reading;
}

/** One dealer's part of the snapshot (an all-zero one when it has nothing to show). */
export function dealerOperations(snapshot: LedgerSnapshot, dealerId: string): DealerOperations {
  return snapshot.dealers.get(dealerId) ?? emptyDealer(dealerId, snapshot.slugs.get(dealerId) ?? dealerId);
}
