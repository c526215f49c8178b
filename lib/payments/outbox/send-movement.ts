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
import { RELEASED, claimFields, leaseOn, type Claimant } from "../ledger/claims";
import type { Lease } from "../ledger/lease";
import { PAYMENT_CREDIT } from "../ledger/movement-keys";
import { assertNever, type MovementState } from "../ledger/states";
import { ATTENTION_AFTER_ATTEMPTS, backoffDelay } from "./backoff";
import { LookupIncomplete, lookupWindows, searchTransactions, type MoneyAttempt } from "./lookup";

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
}

export interface CallLog {
  /** Records a call that has ended (lookups). */
  record(call: CallRecord): Promise<void>;
  /**
   * Records a money call as in flight before it is sent, so a crash mid-call still leaves the attempt's time
   * for the lookup; the returned function records how it ended.
   */
  begin(call: { method: NavixyCallMethod; startedAt: Date }): Promise<(end: Omit<CallRecord, "method" | "startedAt">) => Promise<void>>;
}

/** The worker's claim on the row: renewed and checked right before money is sent. */
export interface Claim {
  renew(coverMs: number): Promise<boolean>;
}

const MONEY_METHODS: NavixyCallMethod[] = ["change_balance", "refill"];

/**
 * How long after it began a money call may still land at Navixy: our client gives each request the timeout,
 * and a call may log in first. A dead worker's call is looked up only after this.
 */
export const inFlightSpanMs = (timeoutMs: number) => 2 * timeoutMs;

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
  // Fence: still ours, and held for the whole call even if heartbeats stall (a session renewal adds a login).
  if (!(await opts.claim.renew(inFlightSpanMs(timeoutMs)))) return { result: "lost" };
  const startedAt = new Date();
  const end = await log.begin({ method, startedAt });
  try {
    if (method === "refill") {
      await services.navixy.refillBalance({ userId: movement.navixyUserId, amount: movement.navixyAmount, comment: movement.text });
    } else {
      await services.navixy.changeBalance({ userId: movement.navixyUserId, amount: movement.navixyAmount, text: movement.text });
    }
    await end({ outcome: "applied", errorCode: null, detail: null, durationMs: Date.now() - startedAt.getTime() });
    return { result: "applied", via: "call" };
  } catch (error) {
    const outcome = classify(error);
    await end({
      outcome: outcome.result === "failed" ? "refused" : outcome.maybeApplied ? "unknown" : "error",
      errorCode: outcome.code,
      detail: outcome.error,
      durationMs: Date.now() - startedAt.getTime(),
    });
    return outcome;
  }
}

/** The money calls made for this movement, each with how long it may have been in flight. */
async function moneyAttempts(services: OutboxDeps, movementId: string): Promise<(MoneyAttempt & { inFlight: boolean })[]> {
  const calls = await services.db.navixyCall.findMany({
    where: { movementId, method: { in: MONEY_METHODS } },
    select: { startedAt: true, durationMs: true, outcome: true },
  });
  const { timeoutMs } = services.config.navixy;
  // A call still "in_flight" belonged to a worker that died during it: it may have been in flight until the
  // client's timeout, and Navixy may have applied it at any time in that span.
  return calls.map((c) => ({
    startedAt: c.startedAt,
    durationMs: c.outcome === "in_flight" ? Math.max(c.durationMs, inFlightSpanMs(timeoutMs)) : c.durationMs,
    inFlight: c.outcome === "in_flight",
  }));
}

async function lookUp(services: OutboxDeps, movement: BalanceMovement, log: CallLog): Promise<ApplyOutcome | "not_found"> {
  const now = new Date();
  const attempts = await moneyAttempts(services, movement.id);
  // A dead worker's call may still be on its way to Navixy: looking before it could have landed proves nothing.
  const landsBy = Math.max(0, ...attempts.filter((a) => a.inFlight).map((a) => a.startedAt.getTime() + a.durationMs));
  if (landsBy > now.getTime()) {
    return {
      result: "retry",
      maybeApplied: true,
      error: `an earlier call may still be in flight at Navixy; looked up after ${new Date(landsBy).toISOString()}`,
      code: null,
      notBefore: new Date(landsBy),
    };
  }
  // Calls left in flight by a dead worker have had their time: their outcome is now simply unknown.
  await services.db.navixyCall.updateMany({
    where: { movementId: movement.id, outcome: "in_flight" },
    data: { outcome: "unknown", detail: "the worker stopped during the call" },
  });
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
    return match ? { result: "applied", via: "lookup" } : "not_found";
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
  const [row] = await db.balanceMovement.updateManyAndReturn({
    where: {
      id: candidate.id,
      version: seen.version,
      OR: [
        { state: { in: ["pending", "unknown"] }, nextAttemptAt: { lte: now } },
        { state: "sending", leaseUntil: { lt: now } },
      ],
    },
    data: { state: "sending", ...claimFields(claimant) },
  });
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
  return {
    record: async (call) => {
      await db.navixyCall.create({ data: { movementId, ...call, detail: call.detail?.slice(0, 1000) ?? null } });
    },
    begin: async ({ method, startedAt }) => {
      const { id } = await db.navixyCall.create({
        data: { movementId, method, outcome: "in_flight", errorCode: null, detail: null, startedAt, durationMs: 0 },
        select: { id: true },
      });
      return async (end) => {
        await db.navixyCall.update({ where: { id }, data: { ...end, detail: end.detail?.slice(0, 1000) ?? null } });
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
  if (row.kind === "debit") {
    const held = await debitMustWait(claimant, row);
    if (held) {
      await db.balanceMovement.updateMany({ where: mine, data: { ...held, ...RELEASED } });
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

  switch (outcome.result) {
    case "lost":
      // Another worker holds the row now (this one stalled past its lease): it owns the outcome. Nothing was sent.
      log.warn("claim lost before sending: left to the worker that holds the row");
      return { health: "neutral" };
    case "applied":
      log.info({ navixyUserId: row.navixyUserId, amount: row.amount, currency: row.currency }, "balance movement applied");
      await db.balanceMovement.updateMany({
        where: mine,
        data: { state: "applied", appliedAt: new Date(), needsAttention: false, lastError: null, lastErrorCode: null, ...RELEASED },
      });
      return { health: "ok" };
    case "failed":
      log.error({ code: outcome.code, error: outcome.error }, "balance movement failed: needs a person");
      await db.balanceMovement.updateMany({
        where: mine,
        data: { state: "failed", needsAttention: true, lastError: outcome.error.slice(0, 1000), lastErrorCode: outcome.code, ...RELEASED },
      });
      // A certain refusal is an answer: the dealer's Navixy is up.
      return { health: "ok" };
    case "retry": {
      let delay = backoffDelay(row.attempts, config.worker.retryBaseMs, config.worker.retryMaxMs);
      // A call that may still be in flight at Navixy gets time to land before we look for it.
      if (outcome.maybeApplied) delay = Math.max(delay, config.navixy.timeoutMs);
      if (outcome.notBefore) delay = Math.max(delay, outcome.notBefore.getTime() - Date.now());
      log.warn({ code: outcome.code, error: outcome.error, maybeApplied: outcome.maybeApplied, retryInMs: delay }, "balance movement will be retried");
      await db.balanceMovement.updateMany({
        where: mine,
        data: {
          // Unknown stays unknown until a lookup settles it; pending means certainly not applied.
          state: outcome.maybeApplied ? "unknown" : "pending",
          nextAttemptAt: new Date(Date.now() + delay),
          needsAttention: outcome.attention === true || row.attempts >= ATTENTION_AFTER_ATTEMPTS,
          lastError: outcome.error.slice(0, 1000),
          lastErrorCode: outcome.code,
          ...RELEASED,
        },
      });
      const retryAt = new Date(Date.now() + delay);
      if (outcome.rateLimited) return { health: "rate_limited", reason: outcome.error, retryAt };
      if (outcome.unavailable) return { health: "failing", reason: `Navixy: ${outcome.error}`, retryAt };
      // Waiting for an earlier call to land, a lookup that could not finish, an answer we cannot read: the
      // dealer's Navixy answered or we know nothing new about it.
      return { health: outcome.code !== null ? "ok" : "neutral", retryAt };
    }
  }
}
