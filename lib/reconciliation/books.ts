// The books of a period for the dealer's accountant: each of Stripe's balance transactions of the period (a payment's
// gross, Stripe's fee and the net; refunds, disputes) with the payout that paid it out and its date, the payment's
// Navixy user and the Navixy transaction that credited it (as the ledger applied it; the reconciliation checks it is
// in Navixy); and the payouts with how many of the period's transactions each holds.
import type Stripe from "stripe";
import type { Services } from "../server/services";
import type { Period } from "./period";
import { SourceUnavailable, stripeEntryOf, STRIPE_PAGE, type StripeEntry } from "./sources";

export interface BookRow {
  /** "payment", "refund", "refund_failure", "dispute", or Stripe's type for anything else. */
  kind: string;
  createdAt: Date;
  balanceTransactionId: string;
  sourceId: string | null;
  paymentId: string | null;
  paymentIntentId: string | null;
  navixyUserId: number | null;
  currency: string;
  /** Minor units, signed as they move the Stripe balance. */
  gross: number;
  fee: number;
  net: number;
  payoutId: string | null;
  payoutArrival: Date | null;
  /** The ledger's movement for it: "<applied at> <amount> <text>", or null when none was applied. */
  navixyTransaction: string | null;
}

export interface PayoutRow {
  id: string;
  created: Date;
  arrival: Date;
  amount: number;
  currency: string;
  status: string;
  /** Of this period's transactions, how many it paid out. */
  transactions: number;
}

/** Payouts are looked for this long after the period: Stripe pays out within days; a held balance later. */
const PAYOUT_HORIZON_MS = 35 * 86_400_000;

function kindOf(e: StripeEntry): string {
  if (e.type === "charge" || e.type === "payment") return "payment";
  if (e.type === "adjustment" && (e.reportingCategory === "dispute" || e.disputeId)) return "dispute";
  return e.type;
}

async function stripeRead<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new SourceUnavailable("stripe", error instanceof Error ? error.message : String(error));
  }
}

export async function booksOfPeriod(services: Services, period: Pick<Period, "start" | "end">): Promise<{ rows: BookRow[]; payouts: PayoutRow[] }> {
  const created = { gte: Math.floor(period.start.getTime() / 1000), lt: Math.ceil(period.end.getTime() / 1000) };
  const entries: StripeEntry[] = [];
  await stripeRead(async () => {
    for await (const txn of services.stripe.balanceTransactions.list({ created, limit: STRIPE_PAGE, expand: ["data.source"] })) {
      if (txn.type !== "payout") entries.push(stripeEntryOf(txn));
    }
  });

  // Which payout paid each transaction: the payouts made since the period began, each listing what it holds.
  const ours = new Set(entries.map((e) => e.id));
  const paidBy = new Map<string, Stripe.Payout>();
  const payouts: PayoutRow[] = [];
  await stripeRead(async () => {
    const until = Math.ceil(Math.min(Date.now(), period.end.getTime() + PAYOUT_HORIZON_MS) / 1000);
    for await (const payout of services.stripe.payouts.list({ created: { gte: created.gte, lt: until + 1 }, limit: STRIPE_PAGE })) {
      let count = 0;
      for await (const txn of services.stripe.balanceTransactions.list({ payout: payout.id, limit: STRIPE_PAGE })) {
        if (!ours.has(txn.id)) continue;
        paidBy.set(txn.id, payout);
        count++;
      }
      if (count > 0) {
        payouts.push({
          id: payout.id,
          created: new Date(payout.created * 1000),
          arrival: new Date(payout.arrival_date * 1000),
          amount: payout.amount,
          currency: payout.currency,
          status: payout.status,
          transactions: count,
        });
      }
    }
  });

  // The ledger's payments and the movements that credited or debited them.
  const intents = [...new Set(entries.map((e) => e.paymentIntentId).filter((x): x is string => !!x))];
  const payments = new Map<string, { id: string; navixyUserId: number; movements: { idempotencyKey: string; state: string; appliedAt: Date | null; navixyAmount: string; text: string }[] }>();
  for (let i = 0; i < intents.length; i += 500) {
    const rows = await services.db.payment.findMany({
      where: { stripePaymentIntentId: { in: intents.slice(i, i + 500) } },
      select: { id: true, stripePaymentIntentId: true, navixyUserId: true, movements: { select: { idempotencyKey: true, state: true, appliedAt: true, navixyAmount: true, text: true } } },
    });
    for (const p of rows) if (p.stripePaymentIntentId) payments.set(p.stripePaymentIntentId, p);
  }

  const rows = entries
    .map((e): BookRow => {
      const payment = e.paymentIntentId ? payments.get(e.paymentIntentId) : undefined;
      const key = kindOf(e) === "payment" ? `credit:${e.paymentIntentId}` : e.refundId ? `debit:${e.refundId}` : null;
      const movement = key ? payment?.movements.find((m) => m.idempotencyKey === key && m.state === "applied") : undefined;
      const payout = paidBy.get(e.id);
      return {
        kind: kindOf(e),
        createdAt: new Date(e.created * 1000),
        balanceTransactionId: e.id,
        sourceId: e.sourceId,
        paymentId: payment?.id ?? null,
        paymentIntentId: e.paymentIntentId,
        navixyUserId: payment?.navixyUserId ?? null,
        currency: e.currency,
        gross: e.amount,
        fee: e.fee,
        net: e.net,
        payoutId: payout?.id ?? null,
        payoutArrival: payout ? new Date(payout.arrival_date * 1000) : null,
        navixyTransaction: movement ? `${movement.appliedAt?.toISOString() ?? ""} ${movement.navixyAmount} ${movement.text}` : null,
      };
    })
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.balanceTransactionId.localeCompare(b.balanceTransactionId));
  payouts.sort((a, b) => a.arrival.getTime() - b.arrival.getTime());
  return { rows, payouts };
}
