// What the benchmark reads from the ledger and the Navixy emulator: when the worker is done, how long each
// credit took to reach Navixy, rows a previous run left in a seeded database, and the console's list query.
import type { Db } from "../../../lib/db/client";
import type { Services } from "../../../lib/server/services";
import { HEAVY_USER, NO_PAYMENTS_USER } from "./seed";
import { summarize, type Summary } from "./stats";
import { sleep } from "../../testing/app-process";

/** Waits until no event or movement is waiting or in flight. Returns the seconds it took. */
export async function drain(db: Db, timeoutMs = 300_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const [events, movements] = await Promise.all([
      db.stripeEvent.count({ where: { status: { in: ["received", "processing"] } } }),
      db.balanceMovement.count({ where: { state: { in: ["pending", "sending", "unknown"] } } }),
    ]);
    if (events + movements === 0) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`worker did not drain in ${timeoutMs / 1000} s (${events} events, ${movements} movements left)`);
    await sleep(50);
  }
}

interface NavixyCallView {
  at: string;
  method: string;
  params: Record<string, unknown>;
  applied: boolean;
}

/** Our 2xx → the Navixy emulator receiving that PaymentIntent's change_balance call, in ms. */
export async function creditLatencies(navixyUrl: string, okAt: Map<string, number>): Promise<{ summary: Summary; missing: number }> {
  const res = await fetch(`${navixyUrl}/_emulator/state`);
  const state = (await res.json()) as { calls: NavixyCallView[] };
  const arrived = new Map<string, number>();
  for (const c of state.calls) {
    if (c.method !== "panel/user/transaction/change_balance") continue;
    const pi = /payment (pi_[A-Za-z0-9]+)/.exec(String(c.params["text"] ?? ""))?.[1];
    if (pi && !arrived.has(pi)) arrived.set(pi, Date.parse(c.at));
  }
  const samples: number[] = [];
  let missing = 0;
  for (const [pi, ok] of okAt) {
    const at = arrived.get(pi);
    if (at === undefined) missing++;
    else samples.push(at - ok);
  }
  return { summary: summarize(samples), missing };
}

// ---- the credit recorder (emulators.ts): every change_balance by PaymentIntent, however long the run ----------------

export interface RecordedCredit {
  /** When Navixy received the first change_balance naming it (epoch ms). */
  firstAt: number;
  /** How many of those calls changed the balance. */
  applied: number;
}

/** Forgets what the recorder has, and records from now on. */
export async function startCreditRecording(recorderUrl: string): Promise<void> {
  const res = await fetch(`${recorderUrl}/record/start`, { method: "POST" });
  if (!res.ok) throw new Error(`credit recorder: ${res.status}`);
}

export async function stopCreditRecording(recorderUrl: string): Promise<void> {
  await fetch(`${recorderUrl}/record/stop`, { method: "POST" });
}

export async function recordedCredits(recorderUrl: string): Promise<Map<string, RecordedCredit>> {
  const res = await fetch(`${recorderUrl}/credits`);
  const { credits } = (await res.json()) as { credits: [string, number, number][] };
  return new Map(credits.map(([pi, firstAt, applied]) => [pi, { firstAt, applied }]));
}

/** Our 2xx → Navixy's first change_balance for that PaymentIntent, in ms, from what the recorder saw. */
export function recordedLatencies(credits: Map<string, RecordedCredit>, okAt: Map<string, number>): { summary: Summary; missing: number } {
  const samples: number[] = [];
  let missing = 0;
  for (const [pi, ok] of okAt) {
    const c = credits.get(pi);
    if (c === undefined) missing++;
    else samples.push(c.firstAt - ok);
  }
  return { summary: summarize(samples), missing };
}

/** Of these PaymentIntents, how many were never credited in Navixy and how many more than once. */
export function exactlyOnce(credits: Map<string, RecordedCredit>, paymentIntentIds: Iterable<string>): { expected: number; lost: number; doubled: number } {
  let expected = 0;
  let lost = 0;
  let doubled = 0;
  for (const pi of paymentIntentIds) {
    expected++;
    const applied = credits.get(pi)?.applied ?? 0;
    if (applied === 0) lost++;
    else if (applied > 1) doubled++;
  }
  return { expected, lost, doubled };
}

/** Removes what earlier benchmark runs added to a seeded database (everything newer than the seed). */
export async function removeRunRows(db: Db, seedEnd: Date): Promise<number> {
  const gt = { gt: seedEnd };
  const calls = await db.navixyCall.deleteMany({ where: { startedAt: gt } });
  const movements = await db.balanceMovement.deleteMany({ where: { createdAt: gt } });
  const events = await db.stripeEvent.deleteMany({ where: { receivedAt: gt } });
  const changes = await db.paymentStatusChange.deleteMany({ where: { at: gt } });
  const payments = await db.payment.deleteMany({ where: { createdAt: gt } });
  return calls.count + movements.count + events.count + changes.count + payments.count;
}

// ---- the console's payment list ---------------------------------------------------------------------------

type ListFn = (services: Services, filters: { navixyUserId?: number }, opts: { cursor?: string | null; limit?: number }) => Promise<{ rows: unknown[]; next: string | null }>;

/**
 * lib/admin/payments-query.ts's listPayments when it is there (the console is written in parallel); else the
 * same query written here: keyset on (createdAt, id) newest first, 50 rows + 1, then the credits of the page.
 */
async function loadListPayments(): Promise<{ fn: ListFn; source: string }> {
  try {
    // A computed specifier: the benchmark must type-check (and the app build) whether the module exists or not.
    const specifier = ["..", "..", "lib", "admin", "payments-query"].join("/");
    const mod = (await import(specifier)) as { listPayments?: ListFn };
    if (typeof mod.listPayments === "function") return { fn: mod.listPayments, source: "lib/admin/payments-query.ts listPayments()" };
  } catch {
    /* not there yet */
  }
  const fn: ListFn = async (services, filters, opts) => {
    const limit = opts.limit ?? 50;
    const c = opts.cursor ? (JSON.parse(opts.cursor) as { createdAt: string; id: string }) : null;
    const where = {
      ...(filters.navixyUserId !== undefined ? { navixyUserId: filters.navixyUserId } : {}),
      ...(c ? { OR: [{ createdAt: { lt: new Date(c.createdAt) } }, { createdAt: new Date(c.createdAt), id: { lt: c.id } }] } : {}),
    };
    const rows = await services.db.payment.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: limit + 1 });
    const page = rows.slice(0, limit);
    await services.db.balanceMovement.findMany({ where: { paymentId: { in: page.map((p) => p.id) }, kind: "credit" } });
    const last = page[page.length - 1];
    return { rows: page, next: rows.length > limit && last ? JSON.stringify({ createdAt: last.createdAt, id: last.id }) : null };
  };
  return { fn, source: "dev/bench/support/ledger.ts (same query as the console's)" };
}

export interface QueryTimings {
  source: string;
  /** label → latency of one page */
  pages: Record<string, Summary>;
}

export async function listQueryTimings(db: Db, iterations: number): Promise<QueryTimings> {
  const { fn, source } = await loadListPayments();
  const services = { db } as unknown as Services;
  const cursorAfter = async (filters: { navixyUserId?: number }, pages: number): Promise<string | null> => {
    let cursor: string | null = null;
    for (let i = 0; i < pages; i++) {
      const page = await fn(services, filters, { cursor, limit: 50 });
      if (!page.next) break;
      cursor = page.next;
    }
    return cursor;
  };
  // Every case returns the same rows on the small and the large ledger (a full page of 50, or none), so only
  // the ledger's size differs.
  const cases: [string, { navixyUserId?: number }, string | null][] = [
    ["all payments, newest page", {}, null],
    ["all payments, page 20 (keyset cursor)", {}, await cursorAfter({}, 19)],
    [`heavy user (${HEAVY_USER}), newest page`, { navixyUserId: HEAVY_USER }, null],
    [`heavy user (${HEAVY_USER}), page 2 (keyset cursor)`, { navixyUserId: HEAVY_USER }, await cursorAfter({ navixyUserId: HEAVY_USER }, 1)],
    [`user without payments (${NO_PAYMENTS_USER})`, { navixyUserId: NO_PAYMENTS_USER }, null],
  ];
  const pages: Record<string, Summary> = {};
  for (const [label, filters, cursor] of cases) {
    for (let i = 0; i < 3; i++) await fn(services, filters, { cursor, limit: 50 }); // warm
    // `iterations` samples, or as many as fit in 15 s (at least 5) when a page is slow.
    const samples: number[] = [];
    const started = performance.now();
    for (let i = 0; i < iterations && (i < 5 || performance.now() - started < 15_000); i++) {
      const t0 = performance.now();
      await fn(services, filters, { cursor, limit: 50 });
      samples.push(performance.now() - t0);
    }
    pages[label] = summarize(samples);
  }
  return { source, pages };
}
