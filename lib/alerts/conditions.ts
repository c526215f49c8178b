// What is wrong now, for every dealer at once: the ledger's snapshot (lib/monitoring/ledger-signals.ts) and a few more
// grouped queries (credits waiting too long, payments Stripe moved on without any webhook, the dealers' credential
// signals). Never a query per dealer.
import type { Config } from "../config";
import type { Db } from "../db/client";
import { NAVIXY_LOGIN, NAVIXY_PERMISSION, STRIPE_KEY } from "../monitoring/dealer-signals";
import { readLedgerSnapshot } from "../monitoring/ledger-signals";
import type { Condition } from "./incidents";
import type { AlertKind } from "./kinds";

export interface DealerCondition extends Condition {
  dealerId: string;
  kind: AlertKind;
  subject: string;
}

/** Statuses Stripe moved a payment to (a webhook was due): neither waiting for the payer nor given up by us. */
const MOVED_ON = ["processing", "authorized", "succeeded", "partially_refunded", "refunded", "failed"];
/** A webhook gets this long to arrive before a payment counts as one whose webhook never came. */
export const WEBHOOK_GRACE_MS = 10 * 60_000;
const OWED = ["pending", "unknown", "sending"];

const iso = (d: Date | null | undefined) => (d ? d.toISOString().replace(/\.\d+Z$/, "Z") : "?");

export async function readConditions(db: Db, alerts: Config["alerts"], now = new Date()): Promise<DealerCondition[]> {
  const noWebhookSince = new Date(now.getTime() - alerts.noWebhookAfterMs);
  const [snapshot, waiting, movedOn, signals] = await Promise.all([
    readLedgerSnapshot(db, now),
    db.balanceMovement.groupBy({
      by: ["dealerId"],
      // Those needing a person are told as such (credit_attention), not twice.
      where: { kind: "credit", state: { in: OWED }, needsAttention: false, createdAt: { lt: new Date(now.getTime() - alerts.creditWaitingAfterMs) } },
      _count: { _all: true },
      _min: { createdAt: true },
    }),
    db.payment.groupBy({
      by: ["dealerId"],
      where: {
        createdAt: { gte: noWebhookSince, lt: new Date(now.getTime() - WEBHOOK_GRACE_MS) },
        stripePaymentIntentId: { not: null },
        status: { in: MOVED_ON },
        events: { none: {} },
      },
      _count: { _all: true },
      _min: { createdAt: true },
    }),
    db.dealerSignal.findMany({ where: { failingSince: { not: null } } }),
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
  for (const r of waiting) {
    out.push({ dealerId: r.dealerId, subject: "", kind: "credits_waiting", count: r._count._all, since: r._min.createdAt, summary: `${r._count._all} credit(s) owed since ${iso(r._min.createdAt)}` });
  }
  if (movedOn.length > 0) {
    // Of those dealers, the ones that did receive a webhook in the window: their endpoint works (one event lost is
    // Stripe's to deliver again, and the sweep's to catch).
    const heard = await db.stripeEvent.groupBy({
      by: ["dealerId"],
      where: { dealerId: { in: movedOn.map((r) => r.dealerId) }, receivedAt: { gte: noWebhookSince } },
      _count: { _all: true },
    });
    const heardFrom = new Set(heard.map((r) => r.dealerId));
    for (const r of movedOn) {
      if (heardFrom.has(r.dealerId)) continue;
      out.push({
        dealerId: r.dealerId,
        subject: "",
        kind: "no_webhooks",
        count: r._count._all,
        since: r._min.createdAt,
        summary: `no webhook since ${iso(noWebhookSince)} or before; ${r._count._all} payment(s) moved on at Stripe without one`,
      });
    }
  }
  for (const s of signals) {
    const since = s.failingSince;
    const detail = `${s.detail ?? "failing"} (since ${iso(since)}, last ${iso(s.lastFailureAt)})`;
    if (s.kind === NAVIXY_LOGIN) out.push({ dealerId: s.dealerId, subject: "", kind: "navixy_login", count: 1, since, summary: detail });
    else if (s.kind === STRIPE_KEY) out.push({ dealerId: s.dealerId, subject: "", kind: "stripe_key", count: 1, since, summary: detail });
    else if (s.kind.startsWith(NAVIXY_PERMISSION)) {
      out.push({ dealerId: s.dealerId, subject: s.kind.slice(NAVIXY_PERMISSION.length), kind: "navixy_permission", count: 1, since, summary: detail });
    }
  }
  return out;
}
