// The console's reconciliation: a month's calendar of days (balanced, N differences, running, not reconciled), one day's
// stored result with each difference linked to its payment, reconciling a day on demand, and the books as CSV for the
// accountant (a day or a month: each payment's gross, Stripe fee, net, payout and its date, the Navixy transaction and
// the user; each payout after the transactions it paid out).
import { toMajorString } from "../money";
import type { Services } from "../server/services";
import { booksOfPeriod, type BookRow } from "../reconciliation/books";
import { dayOf, daysOf, periodOfDays } from "../reconciliation/period";
import { dealerTimeZone } from "../reconciliation/reconcile-days";
import { reconcilePeriod, resultOf, runsOfDays } from "../reconciliation/run";
import { SourceUnavailable } from "../reconciliation/sources";
import type { ReconciliationResult } from "../reconciliation/types";
import { audit, type Actor } from "./audit";
import { csvField, csvLine } from "./csv";

export interface CalendarDay {
  day: string;
  state: "balanced" | "differences" | "running" | "not_reconciled" | "not_ended";
  differenceCount: number;
  lastError: string | null;
}

const MONTH = /^(\d{4})-(\d{2})$/;

function monthDays(month: string): { first: string; last: string } | null {
  const m = MONTH.exec(month);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return null;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(last).padStart(2, "0")}` };
}

/** The month's days in the dealer's zone, each with its latest run. `month` "YYYY-MM"; default the current one. */
export async function reconciliationCalendar(services: Services, month?: string, now = new Date()): Promise<{ month: string; timeZone: string; days: CalendarDay[] } | null> {
  const timeZone = dealerTimeZone(services);
  const today = dayOf(now, timeZone);
  const chosen = month ?? today.slice(0, 7);
  const span = monthDays(chosen);
  if (!span) return null;
  const runs = await runsOfDays(services, span.first, span.last);
  const days = daysOf(span.first, span.last).map((day): CalendarDay => {
    const run = runs.get(day);
    if (run) {
      const state = run.status === "balanced" || run.status === "differences" ? run.status : "running";
      return { day, state, differenceCount: run.differenceCount, lastError: run.lastError };
    }
    return { day, state: day >= today ? "not_ended" : "not_reconciled", differenceCount: 0, lastError: null };
  });
  return { month: chosen, timeZone, days };
}

/** The latest finished result of a day, or null. */
export async function reconciliationOfDay(services: Services, day: string): Promise<ReconciliationResult | null> {
  const run = await services.db.reconciliationRun.findFirst({ where: { label: day, status: { not: "running" } }, orderBy: { startedAt: "desc" } });
  return run ? resultOf(run) : null;
}

/** Reconciles a day now (again, when it has a result), audited. */
export async function reconcileDayNow(services: Services, who: Actor, day: string): Promise<{ ok: true; result: ReconciliationResult | null } | { ok: false; message: string }> {
  let period;
  try {
    period = periodOfDays(day, day, dealerTimeZone(services));
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  await audit(services.db, { ...who, action: "reconciliation.run", target: day });
  try {
    const outcome = await reconcilePeriod(services, period, { again: true });
    return outcome.state === "finished" ? { ok: true, result: outcome.result } : { ok: false, message: "Another process is reconciling this day right now; look again in a minute." };
  } catch (error) {
    if (error instanceof SourceUnavailable) return { ok: false, message: `${error.message}. What was read is kept; run it again to continue.` };
    throw error;
  }
}

export const BOOKS_COLUMNS = [
  "type",
  "date",
  "balance_transaction",
  "stripe_object",
  "payment_id",
  "payment_intent",
  "navixy_user_id",
  "currency",
  "gross",
  "stripe_fee",
  "net",
  "payout_id",
  "payout_date",
  "navixy_transaction",
] as const;

function bookLine(r: BookRow): string {
  const money = (minor: number) => csvField(toMajorString(minor, r.currency), { text: false });
  return csvLine([
    csvField(r.kind),
    csvField(r.createdAt.toISOString(), { text: false }),
    csvField(r.balanceTransactionId),
    csvField(r.sourceId),
    csvField(r.paymentId),
    csvField(r.paymentIntentId),
    csvField(r.navixyUserId, { text: false }),
    csvField(r.currency.toUpperCase()),
    money(r.gross),
    money(r.fee),
    money(r.net),
    csvField(r.payoutId),
    csvField(r.payoutArrival?.toISOString().slice(0, 10)),
    csvField(r.navixyTransaction),
  ]);
}

export type BooksExport = { kind: "refused"; problem: string } | { kind: "unavailable"; problem: string } | { kind: "csv"; filename: string; body: string };

/**
 * GET /admin/reconciliation/books?day=YYYY-MM-DD or ?month=YYYY-MM: the books as CSV, audited. Each payout's row comes
 * after the transactions it paid out; transactions not paid out yet come last.
 */
export async function exportBooks(services: Services, who: Actor, params: { day?: string; month?: string }): Promise<BooksExport> {
  const zone = dealerTimeZone(services);
  let from: string;
  let to: string;
  if (params.month) {
    const span = monthDays(params.month);
    if (!span) return { kind: "refused", problem: "month must be YYYY-MM" };
    ({ first: from, last: to } = span);
  } else if (params.day) {
    from = to = params.day;
  } else {
    return { kind: "refused", problem: "name a day (YYYY-MM-DD) or a month (YYYY-MM)" };
  }
  let period;
  try {
    period = periodOfDays(from, to, zone);
  } catch (error) {
    return { kind: "refused", problem: (error as Error).message };
  }
  let books;
  try {
    books = await booksOfPeriod(services, period);
  } catch (error) {
    if (error instanceof SourceUnavailable) return { kind: "unavailable", problem: error.message };
    throw error;
  }
  await audit(services.db, { ...who, action: "reconciliation.books", after: { from, to } });
  const lines = [`\uFEFF${csvLine([...BOOKS_COLUMNS])}`];
  for (const payout of books.payouts) {
    for (const r of books.rows) if (r.payoutId === payout.id) lines.push(bookLine(r));
    const money = (minor: number) => csvField(toMajorString(minor, payout.currency), { text: false });
    lines.push(
      csvLine([
        csvField("payout"),
        csvField(payout.created.toISOString(), { text: false }),
        "",
        csvField(payout.id),
        "",
        "",
        "",
        csvField(payout.currency.toUpperCase()),
        money(payout.amount),
        money(0),
        money(payout.amount),
        csvField(payout.id),
        csvField(payout.arrival.toISOString().slice(0, 10)),
        csvField(`${payout.transactions} transactions of this period, ${payout.status}`),
      ]),
    );
  }
  for (const r of books.rows) if (!r.payoutId) lines.push(bookLine(r));
  return { kind: "csv", filename: `books-${params.month ?? params.day}.csv`, body: lines.join("") };
}
