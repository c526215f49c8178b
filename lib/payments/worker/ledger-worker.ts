// The worker: works the ledger's two queues as they fall due (stored Stripe events:
// intake/handle-stripe-event.ts; balance movements owed to Navixy: outbox/send-movement.ts), and runs the
// periodic jobs it was given (scheduler.ts). Rows are claimed with a lease (ledger/claims.ts, ledger/lease.ts),
// so any number of workers, in app instances or alone, can share one database.
import { randomUUID } from "node:crypto";
import { onWorkerWake, type Services } from "../../server/services";
import { logger, type Logger } from "../../logging/logger";
import { deliveriesBusy } from "../../server/request-activity";
import type { Claimant } from "../ledger/claims";
import { dueStripeEvents, workStripeEvent } from "../intake/handle-stripe-event";
import { dueMovements, workMovement } from "../outbox/send-movement";
import { Scheduler, type PeriodicJob } from "./scheduler";

/** How long the worker holds back while webhook deliveries arrive, at most, and the pause it waits for. */
const MAX_DEFER_MS = 200;
const QUIET_MS = 5;

export class LedgerWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  private running = false;
  private wakeRequested = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly log: Logger;
  private readonly claimant: Claimant;
  private readonly scheduler: Scheduler;

  constructor(
    private readonly services: Claimant["services"],
    opts: { leaseMs?: number; jobs?: readonly PeriodicJob[] } = {},
  ) {
    // Each dealer has a lane of its own (lib/server/worker-pool.ts): its lines name the dealer.
    this.log = logger.child({ worker: this.id, ...(services.dealer && !services.dealer.isDefault ? { dealer: services.dealer.slug } : {}) });
    this.claimant = { services, id: this.id, leaseMs: opts.leaseMs ?? services.config.worker.leaseMs, log: this.log };
    this.scheduler = new Scheduler(opts.jobs ?? []);
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
        for (const { job, report } of await this.scheduler.runDue()) this.log.info({ report }, job);
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
      const events = await dueStripeEvents(this.claimant);
      const movements = await dueMovements(this.claimant);
      if (events.length + movements.length === 0) return total;
      // One row at a time, each claimed just before it is worked on: a lease then covers one row's work, and on
      // SQLite the worker shares the event loop and the database with the webhook handlers, which interleaving
      // a batch slowed 2-3x.
      let worked = 0;
      for (const e of events) {
        await this.giveWayToDeliveries();
        if (await workStripeEvent(this.claimant, e)) worked++;
      }
      for (const m of movements) {
        await this.giveWayToDeliveries();
        if (await workMovement(this.claimant, m)) worked++;
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
}
