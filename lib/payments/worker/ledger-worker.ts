// The worker: processes stored Stripe events and sends owed balance movements to Navixy.
// Rows are claimed with a lease (a conditional update on a version column), so any number of workers,
// in app instances or alone, can share one database: each row is worked on by one of them at a time,
// and a row whose worker died is taken over when its lease runs out. A heartbeat renews the lease while a row
// is worked on, and the claim is checked right before money is sent (lib/payments/worker/lease.ts).
import { randomUUID } from "node:crypto";
import type { BalanceMovement, StripeEvent } from "../../db/generated/sqlite/client";
import { sendMovement, type CallLog } from "../outbox/send-movement";
import { Lease } from "./lease";
import { ATTENTION_AFTER_ATTEMPTS, backoffDelay } from "../outbox/backoff";
import type { MovementState } from "../ledger/states";
import { onWorkerWake, type Services } from "../../server/services";
import { handleStripeEvent } from "../intake/handle-stripe-event";
import { sweepPayments } from "../sweep";
import { PAYMENT_CREDIT } from "../ledger/movement-keys";
import { runAutoTopUps } from "../../autotopup/scheduler";
import { logger, paymentLogger } from "../../logging/logger";
import { deliveriesBusy } from "../../server/request-activity";

const BATCH = 16;
/** How long the worker holds back while webhook deliveries arrive, at most, and the pause it waits for. */
const MAX_DEFER_MS = 200;
const QUIET_MS = 5;
/** A row found due, not yet claimed. */
type Candidate = { id: string; version: number };
const RELEASED = { leaseOwner: null, leaseUntil: null };

export class LedgerWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  private running = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastSweepAt = 0;
  private lastAutoTopUpAt = 0;
  private readonly log = logger.child({ worker: this.id });

  private readonly leaseMs: number;

  constructor(
    private readonly services: Services,
    opts: { leaseMs?: number } = {},
  ) {
    this.leaseMs = opts.leaseMs ?? services.config.worker.leaseMs;
  }

  /** The claim on a row just claimed: renewed by a heartbeat while the row is worked on. */
  private leaseOn(model: "stripeEvent" | "balanceMovement", row: { id: string; version: number }): Lease {
    const { db } = this.services;
    const renew = async (where: { id: string; leaseOwner: string; version: number }, leaseUntil: Date) =>
      model === "stripeEvent"
        ? (await db.stripeEvent.updateMany({ where: { ...where, status: "processing" }, data: { leaseUntil } })).count
        : (await db.balanceMovement.updateMany({ where: { ...where, state: "sending" }, data: { leaseUntil } })).count;
    const lease = new Lease(renew, { id: row.id, leaseOwner: this.id, version: row.version }, this.leaseMs, (lost) =>
      this.log.warn({ [model === "stripeEvent" ? "eventId" : "movementId"]: lost.id }, "claim lost to another worker"),
    );
    lease.startHeartbeat();
    return lease;
  }

  /**
   * What a claim writes. The caller's WHERE names the version it read, so of several workers that saw
   * the same row, exactly one update matches; the others move on.
   */
  private claimFields() {
    return {
      version: { increment: 1 },
      leaseOwner: this.id,
      leaseUntil: new Date(Date.now() + this.leaseMs),
      attempts: { increment: 1 },
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = onWorkerWake(() => this.wake());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = 0;
      try {
        worked = await this.runOnce();
        await this.sweepIfDue();
        await this.autoTopUpIfDue();
      } catch (error) {
        this.log.error({ err: error }, "worker pass failed");
      }
      if (worked === 0 && this.running) await this.idle();
    }
  }

  /** Sleeps until woken, the next retry falls due, or the poll interval passes (for other instances' work). */
  private async idle(): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return;
    }
    const wait = Math.max(10, Math.min(this.services.config.worker.pollIntervalMs, await this.msUntilNextDue()));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = undefined;
    this.wakeRequested = false;
  }

  private async msUntilNextDue(): Promise<number> {
    const { db } = this.services;
    const [event, movement] = await Promise.all([
      db.stripeEvent.findFirst({ where: { status: "received" }, orderBy: { nextAttemptAt: "asc" }, select: { nextAttemptAt: true } }),
      db.balanceMovement.findFirst({
        where: { state: { in: ["pending", "unknown"] } },
        orderBy: { nextAttemptAt: "asc" },
        select: { nextAttemptAt: true },
      }),
    ]);
    const next = Math.min(event?.nextAttemptAt.getTime() ?? Infinity, movement?.nextAttemptAt.getTime() ?? Infinity);
    return next === Infinity ? Infinity : next - Date.now();
  }

  /** One pass: every due event, then every due movement. Returns how many rows it worked on. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const events = await this.dueEvents();
      const movements = await this.dueMovements();
      if (events.length + movements.length === 0) return total;
      // One row at a time, each claimed just before it is worked on: a lease then covers one row's work (a
      // batch claimed at once could outlive its lease while Navixy is slow), and on SQLite the worker shares
      // the event loop and the database with the webhook handlers, which interleaving a batch slowed 2-3x.
      let worked = 0;
      for (const e of events) {
        await this.giveWayToDeliveries();
        const row = await this.claimEvent(e);
        if (!row) continue;
        worked++;
        await this.processEvent(row);
      }
      for (const m of movements) {
        await this.giveWayToDeliveries();
        const row = await this.claimMovement(m);
        if (!row) continue;
        worked++;
        await this.processMovement(row, m.state as MovementState);
      }
      // Every candidate was taken by another worker: what is left is theirs.
      if (worked === 0) return total;
      total += worked;
    }
  }

  /**
   * Waits while webhook deliveries are being answered in this process (lib/server/request-activity.ts), at
   * most MAX_DEFER_MS: a burst of deliveries is acknowledged first and credited right after, instead of
   * every delivery waiting behind a credit's database work. Under a steady flow it does not wait at all.
   */
  private async giveWayToDeliveries(): Promise<void> {
    const deadline = performance.now() + MAX_DEFER_MS;
    while (this.running && deliveriesBusy(QUIET_MS) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    }
  }

  /** Missed webhooks, due captures, abandoned payments: see lib/payments/sweep.ts. */
  private async sweepIfDue(): Promise<void> {
    if (Date.now() - this.lastSweepAt < this.services.config.worker.sweepIntervalMs) return;
    this.lastSweepAt = Date.now();
    const report = await sweepPayments(this.services);
    if (report.resynced + report.captured + report.abandoned + report.errors > 0) {
      this.log.info({ report }, "sweep");
    }
  }

  /** Automatic top-up: checks due rules' balances and charges saved cards (lib/autotopup/scheduler.ts). */
  private async autoTopUpIfDue(): Promise<void> {
    const { autoTopUp } = this.services.config;
    // About once a minute (never more often than the check interval); each pass reads at most a batch of balances.
    if (!autoTopUp.enabled || Date.now() - this.lastAutoTopUpAt < Math.min(60_000, autoTopUp.checkIntervalMs)) return;
    this.lastAutoTopUpAt = Date.now();
    const report = await runAutoTopUps(this.services);
    if (report.charged + report.errors > 0) this.log.info({ report }, "automatic top-up");
  }

  /**
   * Runs passes until nothing is due and nothing is in flight (rows another loop of this process, or
   * another worker, holds under a live lease), or `timeoutMs` passes. Used by commands and tests.
   */
  async drain(timeoutMs = 30_000): Promise<void> {
    const { db } = this.services;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.runOnce()) > 0) continue;
      const now = new Date();
      const [events, movements] = await Promise.all([
        db.stripeEvent.count({ where: { status: "processing", leaseUntil: { gte: now } } }),
        db.balanceMovement.count({ where: { state: "sending", leaseUntil: { gte: now } } }),
      ]);
      if (events + movements === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  // ---- Stripe events ----

  /** Events due now (new, retry due, or abandoned by a worker whose lease ran out), oldest first. */
  private dueEvents(): Promise<Candidate[]> {
    const now = new Date();
    return this.services.db.stripeEvent.findMany({
      where: {
        OR: [
          { status: "received", nextAttemptAt: { lte: now } },
          { status: "processing", leaseUntil: { lt: now } },
        ],
      },
      orderBy: { stripeCreatedAt: "asc" },
      take: BATCH,
      select: { id: true, version: true },
    });
  }

  /** Takes the event if it is still as read (one conditional UPDATE ... RETURNING); null if another worker did. */
  private async claimEvent(c: Candidate): Promise<StripeEvent | null> {
    const [row] = await this.services.db.stripeEvent.updateManyAndReturn({
      where: { id: c.id, version: c.version },
      data: { status: "processing", ...this.claimFields() },
    });
    return row ?? null;
  }

  private async processEvent(row: StripeEvent): Promise<void> {
    const lease = this.leaseOn("stripeEvent", row);
    try {
      await this.processClaimedEvent(row, lease.where);
    } finally {
      lease.stop();
    }
  }

  private async processClaimedEvent(row: StripeEvent, mine: Lease["where"]): Promise<void> {
    const { db, config } = this.services;
    try {
      const result = await handleStripeEvent(this.services, row);
      await db.stripeEvent.updateMany({
        where: mine,
        data: {
          status: result.status,
          paymentId: result.status === "processed" ? result.paymentId : null,
          lastError: result.status === "ignored" ? result.reason : null,
          processedAt: new Date(),
          ...RELEASED,
        },
      });
    } catch (error) {
      const permanent = isPermanentStripeError(error);
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn({ eventId: row.id, eventType: row.type, attempt: row.attempts, permanent, err: error }, "Stripe event failed");
      await db.stripeEvent.updateMany({
        where: mine,
        data: {
          status: permanent ? "failed" : "received",
          lastError: message.slice(0, 1000),
          nextAttemptAt: new Date(Date.now() + backoffDelay(row.attempts, config.worker.retryBaseMs, config.worker.retryMaxMs)),
          ...RELEASED,
        },
      });
    }
  }

  // ---- balance movements ----

  /**
   * A refund's debit goes to Navixy only after the payment's credit did: otherwise a refund processed
   * first would debit money that was never credited. Returns the update that holds it back, or null.
   */
  private async debitMustWait(debit: BalanceMovement) {
    const credit = await this.services.db.balanceMovement.findFirst({
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
      nextAttemptAt: new Date(Date.now() + backoffDelay(debit.attempts, this.services.config.worker.retryBaseMs, this.services.config.worker.retryMaxMs)),
      lastError: "waiting for the payment's credit to reach Navixy first",
    };
  }

  /** Movements due now (pending, unknown, or abandoned mid-call by a worker whose lease ran out). */
  private dueMovements(): Promise<(Candidate & { state: string })[]> {
    const now = new Date();
    return this.services.db.balanceMovement.findMany({
      where: {
        OR: [
          { state: { in: ["pending", "unknown"] }, nextAttemptAt: { lte: now } },
          { state: "sending", leaseUntil: { lt: now } },
        ],
      },
      orderBy: { nextAttemptAt: "asc" },
      take: BATCH,
      select: { id: true, version: true, state: true },
    });
  }

  private async claimMovement(c: Candidate): Promise<BalanceMovement | null> {
    const [row] = await this.services.db.balanceMovement.updateManyAndReturn({
      where: { id: c.id, version: c.version },
      data: { state: "sending", ...this.claimFields() },
    });
    return row ?? null;
  }

  private async processMovement(row: BalanceMovement, previousState: MovementState): Promise<void> {
    const lease = this.leaseOn("balanceMovement", row);
    try {
      await this.processClaimedMovement(row, previousState, lease);
    } finally {
      lease.stop();
    }
  }

  private async processClaimedMovement(row: BalanceMovement, previousState: MovementState, lease: Lease): Promise<void> {
    const { db, config } = this.services;
    const mine = lease.where;
    const callLog: CallLog = {
      record: async (call) => {
        await db.navixyCall.create({ data: { movementId: row.id, ...call, detail: call.detail?.slice(0, 1000) ?? null } });
      },
      begin: async ({ method, startedAt }) => {
        const { id } = await db.navixyCall.create({
          data: { movementId: row.id, method, outcome: "in_flight", errorCode: null, detail: null, startedAt, durationMs: 0 },
          select: { id: true },
        });
        return async (end) => {
          await db.navixyCall.update({ where: { id }, data: { ...end, detail: end.detail?.slice(0, 1000) ?? null } });
        };
      },
    };
    if (row.kind === "debit") {
      const held = await this.debitMustWait(row);
      if (held) {
        await db.balanceMovement.updateMany({ where: mine, data: { ...held, ...RELEASED } });
        return;
      }
    }
    // "sending" here means an earlier worker's lease ran out mid-call (it crashed or hung): the call may
    // have applied, exactly like "unknown".
    const lookupFirst = previousState === "unknown" || previousState === "sending";
    const log = paymentLogger(row.paymentId, this.log).child({ movementId: row.id, kind: row.kind, attempt: row.attempts });
    let outcome;
    try {
      outcome = await sendMovement(this.services, row, { lookupFirst, claim: lease }, callLog);
    } catch (error) {
      // Our own failure (e.g. the database while recording): the call's outcome is not known.
      outcome = { result: "retry" as const, maybeApplied: true, error: (error as Error).message, code: null };
    }

    if (outcome.result === "lost") {
      // Another worker holds the row now (this one stalled past its lease): it owns the outcome. Nothing was sent.
      log.warn("claim lost before sending: left to the worker that holds the row");
      return;
    }
    if (outcome.result === "applied") {
      log.info({ navixyUserId: row.navixyUserId, amount: row.amount, currency: row.currency }, "balance movement applied");
      await db.balanceMovement.updateMany({
        where: mine,
        data: { state: "applied", appliedAt: new Date(), needsAttention: false, lastError: null, lastErrorCode: null, ...RELEASED },
      });
      return;
    }
    if (outcome.result === "failed") {
      log.error({ code: outcome.code, error: outcome.error }, "balance movement failed: needs a person");
      await db.balanceMovement.updateMany({
        where: mine,
        data: { state: "failed", needsAttention: true, lastError: outcome.error.slice(0, 1000), lastErrorCode: outcome.code, ...RELEASED },
      });
      return;
    }
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
  }
}

function isPermanentStripeError(error: unknown): boolean {
  const e = error as { type?: string; statusCode?: number };
  return e?.type === "StripeInvalidRequestError" && (e.statusCode === 404 || e.statusCode === 400);
}
