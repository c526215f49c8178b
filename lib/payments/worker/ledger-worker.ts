// The worker: one per process, for every dealer. It works queues of due rows (stored Stripe events:
// intake/handle-stripe-event.ts; balance movements owed to Navixy: outbox/send-movement.ts; the sweep and captures
// that fall due; features' queues such as automatic top-up) across all dealers by due time. Each dealer has at most
// NAVIXY_CONCURRENCY rows in flight and the dealers with due rows take turns (fairness.ts), so a dealer with
// thousands of owed credits, or a Navixy that is down, never delays another; a dealer whose Navixy or Stripe keeps
// failing is backed off as a whole. It is woken with the row that became due (lib/server/wake.ts) and otherwise
// looks for due rows every WORKER_POLL_INTERVAL_MS with one query per queue for all dealers: an idle dealer costs
// nothing. Rows are claimed with a lease (ledger/claims.ts, ledger/lease.ts), so any number of workers, in app
// instances or alone, can share one database.
import { randomUUID } from "node:crypto";
import type { Db } from "../../db/client";
import { logger, type Logger } from "../../logging/logger";
import { newEventsBursting } from "../../server/request-activity";
import { servicesForDealer, type Services } from "../../server/services";
import { onWorkerWake, type WorkHint } from "../../server/wake";
import type { Claimant } from "../ledger/claims";
import { DealerCircuits, DealerSlots, roundRobin, type CircuitChange, type CircuitOptions } from "./fairness";
import { DeliveryGiveWay } from "./give-way";
import { NOTHING_DONE, type WorkItem, type WorkOutcome, type WorkQueue } from "./queue";
import { coreQueues } from "./queues";

/** How soon a worker held back by a burst of new events looks again. */
const HELD_LOOK_MS = 50;
/**
 * A burst: new events (not redeliveries) arriving faster than the worker credits them as they come, about 50 a second
 * (request-activity.ts counts ten within this window). Slower, they are credited as they arrive. It is judged by the
 * events stored, not by the deliveries in flight: while the worker holds the event loop, deliveries wait unread in
 * their sockets and none looks in flight.
 */
const BURST_WINDOW_MS = 200;
/**
 * The longest stretch it holds back while a burst never ends (give-way.ts): Stripe catching up after an outage is
 * acknowledged first, and credited at most this much later. Bursts less than HOLD_QUIET_MS apart are one stretch.
 */
const MAX_HOLD_MS = 10_000;
const HOLD_QUIET_MS = 2_000;

/** Failures in a row that back a dealer off (the pauses are settings: WORKER_BACKOFF_MS, WORKER_BACKOFF_MAX_MS). */
const FAILURES_TO_BACK_OFF = 5;

export interface LedgerWorkerOptions {
  /** The queues to work, in the order a dealer's rows are taken (default: the money's path, coreQueues()). */
  queues?: readonly WorkQueue[];
  /** Every dealer's rows (the process's worker), or only `services.dealer`'s (the default: commands and tests). */
  allDealers?: boolean;
  /** A dealer's services; defaults to `services` for its own dealer and servicesForDealer for the others. */
  servicesFor?: (dealerId: string) => Promise<Services | null>;
  leaseMs?: number;
  concurrency?: number;
  dealerConcurrency?: number;
  circuit?: CircuitOptions;
}

const itemKey = (i: Pick<WorkItem, "queue" | "dealerId" | "id">) => `${i.queue}\u0000${i.dealerId}\u0000${i.id}`;

export class LedgerWorker {
  readonly id = `worker-${randomUUID().slice(0, 8)}`;
  private running = false;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private wakeUp: (() => void) | undefined;
  private poked = false;
  /**
   * The queues looked at on every pass must be looked at again before the poll interval is up: a look filled its
   * batch, a due row or a hint could not start for the limits, or a retry or a paused dealer fell due.
   */
  private lookAgain = true;
  /** The earliest retry a row of this worker was given (rows it worked and put back): a look is due then. */
  private nextRetryAt = Infinity;
  /** The last pass was held back for a burst of new events: look again a moment later, not at the next poll. */
  private heldBack = false;
  /** Dealers left out of the last look for being at their limit: when one of their rows ends, look again. */
  private atLimitAtLook = new Set<string>();
  private readonly lastLookAt = new Map<string, number>();
  /** Periodic queues whose last look filled its batch: looked at again on the next pass. */
  private readonly moreDue = new Set<string>();
  private readonly active = new Map<string, Promise<void>>();
  private worked = 0;
  private readonly log: Logger;
  private readonly queues: readonly WorkQueue[];
  private readonly byName: Map<string, WorkQueue>;
  private readonly slots: DealerSlots;
  private readonly circuits: DealerCircuits;
  private readonly giveWay = new DeliveryGiveWay(() => newEventsBursting(BURST_WINDOW_MS), MAX_HOLD_MS, HOLD_QUIET_MS);
  private readonly claimants = new WeakMap<Services, Claimant>();
  private readonly onlyDealer: string | undefined;
  private readonly servicesFor: (dealerId: string) => Promise<Services | null>;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly rootDb: Db;

  constructor(
    private readonly services: Services,
    opts: LedgerWorkerOptions = {},
  ) {
    const { worker } = services.config;
    this.log = logger.child({ worker: this.id });
    this.queues = opts.queues ?? coreQueues();
    this.byName = new Map(this.queues.map((q) => [q.name, q]));
    this.onlyDealer = opts.allDealers ? undefined : services.dealer.id;
    this.servicesFor = opts.servicesFor ?? ((id) => (id === services.dealer.id ? Promise.resolve(services) : servicesForDealer(id)));
    this.leaseMs = opts.leaseMs ?? worker.leaseMs;
    this.concurrency = opts.concurrency ?? worker.concurrency;
    this.slots = new DealerSlots(opts.dealerConcurrency ?? worker.dealerConcurrency);
    this.circuits = new DealerCircuits(opts.circuit ?? { failuresToOpen: FAILURES_TO_BACK_OFF, openMs: worker.backoffMs, maxOpenMs: worker.backoffMaxMs });
    this.rootDb = services.rootDb;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = onWorkerWake((hint) => this.offer(hint));
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.poke();
    await this.loop;
    await Promise.allSettled([...this.active.values()]);
  }

  /** Wakes the loop; with a hint, starts that row now when this worker can. */
  wake(hint?: WorkHint): void {
    this.offer(hint);
  }

  /** Rows in flight now, and the dealers backed off (for the console and logs). */
  get inFlight(): number {
    return this.active.size;
  }

  private offer(hint: WorkHint | undefined): boolean {
    if (!this.running) return false;
    if (hint && this.byName.has(hint.queue) && (!this.onlyDealer || hint.dealerId === this.onlyDealer)) {
      const item: WorkItem = { queue: hint.queue, dealerId: hint.dealerId, id: hint.id, version: hint.version, state: hint.state };
      if (this.tryStart(item, Date.now())) return true;
    }
    this.lookAgain = true;
    this.poke();
    return false;
  }

  private poke(): void {
    this.poked = true;
    this.wakeUp?.();
  }

  /** When the loop last finished a pass (its heartbeat, lib/monitoring/heartbeat.ts, says whether it still turns). */
  lastPassAt = 0;

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.pass({ periodic: true });
      } catch (error) {
        this.log.error({ err: error }, "worker pass failed");
      }
      this.lastPassAt = Date.now();
      if (this.running) await this.idle();
    }
  }

  /**
   * Looks for due rows of the queues that need a look and starts as many as the limits allow, the dealers taking
   * turns. Returns how many rows it started.
   */
  private async pass(opts: { periodic: boolean }): Promise<number> {
    const now = Date.now();
    let free = this.concurrency - this.active.size;
    if (free <= 0) return 0;
    // A burst of new events is being answered: no row starts, not even a look for them (on SQLite every statement
    // takes the connection the deliveries store their events on). Rows already in flight go on.
    if (this.holdingBack()) return 0;
    const excluded = this.blocked(now);
    if (this.lookAgain || now - (this.lastLookAt.get("") ?? 0) >= this.services.config.worker.pollIntervalMs) {
      this.atLimitAtLook = new Set(this.slots.blocked(now));
    }
    const lookCore = this.lookAgain || now - (this.lastLookAt.get("") ?? 0) >= this.services.config.worker.pollIntervalMs;
    this.lookAgain = false;
    if (lookCore) this.lastLookAt.set("", now);
    const found: { item: WorkItem; queue: WorkQueue }[] = [];
    for (const queue of this.queues) {
      const periodic = queue.intervalMs !== undefined;
      if (periodic) {
        if (!opts.periodic) continue;
        if (!this.moreDue.has(queue.name) && now - (this.lastLookAt.get(queue.name) ?? 0) < queue.intervalMs!) continue;
        // Its share of the slots is taken: looked at again as soon as one of its rows ends.
        if (this.shareLeft(queue) <= 0) {
          this.moreDue.add(queue.name);
          continue;
        }
        this.lastLookAt.set(queue.name, now);
      } else if (!lookCore) {
        continue;
      }
      const limit = Math.min(Math.max(16, free * 2), queue.batch ?? Infinity, this.shareLeft(queue));
      const items = await queue.due(this.rootDb, { now: new Date(now), limit, excludeDealers: excluded, onlyDealer: this.onlyDealer }, this.services.sql);
      if (periodic) {
        if (items.length >= limit) this.moreDue.add(queue.name);
        else this.moreDue.delete(queue.name);
      } else if (items.length >= limit) {
        this.lookAgain = true;
      }
      for (const item of items) if (!this.active.has(itemKey(item))) found.push({ item, queue });
    }
    // Every dealer not excluded was looked for: a backed-off one whose pause has ended gets its probe from this look.
    if (lookCore) {
      this.circuits.looked(now, excluded);
      this.slots.looked(now);
    }
    let started = 0;
    for (const { item } of roundRobin(found, (f) => f.item.dealerId)) {
      if (free <= 0) {
        this.lookAgain = true;
        break;
      }
      if (this.tryStart(item, now)) {
        started++;
        free--;
      } else if (!this.active.has(itemKey(item))) {
        // Its dealer is at its limit: the next pass after one of its rows ends takes it.
        this.lookAgain = true;
      }
    }
    return started;
  }

  /** How many more rows of this queue may start now: its `atOnce` less its rows in flight (at most WORKER_CONCURRENCY). */
  private shareLeft(queue: WorkQueue): number {
    if (queue.atOnce === undefined) return Infinity;
    const prefix = `${queue.name}\u0000`; // how itemKey begins
    let inFlight = 0;
    for (const key of this.active.keys()) if (key.startsWith(prefix)) inFlight++;
    return queue.atOnce - inFlight;
  }

  /** Dealers whose rows are not to be claimed now: at their limit, paused, or backed off. */
  private blocked(now: number): string[] {
    const out = new Set([...this.slots.blocked(now), ...this.circuits.blocked(now)]);
    return [...out];
  }

  private tryStart(item: WorkItem, now: number): boolean {
    const queue = this.byName.get(item.queue);
    const key = itemKey(item);
    if (!queue || this.active.has(key) || this.active.size >= this.concurrency || this.shareLeft(queue) <= 0) return false;
    // While a burst of new events is being answered, none: Stripe gets its answers first (the worker shares this
    // process's event loop and, on SQLite, its one connection), and the rows follow as soon as it ends. A hint not
    // taken here goes to the other instances.
    if (this.holdingBack()) return false;
    if (!this.circuits.allows(item.dealerId, now)) return false;
    if (!this.slots.tryTake(item.dealerId, now)) return false;
    this.circuits.started(item.dealerId, now);
    const task = this.execute(queue, item).finally(() => {
      this.active.delete(key);
      this.slots.release(item.dealerId);
      // Its dealer's due rows were left out of the last look: there is room for one of them now.
      if (this.atLimitAtLook.delete(item.dealerId)) this.lookAgain = true;
      // Only a look that left rows behind is repeated now; the rest comes with hints, retries and the poll.
      this.poke();
    });
    this.active.set(key, task);
    return true;
  }

  private async execute(queue: WorkQueue, item: WorkItem): Promise<void> {
    let outcome: WorkOutcome = NOTHING_DONE;
    try {
      // Its work begins after tryStart has put it in `active` (a hint for this very row meanwhile is not started twice).
      await null;
      const services = queue.usesDealerServices === false ? this.services : await this.servicesFor(item.dealerId);
      if (!services) {
        this.log.warn({ dealerId: item.dealerId, queue: item.queue, rowId: item.id }, "row of a dealer that no longer exists: left as it is");
        return;
      }
      outcome = await queue.work(this.claimantFor(services), item);
    } catch (error) {
      // Our own failure (the database, a dealer's settings that cannot be used, a bug). A claimed row waits for its
      // lease to run out; one that was not claimed would be found due again at once, so the dealer counts as failing
      // and is backed off after a few, instead of spinning.
      this.log.error({ dealerId: item.dealerId, queue: item.queue, rowId: item.id, err: error }, "worker could not work a row");
      outcome = { worked: false, health: "failing", reason: `the worker could not work its rows: ${(error as Error)?.message ?? String(error)}`.slice(0, 300) };
    }
    if (outcome.worked) this.worked++;
    if (outcome.retryAt) this.nextRetryAt = Math.min(this.nextRetryAt, outcome.retryAt.getTime());
    this.learn(item.dealerId, outcome);
  }

  /** What a row's outcome says about its dealer: slots, circuit, and a log line and record when that changes. */
  private learn(dealerId: string, outcome: WorkOutcome): void {
    let change: CircuitChange | null = null;
    switch (outcome.health) {
      case "ok":
        this.slots.succeeded(dealerId);
        change = this.circuits.success(dealerId, outcome.service ?? "worker");
        break;
      case "rate_limited": {
        const { until, paused } = this.slots.rateLimited(dealerId);
        this.circuits.neutral(dealerId);
        if (paused) {
          this.log.warn({ dealerId, until: new Date(until).toISOString(), limit: this.slots.limitOf(dealerId) }, "Navixy asked this dealer's calls to slow down");
        }
        break;
      }
      case "failing":
        change = this.circuits.failure(dealerId, outcome.service ?? "worker", outcome.reason ?? "its Navixy or Stripe is not answering");
        break;
      case "neutral":
        this.circuits.neutral(dealerId);
        break;
    }
    if (change) {
      // Closed again: the dealer's rows that waited are due now.
      if (change.state === "closed") this.lookAgain = true;
      void this.recordCircuit(change);
    }
  }

  private async recordCircuit(change: CircuitChange): Promise<void> {
    if (change.state === "open") {
      this.log.warn(
        { dealerId: change.dealerId, failures: change.failures, retryAt: change.retryAt?.toISOString(), reason: change.reason },
        "dealer backed off: its rows wait until its Navixy or Stripe answers again",
      );
    } else {
      this.log.info({ dealerId: change.dealerId }, "dealer no longer backed off");
    }
    try {
      await this.rootDb.dealerBackoff.upsert({
        where: { dealerId: change.dealerId },
        create: {
          dealerId: change.dealerId,
          state: change.state,
          reason: change.reason?.slice(0, 500) ?? null,
          failures: change.failures,
          retryAt: change.retryAt,
          workerId: this.id,
        },
        update: { state: change.state, reason: change.reason?.slice(0, 500) ?? null, failures: change.failures, retryAt: change.retryAt, workerId: this.id },
      });
    } catch (error) {
      this.log.warn({ err: error }, "could not record a dealer's backoff");
    }
  }

  private claimantFor(services: Services): Claimant {
    let claimant = this.claimants.get(services);
    if (!claimant) {
      const dealer = services.dealer;
      // Every line names the hosted dealer it is about.
      const log = dealer.isDefault ? this.log : this.log.child({ dealer: dealer.slug });
      claimant = { services, id: this.id, leaseMs: this.leaseMs, log };
      this.claimants.set(services, claimant);
    }
    return claimant;
  }

  /**
   * Sleeps until woken (a hint, a row finishing), or until the next look is due: the poll interval, a retry this worker
   * scheduled, a paused or backed-off dealer taking rows again, a periodic queue's interval. Asks the database nothing.
   */
  private async idle(): Promise<void> {
    if (this.poked) {
      this.poked = false;
      return;
    }
    const now = Date.now();
    const lookedAt = this.lastLookAt.get("") ?? 0;
    // A retry this worker scheduled, a paused dealer resuming, a backed-off dealer's probe: a look is due then.
    const rowsDueAt = Math.min(this.nextRetryAt, this.slots.nextResumeAt(), this.circuits.nextProbeAt());
    let next = Math.min(lookedAt + this.services.config.worker.pollIntervalMs, rowsDueAt);
    if (this.heldBack) {
      // Held back for a burst: looked at again a moment later, for as long as it lasts.
      this.heldBack = false;
      this.lookAgain = true;
      next = Math.min(next, now + HELD_LOOK_MS);
    }
    for (const queue of this.queues) {
      if (queue.intervalMs !== undefined) next = Math.min(next, (this.lastLookAt.get(queue.name) ?? 0) + queue.intervalMs);
    }
    const wait = Math.max(10, next - now);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.poked) this.wakeUp();
    });
    this.wakeUp = undefined;
    this.poked = false;
    // Due rows are looked for whether the timer fired or something else woke the loop after they fell due.
    if (Date.now() >= rowsDueAt) {
      this.lookAgain = true;
      if (this.nextRetryAt <= Date.now()) this.nextRetryAt = Infinity;
    }
  }

  /**
   * Runs passes over the queues looked at on every pass (events, movements) until none of their rows is due and
   * none of this worker's is in flight. Returns how many rows it worked on. Used by commands and tests.
   */
  async runOnce(): Promise<number> {
    const before = this.worked;
    for (;;) {
      this.lookAgain = true;
      const started = await this.pass({ periodic: false });
      if (started === 0 && this.active.size === 0) return this.worked - before;
      if (started === 0) await Promise.race(this.active.values());
    }
  }

  /**
   * Runs passes until nothing is due and nothing is in flight (rows another loop of this process, or
   * another worker, holds under a live lease), or `timeoutMs` passes. Used by commands and tests.
   */
  async drain(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.runOnce()) > 0) continue;
      let held = 0;
      for (const queue of this.queues) {
        held += (await queue.inFlight?.(this.rootDb, { now: new Date(), excludeDealers: [], onlyDealer: this.onlyDealer })) ?? 0;
      }
      if (held === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Whether the worker loop holds back now for a burst of new events (commands and tests running it by hand never do). */
  private holdingBack(): boolean {
    if (!this.running || !this.giveWay.holdBack()) return false;
    this.heldBack = true;
    return true;
  }
}
