// The outbox: balance movements owed to Navixy, sent one at a time under a claim (ledger/claims.ts), and
// the outcome written back: applied, failed (a certain refusal, for a person), or retried with backoff
// (pending when certainly not applied, unknown when it may have been).
//
// Navixy's change_balance is not idempotent, so the rule is: never send twice unless we know the first did
// not apply. When an attempt may have applied (timeout after sending, connection lost, a crash while it was
// in flight, an answer we cannot read) the next attempt first looks our reference up in the user's Navixy
// transactions, and an outcome stays unknown until such a lookup settles it: only a certain refusal is "failed".
import type { BalanceMovement } from "../../db/generated/sqlite/client";
import { paymentLogger } from "../../logging/logger";
import { isNavixyApiError, isNavixyTransportError } from "../../navixy";
import type { Services } from "../../server/services";
import { RELEASED, dealerOf, leaseOn, type Claimant } from "../ledger/claims";
import { claimMovement, endNavixyCall, insertNavixyCall, updateHeldMovement } from "../ledger/ledger-sql";
import type { Lease } from "../ledger/lease";
import { PAYMENT_CREDIT } from "../ledger/movement-keys";
import { assertNever, type MovementState } from "../ledger/states";
import { ATTENTION_AFTER_ATTEMPTS, backoffDelay } from "./backoff";
import { LookupIncomplete, lookupWindows, searchTransactions, type MoneyAttempt } from "./lookup";
import { countMovement, type MovementOutcome } from "../../metrics";

/** What sending a movement needs: the ledger, the Navixy client and its timeout. */
export type OutboxDeps = Pick<Services, "config" | "db" | "navixy">;

export type ApplyOutcome =
  | { result: "applied"; via: "call" | "lookup" }
  | {
      result: "retry";
      maybeApplied: boolean;
      error: string;
      code: number | null;
      /** A person should know now, not after many attempts (e.g. a code we do not know, a lookup Navixy refuses). */
      attention?: boolean;
      /** The next attempt must not come before this (a call may still be in flight at Navixy). */
      notBefore?: Date;
      /** Navixy did not answer (connection, timeout, a login that fails): the dealer's Navixy may be down. */
      unavailable?: boolean;
      /** Navixy answered "too many requests" (code 15). */
      rateLimited?: boolean;
    }
  | { result: "failed"; error: string; code: number | null }
  /** Another worker took the row over before anything was sent: nothing happened, the row is not ours. */
  | { result: "lost" };

/** What the call log (NavixyCall) says of a call. "in_flight" is written before a money call is sent. */
export type NavixyCallOutcome = "in_flight" | "applied" | "refused" | "unknown" | "error" | "found" | "not_found";
export type NavixyCallMethod = "change_balance" | "refill" | "transaction_list";

export interface CallRecord {
  method: NavixyCallMethod;
  outcome: NavixyCallOutcome;
  errorCode: number | null;
  detail: string | null;
  startedAt: Date;
  durationMs: number;
  /** A money call: until when Navixy may still apply it (null: it was never sent). */
  inFlightUntil?: Date | null;
}

export interface CallLog {
  /** Records a call that has ended (lookups). */
  record(call: CallRecord): Promise<void>;
  /**
   * Records a money call as in flight before it is sent, with until when it may land, so a crash mid-call still
   * leaves both for the worker that takes the row over; the returned function records how it ended.
   */
  begin(call: { method: NavixyCallMethod; startedAt: Date; inFlightUntil: Date }): Promise<(end: Omit<CallRecord, "method" | "startedAt">) => Promise<void>>;
}

/** The worker's claim on the row: renewed and checked right before money is sent. */
export interface Claim {
  /** Still ours? Then held for at least `coverMs` from now (the call's deadline), whatever heartbeats do. */
  renew(coverMs: number): Promise<boolean>;
}

const MONEY_METHODS: NavixyCallMethod[] = ["change_balance", "refill"];

// ---- how long a money call may be on its way to Navixy

/**
 * One money call, every request it makes included (the request; after an ended session, a new login and the
 * request again), ends within the Navixy timeout: the client gives each request what is left of this deadline
 * and sends nothing after it. Logging in beforehand is not part of it.
 */
export const moneyCallBudgetMs = (timeoutMs: number) => timeoutMs;

/**
 * How long after we stopped waiting Navixy may still apply a request (it may hold one past our timeout; see
 * "The one limit" in docs/reliability.md). The same wait as after a call that timed out.
 */
export const lateLandingMs = (timeoutMs: number) => timeoutMs;

/** A money call begun at `startedAt`: when the client gives up on it, and until when it may still land. */
export function moneyCallWindow(startedAt: Date, timeoutMs: number): { deadline: Date; inFlightUntil: Date } {
  const deadline = startedAt.getTime() + moneyCallBudgetMs(timeoutMs);
  return { deadline: new Date(deadline), inFlightUntil: new Date(deadline + lateLandingMs(timeoutMs)) };
}

/**
 * A call left in flight from before the window was recorded: the client then gave each of up to four requests
 * (login, call, login, call) the whole timeout.
 */
export const legacyInFlightMs = (timeoutMs: number) => 4 * timeoutMs + lateLandingMs(timeoutMs);

/**
 * Until when a recorded money call may still land at Navixy, or null once its outcome is certain (applied,
 * refused, not sent). A call that ended without an answer may land for a while after it ended; one still in
 * flight (its worker died or stalled) until the bound recorded when it began.
 */
export function mayLandUntil(
  call: { outcome: string; startedAt: Date; durationMs: number; inFlightUntil: Date | null },
  timeoutMs: number,
): Date | null {
  const start = call.startedAt.getTime();
  if (call.outcome === "in_flight") return call.inFlightUntil ?? new Date(start + legacyInFlightMs(timeoutMs));
  if (call.outcome === "unknown") return call.inFlightUntil ?? new Date(start + call.durationMs + lateLandingMs(timeoutMs));
  return null;
}

export async function sendMovement(
  services: OutboxDeps,
  movement: BalanceMovement,
  opts: { lookupFirst: boolean; claim: Claim },
  log: CallLog,
): Promise<ApplyOutcome> {
  const { timeoutMs } = services.config.navixy;
  if (opts.lookupFirst) {
    const found = await lookUp(services, movement, log);
    if (found !== "not_found") return found;
  }
  const method = services.config.navixy.creditMethod === "refill" && movement.kind === "credit" ? "refill" : "change_balance";
  if (method === "change_balance") {
    // Logging in moves no money: done first, so the call's deadline is all the call's own.
    try {
      await services.navixy.signIn();
    } catch (error) {
      const outcome = classify(error);
      return outcome.result === "retry" ? { ...outcome, maybeApplied: false, error: `not sent, the login failed: ${outcome.error}` } : outcome;
    }
  }
  const startedAt = new Date();
  const { deadline, inFlightUntil } = moneyCallWindow(startedAt, timeoutMs);
  // Recorded before the fence: whoever takes the row over from here on sees this call and waits for it. If the
  // claim is already lost, the record says it was not sent.
  const end = await log.begin({ method, startedAt, inFlightUntil });
  const notSent = (detail: string) => end({ outcome: "error", errorCode: null, detail, durationMs: 0, inFlightUntil: null });
  // Fence: still ours, and held until the call's deadline even if heartbeats stall.
  let held: boolean;
  try {
    held = await opts.claim.renew(deadline.getTime() - Date.now());
  } catch (error) {
    await notSent(`not sent: the claim could not be checked (${(error as Error).message})`).catch(() => {});
    throw error;
  }
  if (!held) {
    await notSent("not sent: another worker had taken the movement over");
    return { result: "lost" };
  }
  try {
    if (method === "refill") {
      await services.navixy.refillBalance({ userId: movement.navixyUserId, amount: movement.navixyAmount, comment: movement.text }, { deadline });
    } else {
      await services.navixy.changeBalance({ userId: movement.navixyUserId, amount: movement.navixyAmount, text: movement.text }, { deadline });
    }
    await end({ outcome: "applied", errorCode: null, detail: null, durationMs: Date.now() - startedAt.getTime() });
    return { result: "applied", via: "call" };
  } catch (error) {
    const outcome = classify(error);
    const endedAt = Date.now();
    await end({
      outcome: outcome.result === "failed" ? "refused" : outcome.maybeApplied ? "unknown" : "error",
      errorCode: outcome.code,
      detail: outcome.error,
      durationMs: endedAt - startedAt.getTime(),
      // Given up on without an answer: it may land until a while after now (never later than recorded).
      ...(outcome.result === "retry" && outcome.maybeApplied
        ? { inFlightUntil: new Date(Math.min(inFlightUntil.getTime(), endedAt + lateLandingMs(timeoutMs))) }
        : {}),
    });
    return outcome;
  }
}

/** The money calls made for this movement, each with until when it may still land (null: certainly settled). */
async function moneyCalls(services: OutboxDeps, movementId: string) {
  const calls = await services.db.navixyCall.findMany({
    where: { movementId, method: { in: MONEY_METHODS } },
    select: { id: true, startedAt: true, durationMs: true, outcome: true, inFlightUntil: true },
  });
  const { timeoutMs } = services.config.navixy;
  return calls.map((c) => ({ ...c, landsBy: mayLandUntil(c, timeoutMs) }));
}

/**
 * Whether an earlier attempt reached Navixy. Looked up at once, even while a call may still be on its way (a
 * dead worker's): found settles it. Not found proves nothing until every earlier call's window has passed, so
 * the movement is then looked up again after it, and only "not there" after the window lets it be sent again.
 */
async function lookUp(services: OutboxDeps, movement: BalanceMovement, log: CallLog): Promise<ApplyOutcome | "not_found"> {
  const now = new Date();
  const calls = await moneyCalls(services, movement.id);
  const landsBy = Math.max(0, ...calls.map((c) => c.landsBy?.getTime() ?? 0));
  const attempts: MoneyAttempt[] = calls.map((c) => ({
    startedAt: c.startedAt,
    durationMs: Math.max(c.durationMs, (c.landsBy?.getTime() ?? 0) - c.startedAt.getTime()),
  }));
  // Calls their workers never saw end, once settled by this lookup: only the ones read here, never a call a
  // worker that took the row over after us has begun.
  const leftInFlight = calls.filter((c) => c.outcome === "in_flight").map((c) => c.id);
  const settleLeftInFlight = (detail: string) =>
    leftInFlight.length === 0
      ? Promise.resolve()
      : services.db.navixyCall.updateMany({ where: { id: { in: leftInFlight }, outcome: "in_flight" }, data: { outcome: "unknown", detail } });
  const windows = lookupWindows(attempts, { createdAt: movement.createdAt, now });
  const span = `${windows.length} window(s) from ${windows.at(-1)!.from.toISOString()} to ${windows[0]!.to.toISOString()}`;
  const startedAt = new Date();
  try {
    const { match, requests } = await searchTransactions(
      (w) => services.navixy.listTransactions({ userId: movement.navixyUserId, from: w.from, to: w.to, limit: w.limit }),
      windows,
      { reference: movement.reference, sign: movement.kind === "credit" ? 1 : -1 },
    );
    await log.record({
      method: "transaction_list",
      outcome: match ? "found" : "not_found",
      errorCode: null,
      detail: match
        ? `found ${match.amount} at ${match.timestamp} (${requests} request(s))`
        : `no transaction mentions ${movement.reference} in ${span} (${requests} request(s))`,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    });
    if (match) {
      await settleLeftInFlight("its worker stopped before recording an answer; the lookup found the movement applied");
      return { result: "applied", via: "lookup" };
    }
    if (landsBy > startedAt.getTime()) {
      // An earlier call could still land after this search began: not there proves nothing. Look again once it cannot.
      return {
        result: "retry",
        maybeApplied: true,
        error: `not found yet, and an earlier call may still land at Navixy until ${new Date(landsBy).toISOString()}: looked up again then`,
        code: null,
        notBefore: new Date(landsBy),
      };
    }
    await settleLeftInFlight("the worker stopped during the call");
    return "not_found";
  } catch (error) {
    const incomplete = error instanceof LookupIncomplete;
    const outcome = incomplete ? null : classify(error);
    const message = incomplete ? error.message : outcome!.error;
    await log.record({
      method: "transaction_list",
      outcome: "error",
      errorCode: outcome?.code ?? null,
      detail: `${message} (searching ${span})`,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
    });
    // Could not look: whether the earlier call applied is still unknown. Never send blindly, never give up:
    // the movement stays unknown and is looked up again. A refusal retrying will not fix needs a person.
    return {
      result: "retry",
      maybeApplied: true,
      error: `outcome unknown, the lookup failed: ${message}`,
      code: outcome?.code ?? null,
      attention: incomplete || outcome!.result === "failed",
    };
  }
}

/** The metrics' name for how one attempt ended (lib/metrics). */
export function movementOutcome(outcome: ApplyOutcome): MovementOutcome {
  switch (outcome.result) {
    case "applied":
      return outcome.via === "lookup" ? "found" : "applied";
    case "failed":
      return "refused";
    case "retry":
      return outcome.maybeApplied ? "unknown" : "retry";
    case "lost":
      return "lost";
  }
}

function classify(error: unknown): Exclude<ApplyOutcome, { result: "applied" } | { result: "lost" }> {
  if (isNavixyTransportError(error)) {
    return { result: "retry", maybeApplied: error.maybeApplied, error: error.message, code: null, unavailable: true };
  }
  if (isNavixyApiError(error)) {
    const message = `Navixy error ${error.code}: ${error.description}`;
    // Codes we do not know (and 1, a database error mid-way) may have applied: unknown, never "refused".
    if (error.maybeApplied) {
      return { result: "retry", maybeApplied: true, error: message, code: error.code, attention: error.kind === "permanent" };
    }
    switch (error.kind) {
      case "session":
      case "transient":
        return {
          result: "retry",
          maybeApplied: false,
          error: message,
          code: error.code,
          ...(error.code === 15 ? { rateLimited: true } : { unavailable: true }),
        };
      case "not_found":
      case "insufficient_funds":
      case "permanent":
        return { result: "failed", error: message, code: error.code };
      default:
        return assertNever(error.kind);
    }
  }
  return { result: "retry", maybeApplied: true, error: error instanceof Error ? error.message : String(error), code: null };
}

// ---- the queue: due movements, claimed one at a time

/** What the worker learns from sending a movement: whether Navixy answered (its health for the dealer's slots). */
export interface MovementWork {
  worked: boolean;
  health: "ok" | "failing" | "rate_limited" | "neutral";
  reason?: string;
  /** Put back to be tried again at this time. */
  retryAt?: Date;
}

/** Claims the movement and sends it. `version` is what the due query read; a hinted movement is claimed while due. */
export async function workMovement(claimant: Claimant, candidate: { id: string; version?: number; state?: string }): Promise<MovementWork> {
  const { db } = claimant.services;
  let seen: { version: number; state: string } | null =
    candidate.version !== undefined && candidate.state !== undefined ? { version: candidate.version, state: candidate.state } : null;
  // A hinted movement: read the version and state it is claimed at (the claim then fences both).
  seen ??= await db.balanceMovement.findFirst({ where: { id: candidate.id }, select: { version: true, state: true } });
  if (!seen) return { worked: false, health: "neutral" };
  const now = new Date();
  const row = await claimMovement(claimant.services.sql, dealerOf(claimant), candidate.id, seen.version, { owner: claimant.id, leaseUntil: new Date(now.getTime() + claimant.leaseMs), now });
  if (!row) return { worked: false, health: "neutral" };
  const lease = leaseOn(claimant, "balanceMovement", row);
  try {
    return { worked: true, ...(await sendClaimed(claimant, row, seen.state as MovementState, lease)) };
  } finally {
    lease.stop();
  }
}

/** The call log of one movement (NavixyCall rows): money calls are written as in flight before they are sent. */
function callLogOf(claimant: Claimant, movementId: string): CallLog {
  const { db } = claimant.services;
  const dealerId = dealerOf(claimant);
  return {
    record: async (call) => {
      await insertNavixyCall(claimant.services.sql, { dealerId, movementId, ...call, detail: call.detail?.slice(0, 1000) ?? null, inFlightUntil: call.inFlightUntil ?? null });
    },
    begin: async ({ method, startedAt, inFlightUntil }) => {
      const id = await insertNavixyCall(claimant.services.sql, { dealerId, movementId, method, outcome: "in_flight", errorCode: null, detail: null, startedAt, durationMs: 0, inFlightUntil });
      return async (end) => {
        await endNavixyCall(claimant.services.sql, dealerId, id, { ...end, detail: end.detail?.slice(0, 1000) ?? null });
      };
    },
  };
}

/**
 * A refund's debit goes to Navixy only after the payment's credit did: otherwise a refund processed
 * first would debit money that was never credited. Returns the update that holds it back, or null.
 */
async function debitMustWait(claimant: Claimant, debit: BalanceMovement) {
  const { db, config } = claimant.services;
  const credit = await db.balanceMovement.findFirst({
    // The payment's own credit: a failed refund's reversal (refund-reversal:<refund id>) is a credit too.
    where: { paymentId: debit.paymentId, ...PAYMENT_CREDIT },
    select: { state: true },
  });
  if (credit?.state === "applied") return null;
  if (!credit || credit.state === "canceled") {
    return { state: "canceled", lastError: "not debited: the payment's credit was never applied" };
  }
  return {
    state: "pending",
    nextAttemptAt: new Date(Date.now() + backoffDelay(debit.attempts, config.worker.retryBaseMs, config.worker.retryMaxMs)),
    lastError: "waiting for the payment's credit to reach Navixy first",
  };
}

async function sendClaimed(claimant: Claimant, row: BalanceMovement, previousState: MovementState, lease: Lease): Promise<Omit<MovementWork, "worked">> {
  const { db, config } = claimant.services;
  const mine = lease.where;
  const dealerId = dealerOf(claimant);
  const release = (set: Record<string, unknown>) => updateHeldMovement(claimant.services.sql, dealerId, mine, { ...set, ...RELEASED });
  if (row.kind === "debit") {
    const held = await debitMustWait(claimant, row);
    if (held) {
      await release(held);
      return { health: "neutral", ...("nextAttemptAt" in held ? { retryAt: held.nextAttemptAt } : {}) };
    }
  }
  // "sending" here means an earlier worker's lease ran out mid-call (it crashed or hung): the call may
  // have applied, exactly like "unknown".
  const lookupFirst = previousState === "unknown" || previousState === "sending";
  const log = paymentLogger(row.paymentId, claimant.log).child({ movementId: row.id, kind: row.kind, attempt: row.attempts });
  let outcome: ApplyOutcome;
  try {
    outcome = await sendMovement(claimant.services, row, { lookupFirst, claim: lease }, callLogOf(claimant, row.id));
  } catch (error) {
    // Our own failure (e.g. the database while recording): the call's outcome is not known.
    outcome = { result: "retry", maybeApplied: true, error: (error as Error).message, code: null };
  }
  countMovement(claimant.services.dealer.slug, row, movementOutcome(outcome));

  switch (outcome.result) {
    case "lost":
      // Another worker holds the row now (this one stalled past its lease): it owns the outcome. Nothing was sent.
      log.warn("claim lost before sending: left to the worker that holds the row");
      return { health: "neutral" };
    case "applied":
      log.info({ navixyUserId: row.navixyUserId, amount: row.amount, currency: row.currency }, "balance movement applied");
      await release({ state: "applied", appliedAt: new Date(), needsAttention: false, lastError: null, lastErrorCode: null });
      return { health: "ok" };
    case "failed":
      log.error({ code: outcome.code, error: outcome.error }, "balance movement failed: needs a person");
      await release({ state: "failed", needsAttention: true, lastError: outcome.error.slice(0, 1000), lastErrorCode: outcome.code });
      // A certain refusal is an answer: the dealer's Navixy is up.
      return { health: "ok" };
    case "retry": {
      let delay = backoffDelay(row.attempts, config.worker.retryBaseMs, config.worker.retryMaxMs);
      // A call that may still be in flight at Navixy gets time to land before we look for it.
      if (outcome.maybeApplied) delay = Math.max(delay, config.navixy.timeoutMs);
      if (outcome.notBefore) delay = Math.max(delay, outcome.notBefore.getTime() - Date.now());
      log.warn({ code: outcome.code, error: outcome.error, maybeApplied: outcome.maybeApplied, retryInMs: delay }, "balance movement will be retried");
      const retryAt = new Date(Date.now() + delay);
      await release({
        // Unknown stays unknown until a lookup settles it; pending means certainly not applied.
        state: outcome.maybeApplied ? "unknown" : "pending",
        nextAttemptAt: retryAt,
        needsAttention: outcome.attention === true || row.attempts >= ATTENTION_AFTER_ATTEMPTS,
        lastError: outcome.error.slice(0, 1000),
        lastErrorCode: outcome.code,
      });
      if (outcome.rateLimited) return { health: "rate_limited", reason: outcome.error, retryAt };
      if (outcome.unavailable) return { health: "failing", reason: `Navixy: ${outcome.error}`, retryAt };
      // Waiting for an earlier call to land, a lookup that could not finish, an answer we cannot read: the
      // dealer's Navixy answered or we know nothing new about it.
      return { health: outcome.code !== null ? "ok" : "neutral", retryAt };
    }
  }
}
