// The console's payment list: filters, search and keyset pagination on (createdAt, id), newest first.
// A cursor names the last row shown; the next page is everything strictly older, so rows inserted while
// someone pages (always newer) never shift or repeat a page, and each page costs one index range scan
// (Payment has @@index([createdAt]) and @@index([navixyUserId, createdAt])).
//
// The search box takes what a dealer has at hand: a payment id, a PaymentIntent id, a Navixy user id, a card's last
// four digits (@@index([cardLast4, createdAt])), or words of the payer's name or login. Words are looked up by
// prefix in PayerTerm (an index range per word), which names the users; their payments are then listed with the
// (navixyUserId, createdAt) index. No search scans the ledger.
import type { Prisma } from "../db/client";
import { creditStateOf, isPaymentStatus, type CreditState } from "../payments/ledger/states";
import type { Payment } from "../payments/ledger/payment-records";
import { parseConsoleAmount } from "../money";
import { foldForSearch, prefixRange, searchWords } from "../payments/payer";
import type { Services } from "../server/services";
import { PAYMENT_CREDIT } from "../payments/ledger/movement-keys";
import { paymentIdTailOfReference } from "../payments/reference";

export const CREDIT_STATES: readonly CreditState[] = ["not_due", "pending", "credited", "needs_attention", "canceled"];

export interface PaymentFilters {
  status?: string;
  creditState?: CreditState;
  navixyUserId?: number;
  paymentIntentId?: string;
  /** createdAt >= from */
  from?: Date;
  /** createdAt < to */
  to?: Date;
  /** minor units */
  minAmount?: number;
  maxAmount?: number;
  /** The Navixy users the search's words (or four digits) name (resolveSearch); set, the search lists their payments. */
  payerUserIds?: readonly number[];
  /** payment id, PaymentIntent id, Navixy user id, a card's last four, words of the payer's name or login, or the short reference the payer was shown ("7QK2-M9XD") */
  q?: string;
}

/** The filters as they appear in the query string (what the form submits and links carry). */
export type FilterParams = Record<string, string | string[] | undefined>;

const FILTER_KEYS = ["status", "credit", "user", "pi", "from", "to", "min", "max", "q"] as const;

function one(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  const t = s?.trim();
  return t ? t : undefined;
}

function parseDay(text: string | undefined, endOfDay: boolean): Date | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const d = new Date(`${text}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime())) return undefined;
  return endOfDay ? new Date(d.getTime() + 86_400_000) : d;
}

/**
 * Query-string filters → typed filters. Unknown or malformed values are dropped and named in `problems`
 * so the page can say so. Amounts are in major units of `currency`; dates are UTC days, both inclusive.
 */
export function parseFilters(params: FilterParams, currency: string): { filters: PaymentFilters; problems: string[] } {
  const filters: PaymentFilters = {};
  const problems: string[] = [];
  const status = one(params.status);
  if (status) {
    if (isPaymentStatus(status)) filters.status = status;
    else problems.push(`unknown status "${status}"`);
  }
  const credit = one(params.credit);
  if (credit) {
    if ((CREDIT_STATES as readonly string[]).includes(credit)) filters.creditState = credit as CreditState;
    else problems.push(`unknown credit state "${credit}"`);
  }
  const user = one(params.user);
  if (user) {
    if (/^\d{1,15}$/.test(user) && Number.isSafeInteger(Number(user))) filters.navixyUserId = Number(user);
    else problems.push(`"${user}" is not a Navixy user id`);
  }
  const pi = one(params.pi);
  if (pi) filters.paymentIntentId = pi;
  const from = one(params.from);
  if (from) {
    filters.from = parseDay(from, false);
    if (!filters.from) problems.push(`"${from}" is not a date (YYYY-MM-DD)`);
  }
  const to = one(params.to);
  if (to) {
    filters.to = parseDay(to, true);
    if (!filters.to) problems.push(`"${to}" is not a date (YYYY-MM-DD)`);
  }
  for (const [key, field] of [["min", "minAmount"], ["max", "maxAmount"]] as const) {
    const text = one(params[key]);
    if (!text) continue;
    const amount = parseConsoleAmount(text, currency);
    if (!amount.ok) problems.push(amount.problem);
    else filters[field] = amount.minor;
  }
  const q = one(params.q);
  if (q) filters.q = q.slice(0, 200);
  for (const k of Object.keys(filters) as (keyof PaymentFilters)[]) if (filters[k] === undefined) delete filters[k];
  return { filters, problems };
}

/** Typed filters back to query-string form (for links: next page, export, detail "back"). */
export function filtersToParams(f: PaymentFilters, currency: string, toMajor: (minor: number, currency: string) => string): URLSearchParams {
  const p = new URLSearchParams();
  if (f.status) p.set("status", f.status);
  if (f.creditState) p.set("credit", f.creditState);
  if (f.navixyUserId !== undefined) p.set("user", String(f.navixyUserId));
  if (f.paymentIntentId) p.set("pi", f.paymentIntentId);
  if (f.from) p.set("from", f.from.toISOString().slice(0, 10));
  if (f.to) p.set("to", new Date(f.to.getTime() - 86_400_000).toISOString().slice(0, 10));
  if (f.minAmount !== undefined) p.set("min", toMajor(f.minAmount, currency));
  if (f.maxAmount !== undefined) p.set("max", toMajor(f.maxAmount, currency));
  if (f.q) p.set("q", f.q);
  return p;
}

export function hasFilters(params: FilterParams): boolean {
  return FILTER_KEYS.some((k) => one(params[k]) !== undefined);
}

const ACTIVE_MOVEMENT: Prisma.BalanceMovementWhereInput = { state: { in: ["pending", "sending", "unknown"] } };

function creditWhere(state: CreditState): Prisma.PaymentWhereInput {
  // The payment's own credit, not a failed refund's reversal (a credit too).
  const credit = (w: Prisma.BalanceMovementWhereInput): Prisma.PaymentWhereInput => ({ movements: { some: { ...PAYMENT_CREDIT, ...w } } });
  switch (state) {
    case "not_due":
      return { movements: { none: PAYMENT_CREDIT } };
    case "credited":
      return credit({ state: "applied" });
    case "canceled":
      return credit({ state: "canceled" });
    case "pending":
      return credit({ ...ACTIVE_MOVEMENT, needsAttention: false });
    case "needs_attention":
      return { OR: [credit({ state: "failed" }), credit({ ...ACTIVE_MOVEMENT, needsAttention: true })] };
  }
}

/** The filters as one condition (the search's alternatives OR-ed): what the page lists, whichever way it is read. */
export function whereOf(f: PaymentFilters): Prisma.PaymentWhereInput {
  const alternatives = searchAlternatives(f);
  const base = baseWhere(f);
  if (alternatives === null) return base;
  const search: Prisma.PaymentWhereInput = alternatives.length === 1 ? alternatives[0]! : { OR: alternatives };
  return Object.keys(base).length === 0 ? search : { AND: [base, search] };
}

/** Every filter but the search box. */
function baseWhere(f: PaymentFilters): Prisma.PaymentWhereInput {
  const and: Prisma.PaymentWhereInput[] = [];
  if (f.status) and.push({ status: f.status });
  if (f.creditState) and.push(creditWhere(f.creditState));
  if (f.navixyUserId !== undefined) and.push({ navixyUserId: f.navixyUserId });
  if (f.paymentIntentId) and.push({ stripePaymentIntentId: f.paymentIntentId });
  if (f.from || f.to) and.push({ createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } });
  if (f.minAmount !== undefined || f.maxAmount !== undefined) {
    and.push({ amount: { ...(f.minAmount !== undefined ? { gte: f.minAmount } : {}), ...(f.maxAmount !== undefined ? { lte: f.maxAmount } : {}) } });
  }
  return and.length === 0 ? {} : and.length === 1 ? and[0]! : { AND: and };
}

/**
 * What the search box asks for, as alternatives that are each one indexed equality: a PaymentIntent, a payment, a
 * user, a card's last four, or each user the words name. Null: no search. An empty list: nothing can match.
 * listPayments reads each alternative on its own index and merges them: SQLite plans an OR (or an IN) with the
 * page's ORDER BY ... LIMIT as a walk of all the dealer's payments, which on a large ledger takes seconds.
 */
export function searchAlternatives(f: PaymentFilters): Prisma.PaymentWhereInput[] | null {
  const q = f.q;
  if (!q) return null;
  if (q.startsWith("pi_")) return [{ stripePaymentIntentId: q }];
  if (q.startsWith("pay_")) return [{ id: q }];
  // The payer's reference is the end of the payment id (lib/payments/reference.ts): a suffix match, read only
  // when the text can be one.
  const tail = paymentIdTailOfReference(q);
  const byReference: Prisma.PaymentWhereInput[] = tail ? [{ id: { endsWith: tail } }] : [];
  if (/^\d{1,15}$/.test(q) && Number.isSafeInteger(Number(q))) {
    // "4242" is a user id or a card's last four digits.
    return [{ navixyUserId: Number(q) }, ...(q.length === 4 ? [{ cardLast4: q }] : []), ...byReference];
  }
  return [...(f.payerUserIds ?? []).map((navixyUserId) => ({ navixyUserId })), ...byReference];
}

/** More payers than this matching a search's words: the search asks for more of the name instead of listing them all. */
export const MAX_PAYERS_PER_SEARCH = 50;

/** Whether the search box's text is words to look a payer up by (not an id or digits). */
function isPayerSearch(q: string): boolean {
  return !q.startsWith("pi_") && !q.startsWith("pay_") && !/^\d{1,15}$/.test(q);
}

/** More rows than this for one word's prefix: the word alone names too many payers to list. */
const MAX_TERM_ROWS = MAX_PAYERS_PER_SEARCH * 10;

/** The users with a word starting with `prefix`; "too_many" past MAX_TERM_ROWS words. */
async function usersWithTermPrefix(services: Pick<Services, "db">, prefix: string): Promise<Set<number> | "too_many"> {
  const rows = await services.db.payerTerm.findMany({ where: { term: prefixRange(prefix) }, select: { term: true, navixyUserId: true }, take: MAX_TERM_ROWS + 1 });
  if (rows.length > MAX_TERM_ROWS) return "too_many";
  return new Set(rows.filter((r) => r.term.startsWith(prefix)).map((r) => r.navixyUserId));
}

/** Those of `among` (at most MAX_TERM_ROWS users) with a word starting with `prefix`. */
async function narrowByPrefix(services: Pick<Services, "db">, prefix: string, among: number[]): Promise<number[]> {
  const rows = await services.db.payerTerm.findMany({ where: { term: prefixRange(prefix), navixyUserId: { in: among } }, select: { term: true, navixyUserId: true } });
  const users = new Set(rows.filter((r) => r.term.startsWith(prefix)).map((r) => r.navixyUserId));
  return among.filter((id) => users.has(id));
}

/**
 * The Navixy users whose name or login matches the search's words: every word is the start of one of their
 * words (or the whole text the start of their login). The most telling word (the longest) names the candidates,
 * each other word narrows them down; a problem when even so they are too many to list.
 */
export async function findPayers(services: Pick<Services, "db">, q: string): Promise<{ userIds: number[] } | { problem: string }> {
  const tooMany = { problem: `"${q}" matches more than ${MAX_PAYERS_PER_SEARCH} payers: type more of the name or login` };
  const found = new Set<number>();
  const whole = foldForSearch(q);
  const plain = searchWords(q);
  const words = [...plain].sort((a, b) => b.length - a.length);
  // Text that is more than its words ("jane.smith@ex"): also the start of a login, which is one word in PayerTerm.
  if (whole && whole !== plain.join(" ")) {
    const byLogin = await usersWithTermPrefix(services, whole);
    if (byLogin !== "too_many") for (const id of byLogin) found.add(id);
  }
  let candidates: number[] | undefined;
  let rest = words;
  for (const [i, word] of words.entries()) {
    const users = await usersWithTermPrefix(services, word);
    if (users === "too_many") continue;
    candidates = [...users];
    rest = words.filter((_, j) => j !== i);
    break;
  }
  if (candidates === undefined && words.length > 0 && found.size === 0) return tooMany;
  for (const word of rest) {
    if (!candidates || candidates.length === 0) break;
    candidates = await narrowByPrefix(services, word, candidates);
  }
  for (const id of candidates ?? []) found.add(id);
  if (found.size > MAX_PAYERS_PER_SEARCH) return tooMany;
  return { userIds: [...found] };
}

/** The filters with the search's payers looked up; a problem to show when the search cannot be run as typed. */
export async function resolveSearch(services: Pick<Services, "db">, filters: PaymentFilters): Promise<{ filters: PaymentFilters; problem?: string }> {
  if (!filters.q || filters.payerUserIds || !isPayerSearch(filters.q)) return { filters };
  const payers = await findPayers(services, filters.q);
  if ("problem" in payers) return { filters: { ...filters, payerUserIds: [] }, problem: payers.problem };
  return { filters: { ...filters, payerUserIds: payers.userIds } };
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt.getTime()}:${c.id}`, "utf8").toString("base64url");
}

export function decodeCursor(text: string | undefined): Cursor | null {
  if (!text) return null;
  try {
    const raw = Buffer.from(text, "base64url").toString("utf8");
    const m = /^(\d{1,15}):([A-Za-z0-9_]{1,64})$/.exec(raw);
    if (!m) return null;
    return { createdAt: new Date(Number(m[1])), id: m[2]! };
  } catch {
    return null;
  }
}

export function afterCursor(c: Cursor | null): Prisma.PaymentWhereInput {
  if (!c) return {};
  // (createdAt, id) < (c.createdAt, c.id), written so the createdAt bound is a plain range the index serves.
  // Kept at the top level of the filter (not inside an AND): SQLite then walks the createdAt index instead of
  // OR-ing two scans and sorting (page 20 of a million payments: 1.4 s → 5 ms, docs/benchmarks.md).
  return { createdAt: { lte: c.createdAt }, OR: [{ createdAt: { lt: c.createdAt } }, { id: { lt: c.id } }] };
}

export const ORDER: Prisma.PaymentOrderByWithRelationInput[] = [{ createdAt: "desc" }, { id: "desc" }];

/** ORDER, in memory. */
const newestFirst = (a: Cursor, b: Cursor) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export interface PaymentRow extends Payment {
  creditState: CreditState;
  creditedAmount: number;
}

export interface PaymentPage {
  rows: PaymentRow[];
  /** Cursor of the page after this one, or null on the last page. */
  next: string | null;
  /** Why the search could not be run as typed (its words match too many payers). */
  problem?: string;
}

/** One page of payments, newest first. */
export async function listPayments(services: Services, filters: PaymentFilters, opts: { cursor?: string | null; limit?: number } = {}): Promise<PaymentPage> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 1000);
  const cursor = decodeCursor(opts.cursor ?? undefined);
  const search = await resolveSearch(services, filters);
  const base = baseWhere(search.filters);
  const alternatives = searchAlternatives(search.filters);
  const fromCursor = (w: Prisma.PaymentWhereInput): Prisma.PaymentWhereInput => (cursor ? { AND: [w, afterCursor(cursor)] } : w);
  let rows: Payment[];
  if (alternatives === null || alternatives.length === 1) {
    rows = await services.db.payment.findMany({ where: fromCursor(alternatives ? { AND: [base, alternatives[0]!] } : base), orderBy: ORDER, take: limit + 1 });
  } else if (alternatives.length === 0) {
    rows = [];
  } else {
    // Each alternative on its own index, newest first from the cursor on; the page is the newest of them all. Whole
    // rows: read again by id, SQLite would walk the dealer's payments for an IN list longer than a few ids.
    const heads = await Promise.all(alternatives.map((alternative) => services.db.payment.findMany({ where: fromCursor({ AND: [base, alternative] }), orderBy: ORDER, take: limit + 1 })));
    rows = [...new Map(heads.flat().map((r) => [r.id, r])).values()].sort(newestFirst).slice(0, limit + 1);
  }
  const page = rows.slice(0, limit);
  const withCredit = await attachCreditStates(services, page);
  const last = page[page.length - 1];
  return { rows: withCredit, next: rows.length > limit && last ? encodeCursor(last) : null, ...(search.problem ? { problem: search.problem } : {}) };
}

export async function attachCreditStates(services: Services, payments: Payment[]): Promise<PaymentRow[]> {
  if (payments.length === 0) return [];
  // In chunks: SQLite caps the number of bound parameters in one statement.
  const credits: { paymentId: string; state: string; needsAttention: boolean; amount: number }[] = [];
  for (let i = 0; i < payments.length; i += 500) {
    credits.push(
      ...(await services.db.balanceMovement.findMany({
        where: { paymentId: { in: payments.slice(i, i + 500).map((p) => p.id) }, ...PAYMENT_CREDIT },
        select: { paymentId: true, state: true, needsAttention: true, amount: true },
      })),
    );
  }
  const byPayment = new Map(credits.map((c) => [c.paymentId, c]));
  return payments.map((p) => {
    const credit = byPayment.get(p.id);
    const creditState = creditStateOf(credit);
    return { ...p, creditState, creditedAmount: creditState === "credited" && credit ? credit.amount : 0 };
  });
}
