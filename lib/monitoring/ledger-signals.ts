// The ledger's operational signals for every dealer at once: what is owed to Navixy and since when, the Stripe events
// waiting, what needs a person, the dealers backed off, the open alerts, when a worker was last seen. One statement of
// grouped selects (each a range on an indexed column, grouped by dealer), never a query per dealer, and kept for a few
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

/** A timestamp as a raw query returns it: a Date (PostgreSQL, typed SQLite columns) or the stored text or number. */
export function rawTime(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const text = String(value);
  // SQLite may hand back "YYYY-MM-DD HH:MM:SS[.fff]" without a zone: it is UTC.
  return new Date(/^\d{4}-\d\d-\d\d[ T][\d:.]+$/.test(text) ? `${text.replace(" ", "T")}Z` : text);
}

interface SnapshotRow {
  m: string;
  d: string;
  k: string | null;
  n: number | bigint | null;
  t: unknown;
}

/**
 * Reads the snapshot from the ledger now: one statement of grouped selects, each a range on an indexed column
 * (state, status, needsAttention, failureCode), whatever the number of dealers. Raw SQL because the query compiler
 * would cost more CPU than the database does here, and this runs on every scrape and every alert evaluation.
 */
export async function readLedgerSnapshot(db: Db, now = new Date()): Promise<LedgerSnapshot> {
  const expiringBefore = new Date(now.getTime() - (AUTHORIZATION_LIFETIME_MS - EXPIRY_WARNING_MS));
  const rows = await db.$queryRaw<SnapshotRow[]>`
    SELECT 'owed' AS m, "dealerId" AS d, "kind" AS k, COUNT(*) AS n, MIN("createdAt") AS t FROM "BalanceMovement"
      WHERE "state" IN ('pending', 'unknown', 'sending') GROUP BY "dealerId", "kind"
    UNION ALL SELECT 'events', "dealerId", NULL, COUNT(*), MIN("receivedAt") FROM "StripeEvent"
      WHERE "status" IN ('received', 'processing') GROUP BY "dealerId"
    UNION ALL SELECT 'attention', "dealerId", "kind" || ':' || "state", COUNT(*), NULL FROM "BalanceMovement"
      WHERE "needsAttention" = true AND "state" NOT IN ('applied', 'canceled') GROUP BY "dealerId", "kind", "state"
    UNION ALL SELECT 'refund_failed', "dealerId", NULL, COUNT(*), NULL FROM "BalanceMovement"
      WHERE "needsAttention" = true AND "kind" = 'debit' AND "state" IN ('applied', 'canceled') AND "lastError" LIKE ${`${REFUND_FAILED_NOTE}%`}
      GROUP BY "dealerId"
    UNION ALL SELECT 'currency_mismatch', "dealerId", NULL, COUNT(*), NULL FROM "Payment"
      WHERE "failureCode" = ${CURRENCY_MISMATCH} AND "status" IN ('succeeded', 'partially_refunded') GROUP BY "dealerId"
    UNION ALL SELECT 'authorized', "dealerId", NULL, COUNT(*), NULL FROM "Payment" WHERE "status" = 'authorized' GROUP BY "dealerId"
    UNION ALL SELECT 'expiring', "dealerId", NULL, COUNT(*), NULL FROM "Payment"
      WHERE "status" = 'authorized' AND "authorizedAt" < ${expiringBefore} GROUP BY "dealerId"
    UNION ALL SELECT 'backoff', "dealerId", "reason", 1, "updatedAt" FROM "DealerBackoff" WHERE "state" = 'open'
    UNION ALL SELECT 'backoff_retry', "dealerId", NULL, 1, "retryAt" FROM "DealerBackoff" WHERE "state" = 'open'
    UNION ALL SELECT 'alerts', "dealerId", "kind", COUNT(*), NULL FROM "AlertIncident" WHERE "state" = 'open' GROUP BY "dealerId", "kind"
    UNION ALL SELECT 'deliveries', '', NULL, COUNT(*), NULL FROM "AlertDelivery" WHERE "state" IN ('pending', 'sending')
    UNION ALL SELECT 'worker', '', NULL, COUNT(*), MAX("seenAt") FROM "WorkerHeartbeat"
    UNION ALL SELECT 'dealer', "id", "slug", 0, NULL FROM "Dealer"`;
  const slugs = new Map<string, string>([[DEFAULT_DEALER.id, DEFAULT_DEALER.slug]]);
  for (const r of rows) if (r.m === "dealer" && r.k) slugs.set(r.d, r.k);
  const dealers = new Map<string, DealerOperations>();
  const of = (dealerId: string) => {
    let d = dealers.get(dealerId);
    if (!d) dealers.set(dealerId, (d = emptyDealer(dealerId, slugs.get(dealerId) ?? dealerId)));
    return d;
  };
  const add = (d: DealerOperations, kind: AttentionKind, n: number) => (d.attention[kind] = (d.attention[kind] ?? 0) + n);
  const expiringBy = new Map<string, number>();
  const authorizedBy = new Map<string, number>();
  const retryBy = new Map<string, Date | null>();
  let deliveriesWaiting = 0;
  let workerSeenAt: Date | null = null;
  for (const r of rows) {
    const n = Number(r.n ?? 0);
    switch (r.m) {
      case "owed": {
        const d = of(r.d);
        if (r.k === "credit" || r.k === "debit") d.owed[r.k] += n;
        d.owedOldestAt = earlier(d.owedOldestAt, rawTime(r.t));
        break;
      }
      case "events": {
        const d = of(r.d);
        d.eventsWaiting += n;
        d.eventsOldestAt = earlier(d.eventsOldestAt, rawTime(r.t));
        break;
      }
      case "attention": {
        const d = of(r.d);
        const [kind, state] = (r.k ?? ":").split(":");
        add(d, state === "failed" ? "movement_failed" : state === "unknown" ? "movement_unknown" : "movement_stuck", n);
        if (kind === "credit" || kind === "debit") d.attentionByKind[kind] += n;
        break;
      }
      case "refund_failed":
      case "currency_mismatch":
        add(of(r.d), r.m, n);
        break;
      case "authorized":
        authorizedBy.set(r.d, n);
        break;
      case "expiring":
        expiringBy.set(r.d, n);
        break;
      case "backoff":
        of(r.d).backoff = { since: rawTime(r.t) ?? now, reason: r.k, retryAt: null };
        break;
      case "backoff_retry":
        retryBy.set(r.d, rawTime(r.t));
        break;
      case "alerts":
        if (r.k) of(r.d).alertsOpen[r.k] = n;
        break;
      case "deliveries":
        deliveriesWaiting = n;
        break;
      case "worker":
        workerSeenAt = rawTime(r.t);
        break;
    }
  }
  for (const [dealerId, count] of authorizedBy) {
    const d = of(dealerId);
    const soon = expiringBy.get(dealerId) ?? 0;
    if (soon > 0) add(d, "authorization_expiring", soon);
    if (count - soon > 0) add(d, "authorization_waiting", count - soon);
  }
  for (const [dealerId, retryAt] of retryBy) {
    const backoff = dealers.get(dealerId)?.backoff;
    if (backoff) backoff.retryAt = retryAt;
  }
  return { at: now, dealers, slugs, deliveriesWaiting, workerSeenAt };
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
