// How one worker shares itself between dealers: a limit on each dealer's rows in flight (which also bounds its calls
// to Navixy, lowered while Navixy says "too many requests"), a circuit per dealer that backs off a dealer whose
// Navixy or Stripe keeps failing as a whole instead of row by row, and a round-robin order over the dealers that
// have due work. Pure bookkeeping, no I/O: ledger-worker.ts feeds it the outcomes.

/** Orders rows so the dealers take turns: one row of each dealer, then the next of each, and so on. */
export function roundRobin<T>(items: readonly T[], dealerOf: (item: T) => string): T[] {
  const byDealer = new Map<string, T[]>();
  for (const item of items) {
    const key = dealerOf(item);
    let list = byDealer.get(key);
    if (!list) byDealer.set(key, (list = []));
    list.push(item);
  }
  const out: T[] = [];
  const lists = [...byDealer.values()];
  for (let round = 0; out.length < items.length; round++) {
    for (const list of lists) if (round < list.length) out.push(list[round]!);
  }
  return out;
}

interface Slot {
  inFlight: number;
  /** The dealer's current limit: NAVIXY_CONCURRENCY, halved while Navixy says "too many requests". */
  limit: number;
  /** Successes since the limit was last raised (it grows back by one per `limit` successes). */
  streak: number;
  pausedUntil: number;
  pauseMs: number;
}

/**
 * Each dealer's rows in flight in this worker, at most `limit` at once. Navixy's "too many requests" (code 15)
 * halves the dealer's limit and pauses it briefly (doubling while it repeats); successes raise it back by one
 * at a time: a burst drains as fast as Navixy takes it, without being refused over and over.
 */
export class DealerSlots {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly limit: number,
    private readonly pause = { firstMs: 500, maxMs: 30_000 },
  ) {}

  private slot(dealerId: string): Slot {
    let s = this.slots.get(dealerId);
    if (!s) this.slots.set(dealerId, (s = { inFlight: 0, limit: this.limit, streak: 0, pausedUntil: 0, pauseMs: 0 }));
    return s;
  }

  /** Takes a slot for one of the dealer's rows; false when the dealer is at its limit or paused. */
  tryTake(dealerId: string, now = Date.now()): boolean {
    const s = this.slot(dealerId);
    if (s.inFlight >= s.limit || s.pausedUntil > now) return false;
    s.inFlight++;
    return true;
  }

  release(dealerId: string): void {
    const s = this.slots.get(dealerId);
    if (!s) return;
    s.inFlight = Math.max(0, s.inFlight - 1);
    this.forgetIfIdle(dealerId, s);
  }

  inFlight(dealerId: string): number {
    return this.slots.get(dealerId)?.inFlight ?? 0;
  }

  limitOf(dealerId: string): number {
    return this.slots.get(dealerId)?.limit ?? this.limit;
  }

  /**
   * Navixy asked this dealer's calls to slow down. Returns until when the dealer is paused, and whether this answer
   * paused it (answers to calls already under way when it was paused say nothing new).
   */
  rateLimited(dealerId: string, now = Date.now()): { until: number; paused: boolean } {
    const s = this.slot(dealerId);
    if (s.pausedUntil > now) return { until: s.pausedUntil, paused: false };
    s.limit = Math.max(1, Math.floor(s.limit / 2));
    s.streak = 0;
    s.pauseMs = Math.min(this.pause.maxMs, s.pauseMs ? s.pauseMs * 2 : this.pause.firstMs);
    s.pausedUntil = now + s.pauseMs;
    return { until: s.pausedUntil, paused: true };
  }

  /** A call of the dealer went through: the limit grows back towards the setting. */
  succeeded(dealerId: string): void {
    const s = this.slots.get(dealerId);
    if (!s) return;
    s.pauseMs = 0;
    if (s.limit < this.limit && ++s.streak >= s.limit) {
      s.limit++;
      s.streak = 0;
    }
    this.forgetIfIdle(dealerId, s);
  }

  /** Dealers that can take no row now: at their limit or paused. */
  blocked(now = Date.now()): string[] {
    const out: string[] = [];
    for (const [id, s] of this.slots) if (s.inFlight >= s.limit || s.pausedUntil > now) out.push(id);
    return out;
  }

  /**
   * When the worker must look for a paused dealer's rows: the end of its pause, still due (in the past) until a
   * look after it, so a wake-up for other work just after the pause cannot leave its rows waiting for the poll.
   */
  nextResumeAt(): number {
    let next = Infinity;
    for (const s of this.slots.values()) if (s.pausedUntil !== 0) next = Math.min(next, s.pausedUntil);
    return next;
  }

  /** The worker looked for every dealer's due rows at `now`: pauses ended by then are over. */
  looked(now = Date.now()): void {
    for (const [id, s] of this.slots) {
      if (s.pausedUntil !== 0 && now >= s.pausedUntil) {
        s.pausedUntil = 0;
        this.forgetIfIdle(id, s);
      }
    }
  }

  /** How many dealers this worker keeps state for (bounded by the dealers with work, never by all dealers). */
  get size(): number {
    return this.slots.size;
  }

  private forgetIfIdle(dealerId: string, s: Slot): void {
    // An idle dealer costs no entry: only dealers with rows in flight or a lowered limit are remembered.
    if (s.inFlight === 0 && s.limit === this.limit && s.pausedUntil === 0) this.slots.delete(dealerId);
  }
}

export type CircuitState = "closed" | "open" | "half_open";

/**
 * What a row's health is about: the dealer's Navixy, its Stripe, or the worker itself (the database, the dealer's
 * settings). A dealer's Stripe answering says nothing about its Navixy, so it neither closes a circuit that Navixy's
 * failures opened nor forgets them.
 */
export type CircuitService = "navixy" | "stripe" | "worker";

export interface CircuitChange {
  dealerId: string;
  state: CircuitState;
  /** Why it opened (the last failure), or null when it closed. */
  reason: string | null;
  /** While open: when one row is let through again to probe. */
  retryAt: Date | null;
  failures: number;
}

interface Circuit {
  /** The service whose failures are counted (the latest failing one). */
  service: CircuitService;
  failures: number;
  openUntil: number;
  openMs: number;
  probing: boolean;
  /** The worker looked for the dealer's rows after the pause ended (a probe could then start, or none was due). */
  lookedAfterPause: boolean;
  reason: string;
}

export interface CircuitOptions {
  /** Consecutive failures that open a dealer's circuit. */
  failuresToOpen: number;
  /** The first pause; it doubles while the probes fail, up to maxOpenMs. */
  openMs: number;
  maxOpenMs: number;
}

/**
 * One circuit per dealer. Failures are what retrying later might fix and that say the dealer's Navixy or Stripe is
 * not answering (connection refused, timeouts, a login that fails, 5xx); after `failuresToOpen` of them in a row the
 * dealer is backed off as a whole: none of its rows is claimed until the pause ends, then one row probes. A success
 * closes it; a failed probe opens it again for twice as long. Money is never lost by this: the rows stay due.
 */
export class DealerCircuits {
  private readonly circuits = new Map<string, Circuit>();

  constructor(private readonly options: CircuitOptions) {}

  /** Whether a row of this dealer may be started now. A half-open circuit lets exactly one probe through. */
  allows(dealerId: string, now = Date.now()): boolean {
    const c = this.circuits.get(dealerId);
    if (!c || c.openUntil === 0) return true;
    if (now < c.openUntil || c.probing) return false;
    return true;
  }

  /** Marks the row just allowed as the dealer's probe (when its circuit is half open). */
  started(dealerId: string, now = Date.now()): void {
    const c = this.circuits.get(dealerId);
    if (c && c.openUntil !== 0 && now >= c.openUntil) c.probing = true;
  }

  /** Dealers whose rows are not to be claimed now: open, or half open with the probe under way. */
  blocked(now = Date.now()): string[] {
    const out: string[] = [];
    for (const [id, c] of this.circuits) if (c.openUntil !== 0 && (now < c.openUntil || c.probing)) out.push(id);
    return out;
  }

  /**
   * When the worker must look for a backed-off dealer's rows to probe it: the end of a pause, still due (in the past)
   * until a look after it, so a wake-up for other work just after the pause cannot skip the probe. Infinity when
   * no probe is waiting for a look.
   */
  nextProbeAt(): number {
    let next = Infinity;
    for (const c of this.circuits.values()) {
      if (c.openUntil !== 0 && !c.probing && !c.lookedAfterPause) next = Math.min(next, c.openUntil);
    }
    return next;
  }

  /**
   * The worker looked for the due rows of every dealer but `leftOut` (those blocked when the look began) at `now`:
   * pauses ended by then have had their chance to probe. A dealer left out (its probe was still under way) has not.
   */
  looked(now = Date.now(), leftOut: readonly string[] = []): void {
    for (const [id, c] of this.circuits) {
      if (c.openUntil !== 0 && now >= c.openUntil && !leftOut.includes(id)) c.lookedAfterPause = true;
    }
  }

  state(dealerId: string, now = Date.now()): CircuitState {
    const c = this.circuits.get(dealerId);
    if (!c || c.openUntil === 0) return "closed";
    return now < c.openUntil ? "open" : "half_open";
  }

  /**
   * A row of the dealer reached `service`. Closes the circuit (returning the change when it was open) when that is the
   * service that was failing, or when the failures were the worker's own; another service answering is no verdict.
   */
  success(dealerId: string, service: CircuitService): CircuitChange | null {
    const c = this.circuits.get(dealerId);
    if (!c) return null;
    if (c.service !== service && c.service !== "worker") {
      this.neutral(dealerId);
      return null;
    }
    this.circuits.delete(dealerId);
    return c.openUntil !== 0 ? { dealerId, state: "closed", reason: null, retryAt: null, failures: c.failures } : null;
  }

  /** A row of the dealer failed in a way that says its Navixy or Stripe is down. Returns the change when it opened. */
  failure(dealerId: string, service: CircuitService, reason: string, now = Date.now()): CircuitChange | null {
    let c = this.circuits.get(dealerId);
    if (!c) this.circuits.set(dealerId, (c = { service, failures: 0, openUntil: 0, openMs: 0, probing: false, lookedAfterPause: false, reason }));
    // Failures in a row are counted per service until the circuit opens; a failed probe of any service keeps it open.
    if (c.service !== service && c.openUntil === 0) c.failures = 0;
    c.service = service;
    c.failures++;
    c.reason = reason;
    const wasOpen = c.openUntil !== 0;
    if (!wasOpen && c.failures < this.options.failuresToOpen) return null;
    if (wasOpen && !c.probing && now < c.openUntil) return null; // a row that was already under way when it opened
    c.openMs = wasOpen ? Math.min(this.options.maxOpenMs, c.openMs * 2) : this.options.openMs;
    c.openUntil = now + c.openMs;
    c.probing = false;
    c.lookedAfterPause = false;
    return { dealerId, state: "open", reason, retryAt: new Date(c.openUntil), failures: c.failures };
  }

  /** A row finished without saying anything about the dealer's health (e.g. another worker had claimed it). */
  neutral(dealerId: string): void {
    const c = this.circuits.get(dealerId);
    if (c && c.probing) {
      c.probing = false;
      // The probe said nothing: another is due at the next look.
      c.lookedAfterPause = false;
    }
  }

  get size(): number {
    return this.circuits.size;
  }
}
