// The overview's numbers: for payments created today / in 7 days / in 30 days (UTC days), per currency,
// the amount collected (received by Stripe), credited (applied to Navixy balances), refunded, the
// number of payments and the success rate; and the daily volume for the chart. Every query is a range
// on Payment.createdAt (indexed): one grouped query per day, so the cost does not grow with history.
import type { Services } from "../server/services";
import { PAYMENT_CREDIT } from "../payments/ledger/movement-keys";

export const PAID_STATUSES = ["succeeded", "partially_refunded", "refunded"];
/** Still open: neither paid nor given up, so left out of the success rate. */
const OPEN_STATUSES = ["created", "awaiting_payment", "processing", "authorized"];

export interface Totals {
  currency: string;
  payments: number;
  paid: number;
  /** paid / (payments that reached an outcome); null when none did. */
  successRate: number | null;
  collected: number;
  credited: number;
  refunded: number;
}

export interface DayVolume {
  day: string; // YYYY-MM-DD
  currency: string;
  collected: number;
  payments: number;
}

export interface Overview {
  ranges: { label: string; days: number; totals: Totals[] }[];
  daily: DayVolume[];
  /** Currencies seen in the last 30 days, most volume first. */
  currencies: string[];
  attentionCount: number;
}

const DAY = 86_400_000;

export function startOfUtcDay(d: Date): Date {
  return new Date(Math.floor(d.getTime() / DAY) * DAY);
}

interface DayStats {
  // per currency
  [currency: string]: { payments: number; paid: number; open: number; collected: number; refunded: number; credited: number };
}

async function dayStats(services: Services, from: Date, to: Date): Promise<DayStats> {
  const { db } = services;
  const where = { createdAt: { gte: from, lt: to } };
  const [all, paid, open, credited] = await Promise.all([
    db.payment.groupBy({ by: ["currency"], where, _count: { _all: true }, _sum: { amountReceived: true, amountRefunded: true } }),
    db.payment.groupBy({ by: ["currency"], where: { ...where, status: { in: PAID_STATUSES } }, _count: { _all: true } }),
    db.payment.groupBy({ by: ["currency"], where: { ...where, status: { in: OPEN_STATUSES } }, _count: { _all: true } }),
    db.balanceMovement.groupBy({
      by: ["currency"],
      // Payments' own credits: a failed refund's reversal gives back a debit, it is not money collected.
      where: { ...PAYMENT_CREDIT, state: "applied", payment: where },
      _sum: { amount: true },
    }),
  ]);
  const out: DayStats = {};
  for (const row of all) {
    out[row.currency] = {
      payments: row._count._all,
      paid: 0,
      open: 0,
      collected: row._sum.amountReceived ?? 0,
      refunded: row._sum.amountRefunded ?? 0,
      credited: 0,
    };
  }
  for (const row of paid) if (out[row.currency]) out[row.currency]!.paid = row._count._all;
  for (const row of open) if (out[row.currency]) out[row.currency]!.open = row._count._all;
  for (const row of credited) if (out[row.currency]) out[row.currency]!.credited = row._sum.amount ?? 0;
  return out;
}

export async function overview(services: Services, now = new Date(), attentionCount = 0): Promise<Overview> {
  const today = startOfUtcDay(now);
  const days: { day: Date; stats: DayStats }[] = [];
  // 30 days, oldest first; a few at a time so a small connection pool is not flooded.
  const starts = Array.from({ length: 30 }, (_, i) => new Date(today.getTime() - (29 - i) * DAY));
  for (let i = 0; i < starts.length; i += 6) {
    const chunk = starts.slice(i, i + 6);
    const stats = await Promise.all(chunk.map((d) => dayStats(services, d, new Date(d.getTime() + DAY))));
    chunk.forEach((d, j) => days.push({ day: d, stats: stats[j]! }));
  }
  const volume = new Map<string, number>();
  for (const { stats } of days) for (const [c, s] of Object.entries(stats)) volume.set(c, (volume.get(c) ?? 0) + s.collected + s.payments);
  const currencies = [...volume.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);

  const totalsFor = (n: number): Totals[] =>
    currencies.map((currency) => {
      const t = { payments: 0, paid: 0, open: 0, collected: 0, refunded: 0, credited: 0 };
      for (const { stats } of days.slice(-n)) {
        const s = stats[currency];
        if (!s) continue;
        t.payments += s.payments;
        t.paid += s.paid;
        t.open += s.open;
        t.collected += s.collected;
        t.refunded += s.refunded;
        t.credited += s.credited;
      }
      const decided = t.payments - t.open;
      return {
        currency,
        payments: t.payments,
        paid: t.paid,
        successRate: decided > 0 ? t.paid / decided : null,
        collected: t.collected,
        credited: t.credited,
        refunded: t.refunded,
      };
    });

  const daily: DayVolume[] = [];
  for (const { day, stats } of days) {
    for (const currency of currencies) {
      const s = stats[currency];
      daily.push({ day: day.toISOString().slice(0, 10), currency, collected: s?.collected ?? 0, payments: s?.payments ?? 0 });
    }
  }
  return {
    ranges: [
      { label: "Today", days: 1, totals: totalsFor(1) },
      { label: "Last 7 days", days: 7, totals: totalsFor(7) },
      { label: "Last 30 days", days: 30, totals: totalsFor(30) },
    ],
    daily,
    currencies,
    attentionCount,
  };
}
