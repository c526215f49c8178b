// One reconciliation run of a dealer's period, resumable: it reads Stripe's balance transactions a page at a time, then
// the Navixy transactions of every user the period touched a few users at a time, storing each page with its progress
// in one transaction; then it matches the books (match.ts) and stores the result. A run that stopped (a crash, a
// source that could not be read, the end of the worker's slice) continues where it was when started again. A lease
// keeps two processes from working one run at once.
import { randomBytes } from "node:crypto";
import type Stripe from "stripe";
import type { Services } from "../server/services";
import { newId } from "../ids";
import { logger } from "../logging/logger";
import { matchBooks, type LedgerMovement, type LedgerPayment } from "./match";
import type { Period } from "./period";
import { navixyInstant, readNavixy, readNavixyUser, readStripePage, SourceUnavailable, type NavixyEntry, type StripeEntry } from "./sources";
import type { ReconciliationResult } from "./types";

const CHUNK = 500;

export interface ReconcileOptions {
  /** Reconcile again even when the period has a finished run (on demand); without it a finished run is the answer. */
  again?: boolean;
  /** Stop after about this long and leave the run to be continued (the worker works in slices). */
  sliceMs?: number;
  /** Navixy users read at once (default 4). */
  navixyConcurrency?: number;
  /** After each stored page (progress reports). */
  onProgress?: (progress: { runId: string; phase: string; stripeTransactions: number; navixyUsers: number }) => void;
}

export type ReconcileOutcome = { state: "finished"; result: ReconciliationResult } | { state: "in_progress"; runId: string; phase: string };

type RunRow = NonNullable<Awaited<ReturnType<Services["db"]["reconciliationRun"]["findFirst"]>>>;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The finished result of a run row, or null while it is running. */
export function resultOf(run: { status: string; result: string | null }): ReconciliationResult | null {
  return run.status !== "running" && run.result ? (JSON.parse(run.result) as ReconciliationResult) : null;
}

/** The period's unfinished run, or its latest finished one, or a new run. */
async function openRun(services: Services, period: Period, again: boolean): Promise<RunRow> {
  const db = services.db;
  const where = { periodStart: period.start, periodEnd: period.end };
  const unfinished = await db.reconciliationRun.findFirst({ where: { ...where, status: "running" }, orderBy: { startedAt: "desc" } });
  if (unfinished) return unfinished;
  if (!again) {
    const finished = await db.reconciliationRun.findFirst({ where, orderBy: { startedAt: "desc" } });
    if (finished) return finished;
  }
  return db.reconciliationRun.create({
    data: { id: newId("rec"), periodStart: period.start, periodEnd: period.end, label: period.label, timeZone: period.timeZone, status: "running", phase: "stripe" },
  });
}

/**
 * Reconciles the dealer's period: continues its unfinished run, answers with its finished one (unless `again`), or
 * starts one. Throws SourceUnavailable when Stripe or Navixy cannot be read; what was read so far is kept.
 */
export async function reconcilePeriod(services: Services, period: Period, opts: ReconcileOptions = {}): Promise<ReconcileOutcome> {
  const db = services.db;
  let run = await openRun(services, period, opts.again ?? false);
  const finished = resultOf(run);
  if (finished) return { state: "finished", result: finished };

  const owner = randomBytes(8).toString("hex");
  // The worker's lease (WORKER_LEASE_MS), renewed while the run works: a crashed run is taken over as soon as a row.
  const leaseMs = services.config.worker.leaseMs;
  const leaseUntil = () => new Date(Date.now() + leaseMs);
  const claimed = await db.reconciliationRun.updateMany({
    where: { id: run.id, status: "running", OR: [{ leaseUntil: null }, { leaseUntil: { lt: new Date() } }] },
    data: { leaseOwner: owner, leaseUntil: leaseUntil() },
  });
  if (claimed.count === 0) return { state: "in_progress", runId: run.id, phase: run.phase };
  const deadline = opts.sliceMs === undefined ? Infinity : Date.now() + opts.sliceMs;
  const mine = { id: run.id, leaseOwner: owner };
  const heartbeat = setInterval(() => {
    void db.reconciliationRun.updateMany({ where: mine, data: { leaseUntil: leaseUntil() } }).catch(() => {});
  }, Math.max(250, Math.floor(leaseMs / 3)));
  heartbeat.unref();
  const release = () => db.reconciliationRun.updateMany({ where: mine, data: { leaseOwner: null, leaseUntil: null } });
  // Progress as counted while working (counting the stored rows on every page would cost a scan each).
  const counted = { stripe: 0, navixy: 0 };
  const progress = () => opts.onProgress?.({ runId: run.id, phase: run.phase, stripeTransactions: counted.stripe, navixyUsers: counted.navixy });

  try {
    while (run.phase === "stripe") {
      if (Date.now() >= deadline) return await pause();
      const page = await readStripePage(services.stripe, period, run.stripeCursor);
      const cursor = page.entries.at(-1)?.id ?? run.stripeCursor;
      const phase = page.hasMore ? "stripe" : "navixy";
      const stored = await db.$transaction(async (tx) => {
        const { count } = await tx.reconciliationRun.updateMany({ where: mine, data: { stripeCursor: cursor, phase, leaseUntil: leaseUntil(), lastError: null } });
        if (count === 0) return false;
        const keys = page.entries.map((e) => e.id);
        if (keys.length > 0) {
          await tx.reconciliationEntry.deleteMany({ where: { runId: run.id, source: "stripe", key: { in: keys } } });
          await tx.reconciliationEntry.createMany({ data: page.entries.map((e) => ({ runId: run.id, source: "stripe", key: e.id, data: JSON.stringify(e) })) });
        }
        return true;
      });
      if (!stored) return { state: "in_progress", runId: run.id, phase: run.phase };
      run = { ...run, stripeCursor: cursor, phase };
      counted.stripe += page.entries.length;
      progress();
    }

    if (run.phase === "navixy") {
      const users = await touchedUsers(services, run.id, period);
      const done = new Set(
        (await db.reconciliationEntry.findMany({ where: { runId: run.id, source: "navixy-user" }, select: { key: true } })).map((r) => Number(r.key)),
      );
      const todo = users.filter((u) => !done.has(u));
      const width = Math.max(1, opts.navixyConcurrency ?? 4);
      for (let i = 0; i < todo.length; i += width) {
        if (Date.now() >= deadline) return await pause();
        const batch = todo.slice(i, i + width);
        const read = await Promise.all(batch.map((u) => readNavixyUser(services.navixy, u, period)));
        const stored = await db.$transaction(async (tx) => {
          const { count } = await tx.reconciliationRun.updateMany({ where: mine, data: { navixyCursor: done.size + i + batch.length, leaseUntil: leaseUntil(), lastError: null } });
          if (count === 0) return false;
          // A user's transactions are stored with its mark in this one transaction: a user without its mark has none.
          const rows = read.flatMap((entries) => keyed(entries)).map(({ key, entry }) => ({ runId: run.id, source: "navixy", key, data: JSON.stringify(entry) }));
          if (rows.length > 0) await tx.reconciliationEntry.createMany({ data: rows });
          await tx.reconciliationEntry.createMany({ data: batch.map((u) => ({ runId: run.id, source: "navixy-user", key: String(u), data: "{}" })) });
          return true;
        });
        if (!stored) return { state: "in_progress", runId: run.id, phase: run.phase };
        counted.navixy = done.size + i + batch.length;
        progress();
      }
      const { count } = await db.reconciliationRun.updateMany({ where: mine, data: { phase: "match", leaseUntil: leaseUntil() } });
      if (count === 0) return { state: "in_progress", runId: run.id, phase: run.phase };
      run = { ...run, phase: "match" };
    }

    const result = await matchRun(services, run, period);
    const { count } = await db.reconciliationRun.updateMany({
      where: mine,
      data: {
        status: result.balanced ? "balanced" : "differences",
        phase: "done",
        differenceCount: result.differences.length,
        result: JSON.stringify(result),
        finishedAt: new Date(result.finishedAt),
        leaseOwner: null,
        leaseUntil: null,
        lastError: null,
      },
    });
    if (count === 0) return { state: "in_progress", runId: run.id, phase: run.phase };
    // What was read is in the result now; the pages are not needed any more.
    await db.reconciliationEntry.deleteMany({ where: { runId: run.id } });
    return { state: "finished", result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.reconciliationRun.updateMany({ where: mine, data: { lastError: message.slice(0, 1000), leaseOwner: null, leaseUntil: null } }).catch(() => {});
    if (!(error instanceof SourceUnavailable)) logger.error({ err: error, runId: run.id, dealerId: services.dealer.id }, "reconciliation failed; it continues when started again");
    throw error;
  } finally {
    clearInterval(heartbeat);
  }

  async function pause(): Promise<ReconcileOutcome> {
    await release();
    return { state: "in_progress", runId: run.id, phase: run.phase };
  }
}

/** Keys of a user's Navixy transactions: stable across reads, so a user read again replaces its own rows. */
function keyed(entries: NavixyEntry[]): { key: string; entry: NavixyEntry }[] {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const base = `${entry.userId}:${entry.timestamp}:${entry.amount}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return { key: `${base}:${n}`, entry };
  });
}

async function stripeEntries(services: Services, runId: string): Promise<StripeEntry[]> {
  const rows = await services.db.reconciliationEntry.findMany({ where: { runId, source: "stripe" }, select: { data: true } });
  return rows.map((r) => JSON.parse(r.data) as StripeEntry);
}

/** The Navixy users whose balances the period touched: the payers of its Stripe money and of its applied movements. */
async function touchedUsers(services: Services, runId: string, period: Period): Promise<number[]> {
  const users = new Set<number>();
  const intents = [...new Set((await stripeEntries(services, runId)).map((e) => e.paymentIntentId).filter((x): x is string => !!x))];
  for (const part of chunks(intents)) {
    const rows = await services.db.payment.findMany({ where: { stripePaymentIntentId: { in: part } }, select: { navixyUserId: true } });
    for (const r of rows) users.add(r.navixyUserId);
  }
  const moved = await services.db.balanceMovement.findMany({
    where: { state: "applied", appliedAt: { gte: period.start, lt: period.end } },
    select: { navixyUserId: true },
    distinct: ["navixyUserId"],
  });
  for (const r of moved) users.add(r.navixyUserId);
  return [...users].sort((a, b) => a - b);
}

const MOVEMENT_SELECT = {
  id: true,
  paymentId: true,
  kind: true,
  idempotencyKey: true,
  state: true,
  amount: true,
  currency: true,
  navixyAmount: true,
  reference: true,
  navixyUserId: true,
  appliedAt: true,
  lastError: true,
  payment: { select: { stripePaymentIntentId: true } },
} as const;

function ledgerMovement(m: Omit<LedgerMovement, "paymentIntentId"> & { payment: { stripePaymentIntentId: string | null } }): LedgerMovement {
  const { payment, ...rest } = m;
  return { ...rest, paymentIntentId: payment.stripePaymentIntentId };
}

function isMissing(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

async function matchRun(services: Services, run: RunRow, period: Period): Promise<ReconciliationResult> {
  const db = services.db;
  const stripe = await stripeEntries(services, run.id);
  const navixy = (await db.reconciliationEntry.findMany({ where: { runId: run.id, source: "navixy" }, select: { data: true } })).map((r) => JSON.parse(r.data) as NavixyEntry);
  const navixyUsers = await db.reconciliationEntry.count({ where: { runId: run.id, source: "navixy-user" } });

  const payments = new Map<string, LedgerPayment>();
  const intents = [...new Set(stripe.map((e) => e.paymentIntentId).filter((x): x is string => !!x))];
  const loadPayments = async (ids: string[]) => {
    for (const part of chunks(ids.filter((id) => !payments.has(id)))) {
      const rows = await db.payment.findMany({
        where: { stripePaymentIntentId: { in: part } },
        select: { id: true, stripePaymentIntentId: true, navixyUserId: true, currency: true, amountReceived: true, movements: { select: MOVEMENT_SELECT } },
      });
      for (const p of rows) {
        if (!p.stripePaymentIntentId) continue;
        payments.set(p.stripePaymentIntentId, {
          id: p.id,
          paymentIntentId: p.stripePaymentIntentId,
          navixyUserId: p.navixyUserId,
          currency: p.currency,
          amountReceived: p.amountReceived,
          movements: p.movements.map(ledgerMovement),
        });
      }
    }
  };
  await loadPayments(intents);

  const appliedInPeriod: LedgerMovement[] = [];
  for (let cursor: string | undefined; ; ) {
    const rows = await db.balanceMovement.findMany({
      where: { state: "applied", appliedAt: { gte: period.start, lt: period.end } },
      select: MOVEMENT_SELECT,
      orderBy: { id: "asc" },
      take: 2000,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    appliedInPeriod.push(...rows.map(ledgerMovement));
    if (rows.length < 2000) break;
    cursor = rows.at(-1)!.id;
  }

  // Navixy's transactions of the period name PaymentIntents and refunds: the movements that may explain them.
  const startMs = period.start.getTime();
  const endMs = period.end.getTime();
  const references = [...new Set(navixy.filter((t) => navixyInstant(t.timestamp) >= startMs && navixyInstant(t.timestamp) < endMs).flatMap((t) => t.ids))];
  const appliedByReference = new Map<string, LedgerMovement[]>();
  // By idempotency key (unique, indexed): a PaymentIntent's credit, a refund's debit and its credit back.
  const keys = references.flatMap((id) => (id.startsWith("pi_") ? [`credit:${id}`] : id.startsWith("re_") ? [`debit:${id}`, `refund-reversal:${id}`] : []));
  for (const part of chunks(keys)) {
    const rows = await db.balanceMovement.findMany({ where: { state: "applied", idempotencyKey: { in: part } }, select: MOVEMENT_SELECT });
    for (const m of rows.map(ledgerMovement)) appliedByReference.set(m.reference, [...(appliedByReference.get(m.reference) ?? []), m]);
  }
  // Payments named in Navixy texts (for the differences' links).
  await loadPayments(references.filter((id) => id.startsWith("pi_")));

  // Applied movements whose money the period's Stripe transactions do not show (captured or refunded in another
  // period, or never): asked of Stripe one by one; there are few.
  const charged = new Set(stripe.filter((e) => e.type === "charge" || e.type === "payment").map((e) => e.paymentIntentId));
  const refunded = new Set(stripe.filter((e) => e.type === "refund").map((e) => e.refundId));
  const stripeNow = { paymentIntents: new Map<string, { captured: number; currency: string } | null>(), refunds: new Map<string, { status: string; amount: number } | null>() };
  for (const m of appliedInPeriod) {
    try {
      if (m.idempotencyKey.startsWith("credit:") && m.paymentIntentId && !charged.has(m.paymentIntentId) && !stripeNow.paymentIntents.has(m.paymentIntentId)) {
        const pi = await services.stripe.paymentIntents.retrieve(m.paymentIntentId).catch((e: unknown) => (isMissing(e) ? null : Promise.reject(e)));
        stripeNow.paymentIntents.set(m.paymentIntentId, pi && { captured: (pi as Stripe.PaymentIntent).amount_received, currency: (pi as Stripe.PaymentIntent).currency });
      }
      if (m.idempotencyKey.startsWith("debit:") && !refunded.has(m.reference) && !stripeNow.refunds.has(m.reference)) {
        const refund = await services.stripe.refunds.retrieve(m.reference).catch((e: unknown) => (isMissing(e) ? null : Promise.reject(e)));
        stripeNow.refunds.set(m.reference, refund && { status: refund.status ?? "succeeded", amount: refund.amount });
      }
    } catch (error) {
      throw new SourceUnavailable("stripe", error instanceof Error ? error.message : String(error));
    }
  }

  let dealerCurrency: string;
  try {
    dealerCurrency = await readNavixy(() => services.currency.get());
  } catch (error) {
    throw new SourceUnavailable("navixy", `the dealer's currency: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { totals, differences } = matchBooks({ period, dealerCurrency, stripe, navixy, payments, appliedInPeriod, appliedByReference, stripeNow });
  return {
    runId: run.id,
    dealerId: services.dealer.id,
    label: run.label,
    timeZone: run.timeZone,
    periodStart: period.start.toISOString(),
    periodEnd: period.end.toISOString(),
    balanced: differences.length === 0,
    totals,
    differences,
    read: { stripeTransactions: stripe.length, ledgerMovements: appliedInPeriod.length, navixyUsers, navixyTransactions: navixy.length },
    finishedAt: new Date().toISOString(),
  };
}

/**
 * Whether a reconciled day of the dealer has differences: the latest finished run of that day (label "YYYY-MM-DD"),
 * or null when the day has not been reconciled. What an alert about a day with differences reads.
 */
export async function dayWithDifferences(services: Services, day: string): Promise<ReconciliationResult | null> {
  const run = await services.db.reconciliationRun.findFirst({ where: { label: day, status: { not: "running" } }, orderBy: { startedAt: "desc" } });
  const result = run && resultOf(run);
  return result && !result.balanced ? result : null;
}

/** Each day's latest finished run from `from` to `to` (labels), or its running one, for the console's calendar. */
export async function runsOfDays(services: Services, from: string, to: string): Promise<Map<string, { status: string; differenceCount: number; runId: string; lastError: string | null }>> {
  const rows = await services.db.reconciliationRun.findMany({
    where: { label: { gte: from, lte: to } },
    orderBy: { startedAt: "asc" },
    select: { id: true, label: true, status: true, differenceCount: true, lastError: true },
  });
  const out = new Map<string, { status: string; differenceCount: number; runId: string; lastError: string | null }>();
  for (const r of rows) {
    if (r.label.includes("..")) continue;
    // A day's latest finished run stands while it is reconciled again; a run still going shows until one finishes.
    const known = out.get(r.label);
    if (r.status === "running" && known && known.status !== "running") continue;
    out.set(r.label, { status: r.status, differenceCount: r.differenceCount, runId: r.id, lastError: r.lastError });
  }
  return out;
}
