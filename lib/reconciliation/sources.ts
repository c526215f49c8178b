// Reading the two outside books a page at a time: Stripe's balance transactions of a period (with their source, so
// each names its PaymentIntent, charge, refund or dispute), and one Navixy user's transactions around a period,
// kept when they carry a Stripe id (our marker). A source that cannot be read is a SourceUnavailable: the run keeps
// what it has and continues from there when started again.
import type Stripe from "stripe";
import { NavixyApiError, isNavixyTransportError, type NavixyPanelClient, type NavixyTransaction } from "../navixy";

export class SourceUnavailable extends Error {
  override readonly name = "SourceUnavailable";
  constructor(
    readonly source: "stripe" | "navixy",
    message: string,
  ) {
    super(`${source === "stripe" ? "Stripe" : "Navixy"} could not be read: ${message}`);
  }
}

/** A balance transaction as a run keeps it. */
export interface StripeEntry {
  id: string;
  /** "charge", "payment", "refund", "refund_failure", "adjustment", "payout", "stripe_fee", ... */
  type: string;
  reportingCategory: string;
  amount: number;
  fee: number;
  net: number;
  currency: string;
  /** Unix seconds. */
  created: number;
  sourceId: string | null;
  paymentIntentId: string | null;
  chargeId: string | null;
  refundId: string | null;
  disputeId: string | null;
  /** A refund's status when read ("succeeded", "failed", ...). */
  refundStatus: string | null;
}

function idOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { id?: unknown }).id === "string") return (value as { id: string }).id;
  return null;
}

export function stripeEntryOf(txn: Stripe.BalanceTransaction): StripeEntry {
  const source = txn.source as unknown;
  const entry: StripeEntry = {
    id: txn.id,
    type: txn.type,
    reportingCategory: txn.reporting_category,
    amount: txn.amount,
    fee: txn.fee,
    net: txn.net,
    currency: txn.currency,
    created: txn.created,
    sourceId: idOf(source),
    paymentIntentId: null,
    chargeId: null,
    refundId: null,
    disputeId: null,
    refundStatus: null,
  };
  if (source && typeof source === "object") {
    const s = source as { object?: string; id: string; payment_intent?: unknown; charge?: unknown; status?: string };
    switch (s.object) {
      case "charge":
        entry.chargeId = s.id;
        entry.paymentIntentId = idOf(s.payment_intent);
        break;
      case "refund":
        entry.refundId = s.id;
        entry.chargeId = idOf(s.charge);
        entry.paymentIntentId = idOf(s.payment_intent);
        entry.refundStatus = s.status ?? null;
        break;
      case "dispute":
        entry.disputeId = s.id;
        entry.chargeId = idOf(s.charge);
        entry.paymentIntentId = idOf(s.payment_intent);
        break;
      default:
        break;
    }
  }
  return entry;
}

export const STRIPE_PAGE = 100;

/** One page of the period's balance transactions, newest first, after `cursor`. */
export async function readStripePage(
  stripe: Stripe,
  period: { start: Date; end: Date },
  cursor: string | null,
): Promise<{ entries: StripeEntry[]; hasMore: boolean }> {
  try {
    const page = await stripe.balanceTransactions.list({
      created: { gte: Math.floor(period.start.getTime() / 1000), lt: Math.ceil(period.end.getTime() / 1000) },
      limit: STRIPE_PAGE,
      expand: ["data.source"],
      ...(cursor ? { starting_after: cursor } : {}),
    });
    return { entries: page.data.map(stripeEntryOf), hasMore: page.has_more };
  } catch (error) {
    throw new SourceUnavailable("stripe", error instanceof Error ? error.message : String(error));
  }
}

/** Stripe ids in a Navixy text: the gateway writes the PaymentIntent or refund id into every change it makes. */
const STRIPE_ID = /\b(?:pi|re|ch|py|dp)_[A-Za-z0-9]{8,}/g;

export function stripeIdsIn(text: string): string[] {
  return [...new Set(text.match(STRIPE_ID) ?? [])];
}

/** A Navixy transaction carrying our marker, as a run keeps it. */
export interface NavixyEntry {
  userId: number;
  /** As Navixy wrote it, "YYYY-MM-DD HH:MM:SS" (read as UTC, as the lookup does). */
  timestamp: string;
  amount: string;
  text: string;
  ids: string[];
}

export function navixyInstant(timestamp: string): number {
  return Date.parse(`${timestamp.replace(" ", "T")}Z`);
}

/** Navixy does not document the zone of its dates: ±15 h around the period catches its transactions in any. */
export const NAVIXY_MARGIN_MS = 15 * 3600_000;
/** Navixy refuses spans over a month (211). */
const NAVIXY_SPAN_MS = 28 * 24 * 3600_000;
/** Asked per request; a full page is split in two by time. */
export const NAVIXY_PAGE = 1000;
const RATE_LIMIT_RETRIES = 6;
/** A read that timed out, a dropped connection, Navixy's database error: asked again this many times. */
const TRANSIENT_RETRIES = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Navixy read, asked again while Navixy says too many requests (15: a second, doubling) or the read met a timeout,
 * a dropped connection or a database error (1: three times, a quarter second, doubling). Other errors pass through.
 */
export async function readNavixy<T>(read: () => Promise<T>): Promise<T> {
  let transient = 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (error instanceof NavixyApiError && error.code === 15 && attempt < RATE_LIMIT_RETRIES) {
        await sleep(1000 * 2 ** attempt);
        continue;
      }
      const passing = isNavixyTransportError(error) || (error instanceof NavixyApiError && error.code === 1);
      if (passing && transient < TRANSIENT_RETRIES) {
        await sleep(250 * 2 ** transient++);
        continue;
      }
      throw error;
    }
  }
}

/**
 * Every transaction of the user around the period that carries a Stripe id. Too many requests (15) waits and asks
 * again, a second and doubling; a timeout, a dropped connection or a database error (1) is asked again a few times;
 * anything else, or what still fails, is SourceUnavailable.
 */
export async function readNavixyUser(navixy: NavixyPanelClient, userId: number, period: { start: Date; end: Date }): Promise<NavixyEntry[]> {
  const list = async (from: Date, to: Date): Promise<NavixyTransaction[]> => {
    try {
      return await readNavixy(() => navixy.listTransactions({ userId, from, to, limit: NAVIXY_PAGE }));
    } catch (error) {
      if (error instanceof NavixyApiError && error.code === 201) return []; // the user is gone: nothing of ours there
      throw new SourceUnavailable("navixy", `user ${userId}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const out: NavixyTransaction[] = [];
  const read = async (from: number, to: number): Promise<void> => {
    const page = await list(new Date(from), new Date(to));
    if (page.length < NAVIXY_PAGE || to - from <= 1000) {
      out.push(...page);
      return;
    }
    // A full page may hide more: read both halves (whole seconds, which is Navixy's precision) instead.
    const mid = from + Math.max(1000, Math.floor((to - from) / 2 / 1000) * 1000);
    await read(from, mid - 1000);
    await read(mid, to);
  };
  const from = period.start.getTime() - NAVIXY_MARGIN_MS;
  const to = period.end.getTime() + NAVIXY_MARGIN_MS;
  for (let start = from; start < to; start += NAVIXY_SPAN_MS) {
    await read(start, Math.min(to, start + NAVIXY_SPAN_MS) - 1000);
  }
  return out
    .map((t) => ({ userId, timestamp: t.timestamp, amount: t.amount, text: t.text, ids: stripeIdsIn(t.text) }))
    .filter((t) => t.ids.length > 0);
}
