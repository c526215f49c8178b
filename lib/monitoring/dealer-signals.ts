// What a dealer's Navixy and Stripe say of its credentials, as this process sees its calls: the Navixy login
// refused, a Navixy method refused for want of a permission, the Stripe key refused. Every call's outcome is
// noted in memory (no I/O: these are the clients' hot paths); a change is written to the DealerSignal table a
// moment later, in the background, and a failure that goes on is written again at most every minute. The alerts
// read the table, so a failure seen by any instance is known to the one that evaluates them, and a success seen
// after it (by any instance) clears it. One timer per process, and only while there is something to write.
import type { Db } from "../db/client";
import { logger } from "../logging/logger";

export const NAVIXY_LOGIN = "navixy_login";
export const NAVIXY_PERMISSION = "navixy_permission:";
export const STRIPE_KEY = "stripe_key";

/** How often a failure that goes on is written again (its lastFailureAt). */
const REFRESH_FAILING_MS = 60_000;
/** How often this process reads which signals are failing in the table (to clear them once it sees a success). */
const READ_FAILING_MS = 10_000;
const FLUSH_DELAY_MS = 1_000;

interface Observation {
  dealerId: string;
  kind: string;
  ok: boolean;
  at: number;
  detail: string | null;
  /** What was last written for this signal by this process, and when. */
  written: "ok" | "failing" | null;
  writtenAt: number;
}

interface SignalState {
  db: Db | undefined;
  observations: Map<string, Observation>;
  /** key → lastFailureAt of the signals the table says are failing (read at most every READ_FAILING_MS). */
  failing: Map<string, number>;
  failingReadAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  flushing: Promise<void> | undefined;
}

const state: SignalState = ((globalThis as { __gatewayDealerSignals?: SignalState }).__gatewayDealerSignals ??= {
  db: undefined,
  observations: new Map(),
  failing: new Map(),
  failingReadAt: 0,
  timer: undefined,
  flushing: undefined,
});

const keyOf = (dealerId: string, kind: string) => `${dealerId}\u0000${kind}`;

/** Where the signals are written: the process's unscoped database (set by lib/server/services.ts). */
export function setDealerSignalStore(db: Db | undefined): void {
  state.db = db;
  if (!db) {
    state.observations.clear();
    state.failing.clear();
    state.failingReadAt = 0;
  }
}

/** Notes one call's outcome for a signal. Costs a map update; the write, if any, happens later. */
export function noteSignal(dealerId: string, kind: string, ok: boolean, detail: string | null = null, now = Date.now()): void {
  const key = keyOf(dealerId, kind);
  let o = state.observations.get(key);
  if (!o) {
    // An idle success is not remembered unless the table may hold a failure to clear: a success per call of every
    // dealer costs nothing then.
    if (ok && state.failingReadAt !== 0 && !state.failing.has(key)) return;
    state.observations.set(key, (o = { dealerId, kind, ok, at: now, detail, written: null, writtenAt: 0 }));
  }
  o.ok = ok;
  o.at = now;
  if (!ok) o.detail = detail;
  if (needsWrite(o, now) || state.failingReadAt === 0) schedule();
}

function needsWrite(o: Observation, now: number): boolean {
  if (!o.ok) return o.written !== "failing" || now - o.writtenAt >= REFRESH_FAILING_MS;
  const failingAt = state.failing.get(keyOf(o.dealerId, o.kind));
  // A success clears a failure written before it (by any instance), never one written after.
  return failingAt !== undefined ? o.at > failingAt : o.written === "failing";
}

function schedule(): void {
  if (state.timer || !state.db) return;
  state.timer = setTimeout(() => {
    state.timer = undefined;
    state.flushing = flush().catch((error) => logger.warn({ err: error }, "could not record a dealer's Navixy or Stripe signal"));
  }, FLUSH_DELAY_MS);
  state.timer.unref?.();
}

/** Writes what changed. Exported for tests (which do not wait a second). */
export async function flushDealerSignals(now = Date.now()): Promise<void> {
  if (state.timer) {
    clearTimeout(state.timer);
    state.timer = undefined;
  }
  await state.flushing;
  await flush(now);
}

async function flush(now = Date.now()): Promise<void> {
  const db = state.db;
  if (!db) return;
  if (now - state.failingReadAt >= READ_FAILING_MS) {
    const rows = await db.dealerSignal.findMany({ where: { failingSince: { not: null } }, select: { dealerId: true, kind: true, lastFailureAt: true } });
    state.failing = new Map(rows.map((r) => [keyOf(r.dealerId, r.kind), r.lastFailureAt?.getTime() ?? 0]));
    state.failingReadAt = now;
  }
  for (const [key, o] of state.observations) {
    if (!needsWrite(o, now)) {
      // Successes with nothing to clear are forgotten: only failures, and successes that may clear one, are kept.
      if (o.ok && !state.failing.has(key)) state.observations.delete(key);
      continue;
    }
    const at = new Date(o.at);
    if (!o.ok) {
      const detail = o.detail?.slice(0, 500) ?? null;
      await db.dealerSignal.upsert({
        where: { dealerId_kind: { dealerId: o.dealerId, kind: o.kind } },
        create: { dealerId: o.dealerId, kind: o.kind, failingSince: at, lastFailureAt: at, detail },
        update: { lastFailureAt: at, detail },
      });
      // Failing since the first failure after a success: kept while it goes on.
      await db.dealerSignal.updateMany({ where: { dealerId: o.dealerId, kind: o.kind, failingSince: null }, data: { failingSince: at } });
      o.written = "failing";
      state.failing.set(key, o.at);
    } else {
      // Conditional: a failure another instance wrote after this success stays.
      await db.dealerSignal.updateMany({
        where: { dealerId: o.dealerId, kind: o.kind, failingSince: { not: null }, lastFailureAt: { lt: at } },
        data: { failingSince: null, lastOkAt: at },
      });
      o.written = "ok";
      state.failing.delete(key);
    }
    o.writtenAt = now;
  }
  // Failures still going on are written again while calls keep failing (noteSignal schedules that).
}

/** Navixy's answer to one call, as its client logs it ("navixy.call"): the login and the permissions it shows. */
export function noteNavixyCall(dealerId: string, fields: { method?: unknown; outcome?: unknown; code?: unknown }): void {
  const method = typeof fields.method === "string" ? fields.method : "";
  const code = typeof fields.code === "number" ? fields.code : null;
  if (method === "panel/account/auth") {
    if (fields.outcome === "ok") noteSignal(dealerId, NAVIXY_LOGIN, true);
    else if (fields.outcome === "api_error") noteSignal(dealerId, NAVIXY_LOGIN, false, `Navixy refused the login (error ${code ?? "?"}${code === 102 ? ": wrong login or password" : ""})`);
    return;
  }
  if (fields.outcome === "ok") noteSignal(dealerId, NAVIXY_PERMISSION + method, true);
  else if (fields.outcome === "api_error" && (code === 11 || code === 13)) {
    noteSignal(dealerId, NAVIXY_PERMISSION + method, false, `Navixy refused ${method} (error ${code}: ${code === 11 ? "access denied" : "operation not permitted"})`);
  }
}

/** Stripe's answer to one request with the dealer's key: 401/403 say the key is refused, a 2xx that it works. */
export function noteStripeStatus(dealerId: string, status: number | null): void {
  if (status === null) return;
  if (status >= 200 && status < 300) noteSignal(dealerId, STRIPE_KEY, true);
  else if (status === 401 || status === 403) {
    noteSignal(dealerId, STRIPE_KEY, false, status === 401 ? "Stripe refused the secret key (401: invalid or revoked)" : "Stripe refused the key's permissions (403)");
  }
}
