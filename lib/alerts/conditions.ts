// What is wrong now, for every dealer at once: the ledger's snapshot (lib/monitoring/ledger-signals.ts) and a few more
// grouped queries (credits waiting too long, payments Stripe moved on without any webhook, the dealers' credential
// signals, the reconciled days with differences). Never a query per dealer.
import type { Config } from "../config";
import type { Db } from "../db/client";
import { NAVIXY_LOGIN, NAVIXY_PERMISSION, STRIPE_KEY } from "../monitoring/dealer-signals";
import { rawTime, readLedgerSnapshot } from "../monitoring/ledger-signals";
import type { Condition } from "./incidents";
import type { AlertKind } from "./kinds";

export interface DealerCondition extends Condition {
  dealerId: string;
  kind: AlertKind;
  subject: string;
}

/** Reconciled days (labels "YYYY-MM-DD" in the dealer's zone) this recent are alerted on while their latest result has differences. */
export const RECONCILIATION_ALERT_DAYS = 31;

/** A webhook gets this long to arrive before a payment counts as one whose webhook never came. */
export const WEBHOOK_GRACE_MS = 10 * 60_000;

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace(/\.\d+Z$/, "Z") : "?");

interface ConditionRow {
  m: string;
  d: string;
  k: string | null;
  n: number | bigint | null;
  t: unknown;
  t2: unknown;
  x: string | null;
}

export async function readConditions(db: Db, alerts: Config["alerts"], now = new Date()): Promise<DealerCondition[]> {
  const noWebhookSince = new Date(now.getTime() - alerts.noWebhookAfterMs);
  const graceEnds = new Date(now.getTime() - WEBHOOK_GRACE_MS);
  const waitingBefore = new Date(now.getTime() - alerts.creditWaitingAfterMs);
  const firstDay = new Date(now.getTime() - RECONCILIATION_ALERT_DAYS * 86_400_000).toISOString().slice(0, 10);
  // One statement besides the snapshot: raw SQL, for the same reason (no query compiler on every evaluation).
  const [snapshot, rows] = await Promise.all([
    readLedgerSnapshot(db, now),
    db.$queryRaw<ConditionRow[]>`
      SELECT 'waiting' AS m, "dealerId" AS d, CAST(NULL AS TEXT) AS k, COUNT(*) AS n, MIN("createdAt") AS t, CAST(NULL AS TIMESTAMP) AS t2,
          CAST(NULL AS TEXT) AS x FROM "BalanceMovement"
        WHERE "state" IN ('pending', 'unknown', 'sending') AND "kind" = 'credit' AND "needsAttention" = false AND "createdAt" < ${waitingBefore}
        GROUP BY "dealerId"
      UNION ALL SELECT 'no_webhooks', p."dealerId", NULL, COUNT(*), MIN(p."createdAt"), NULL, NULL FROM "Payment" p
        WHERE p."createdAt" >= ${noWebhookSince} AND p."createdAt" < ${graceEnds}
          AND p."stripePaymentIntentId" IS NOT NULL
          AND p."status" IN ('processing', 'authorized', 'succeeded', 'partially_refunded', 'refunded', 'failed')
          AND NOT EXISTS (SELECT 1 FROM "StripeEvent" e WHERE e."paymentId" = p."id")
          AND NOT EXISTS (SELECT 1 FROM "StripeEvent" e WHERE e."dealerId" = p."dealerId" AND e."receivedAt" >= ${noWebhookSince})
        GROUP BY p."dealerId"
      UNION ALL SELECT 'signal', "dealerId", "kind", 1, "failingSince", "lastFailureAt", "detail" FROM "DealerSignal" WHERE "failingSince" IS NOT NULL
      UNION ALL SELECT 'reconciliation', r."dealerId", r."label", r."differenceCount", r."finishedAt", NULL, NULL FROM "ReconciliationRun" r
        WHERE r."status" = 'differences' AND r."label" >= ${firstDay} AND r."label" NOT LIKE '%..%'
          AND NOT EXISTS (SELECT 1 FROM "ReconciliationRun" l WHERE l."dealerId" = r."dealerId" AND l."label" = r."label"
            AND l."status" <> 'running' AND l."startedAt" > r."startedAt")`,
  ]);
  const out: DealerCondition[] = [];
  for (const d of snapshot.dealers.values()) {
    const base = { dealerId: d.dealerId, subject: "" };
    if (d.attentionByKind.credit > 0) out.push({ ...base, kind: "credit_attention", count: d.attentionByKind.credit, since: null, summary: `${d.attentionByKind.credit} credit(s) need a person` });
    if (d.attentionByKind.debit > 0) out.push({ ...base, kind: "debit_attention", count: d.attentionByKind.debit, since: null, summary: `${d.attentionByKind.debit} refund debit(s) need a person` });
    const refunds = d.attention.refund_failed ?? 0;
    if (refunds > 0) out.push({ ...base, kind: "refund_failed", count: refunds, since: null, summary: `${refunds} refund(s) failed at Stripe` });
    const expiring = d.attention.authorization_expiring ?? 0;
    if (expiring > 0) out.push({ ...base, kind: "authorization_expiring", count: expiring, since: null, summary: `${expiring} authorization(s) expire within a day` });
    if (d.backoff) {
      out.push({ ...base, kind: "dealer_backed_off", count: 1, since: null, summary: `backed off: ${d.backoff.reason ?? "its Navixy or Stripe does not answer"}` });
    }
  }
  for (const r of rows) {
    const count = Number(r.n ?? 0);
    const since = rawTime(r.t);
    if (r.m === "waiting") {
      out.push({ dealerId: r.d, subject: "", kind: "credits_waiting", count, since, summary: `${count} credit(s) owed since ${iso(since)}` });
    } else if (r.m === "no_webhooks") {
      // The dealer's endpoint delivered nothing in the window while these payments moved on at Stripe (one event lost
      // while others arrive is Stripe's to deliver again, and the sweep's to catch).
      out.push({
        dealerId: r.d,
        subject: "",
        kind: "no_webhooks",
        count,
        since,
        summary: `no webhook since ${iso(noWebhookSince)} or before; ${count} payment(s) moved on at Stripe without one`,
      });
    } else if (r.m === "reconciliation" && r.k) {
      // A day's latest finished run (a day being reconciled again keeps its last result until the new one finishes).
      out.push({ dealerId: r.d, subject: r.k, kind: "reconciliation_difference", count, since, summary: `${r.k}: ${count} difference(s) between Stripe, the ledger and Navixy` });
    } else if (r.m === "signal" && r.k) {
      const detail = `${r.x ?? "failing"} (since ${iso(since)}, last ${iso(rawTime(r.t2))})`;
      if (r.k === NAVIXY_LOGIN) out.push({ dealerId: r.d, subject: "", kind: "navixy_login", count: 1, since, summary: detail });
      else if (r.k === STRIPE_KEY) out.push({ dealerId: r.d, subject: "", kind: "stripe_key", count: 1, since, summary: detail });
      else if (r.k.startsWith(NAVIXY_PERMISSION)) {
        out.push({ dealerId: r.d, subject: r.k.slice(NAVIXY_PERMISSION.length), kind: "navixy_permission", count: 1, since, summary: detail });
      }
    }
  }
  return out;
}
