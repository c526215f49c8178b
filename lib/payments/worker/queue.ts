// What the worker works on: queues of due rows across every dealer. Each queue says which of its rows are due (one
// query for all dealers, leaving out the dealers the worker cannot take more from) and how one row is worked on with
// its dealer's services. The money's path defines the stored events, the owed movements, the sweep and the captures
// that fall due; features add theirs where the worker is built (lib/server/start.ts), e.g. automatic top-up.
import type { Db } from "../../db/client";
import type { DirectSql } from "../../db/direct";
import type { Claimant } from "../ledger/claims";

/** A due row: which queue, whose, which row; `version` when the due query read it (a hinted row has none). */
export interface WorkItem {
  queue: string;
  dealerId: string;
  id: string;
  version?: number;
  /** The row's state as read (a movement's: whether an earlier attempt may have applied). */
  state?: string;
}

/**
 * What working a row said about its dealer: "ok" (its Navixy or Stripe answered, whatever the answer), "failing"
 * (not answering: connection, timeout, 5xx, a login that fails), "rate_limited" (Navixy said "too many requests"),
 * "neutral" (nothing learned, e.g. another worker had the row).
 */
export type WorkHealth = "ok" | "failing" | "rate_limited" | "neutral";

export interface WorkOutcome {
  /** False when there was nothing to do after all (another worker claimed it, it was no longer due). */
  worked: boolean;
  health: WorkHealth;
  /**
   * Whose health it is: the dealer's Navixy or its Stripe (the worker's own when not said). Stripe answering while
   * Navixy is down says nothing about Navixy, and the reverse.
   */
  service?: "navixy" | "stripe";
  /** For the log and the console when the dealer is backed off: never a secret. */
  reason?: string;
  /** The row was put back to be tried again at this time (the worker looks for due rows then). */
  retryAt?: Date;
}

export const NOTHING_DONE: WorkOutcome = { worked: false, health: "neutral" };

export interface DueQuery {
  now: Date;
  limit: number;
  /** Dealers the worker cannot take more from now (at their limit, paused, or backed off). */
  excludeDealers: readonly string[];
  /** Only this dealer's rows (the operator command of one dealer, tests). */
  onlyDealer?: string;
}

export interface WorkQueue {
  /** "event", "movement", "sweep", "capture", ...: also the queue named in wake-up hints. */
  name: string;
  /**
   * Queues of rows stored by requests (events, movements) are looked at on every pass and woken by hints; periodic
   * work (sweep, captures, automatic top-up) is looked for at most every `intervalMs`.
   */
  intervalMs?: number;
  /**
   * False for work done with the unscoped client that builds what it needs itself (a dealer's periodic checks): the
   * row is worked with the process's own services instead of the dealer's cached ones.
   */
  usesDealerServices?: boolean;
  /** At most this many rows per look (a look that fills it is repeated at once, not after `intervalMs`). */
  batch?: number;
  /**
   * Background work over every dealer (its nightly reconciliation, its periodic check): at most this many of its rows
   * at once in one worker, so the money's path always finds slots however many dealers have such work due.
   */
  atOnce?: number;
  /**
   * Due rows of every dealer (or of `onlyDealer`), oldest due first: through Prisma (`db`, unscoped), or as plain
   * statements (`sql`) for the queues looked at on every pass.
   */
  due(db: Db, q: DueQuery, sql: DirectSql): Promise<WorkItem[]>;
  /** Claims and works one row with its dealer's services. */
  work(claimant: Claimant, item: WorkItem): Promise<WorkOutcome>;
  /** Rows held under a live lease (for drain: work another worker or loop is still doing). */
  inFlight?(db: Db, q: Omit<DueQuery, "limit">): Promise<number>;
}

/** The WHERE that leaves out excluded dealers and keeps only `onlyDealer` when given. */
export function dealerFilter(q: Pick<DueQuery, "excludeDealers" | "onlyDealer">): { dealerId?: string | { in: string[] } | { notIn: string[] } } {
  if (q.onlyDealer) return q.excludeDealers.includes(q.onlyDealer) ? { dealerId: { in: [] } } : { dealerId: q.onlyDealer };
  return q.excludeDealers.length > 0 ? { dealerId: { notIn: [...q.excludeDealers] } } : {};
}
