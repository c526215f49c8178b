// The worker's nightly reconciliation of each dealer, as a due row (DealerTask "reconcile"): after a dealer's day has
// ended in its time zone, the worker reconciles it (and any of the last week's days that have no finished run yet)
// and stores the result. A run works in slices of NIGHTLY_SLICE_MS and is then due again in a few seconds, so a day of
// tens of thousands of payments never holds one of the worker's slots for long and credits keep flowing beside it. A
// dealer with nothing to reconcile costs its row and one short run a day.
import type { Db } from "../db/client";
import { logger } from "../logging/logger";
import { createDealerTasks, scheduleDealerTask, type DealerTaskDefinition } from "../payments/worker/dealer-tasks";
import type { HeldServices, Services } from "../server/services";
import { dayOf, daysOf, periodOfDays, startOfDay } from "./period";
import { dealerTimeZone } from "./reconcile-days";
import { reconcilePeriod } from "./run";
import { SourceUnavailable } from "./sources";

export const RECONCILE_TASK = "reconcile";
const DAY_MS = 86_400_000;
/** How long one slice of a run may hold a worker slot. */
export const NIGHTLY_SLICE_MS = 20_000;
/** A run left unfinished by its slice continues this soon. */
const CONTINUE_AFTER_MS = 2_000;
/** A source that could not be read is tried again this soon (the run keeps what it read). */
const RETRY_AFTER_MS = 15 * 60_000;
/** Past days without a finished run that the nightly run catches up (a worker that was down). */
const CATCH_UP_DAYS = 7;
/** How long after the dealer's midnight the day is reconciled: late webhooks and retried credits have landed by then. */
const AFTER_MIDNIGHT_MS = 2 * 3600_000;

/** The dealer's next reconciliation: AFTER_MIDNIGHT_MS into the dealer's next day. */
export function nextNightlyAt(now: Date, timeZone: string): Date {
  const today = dayOf(now, timeZone);
  const tonight = startOfDay(today, timeZone).getTime() + AFTER_MIDNIGHT_MS;
  if (tonight > now.getTime()) return new Date(tonight);
  const tomorrow = dayOf(new Date(startOfDay(today, timeZone).getTime() + DAY_MS + 3600_000), timeZone);
  return new Date(startOfDay(tomorrow, timeZone).getTime() + AFTER_MIDNIGHT_MS);
}

/** The ended days the nightly run owes: the last CATCH_UP_DAYS up to yesterday, in the dealer's zone. */
export function endedDays(now: Date, timeZone: string): string[] {
  const today = dayOf(now, timeZone);
  const yesterday = dayOf(new Date(startOfDay(today, timeZone).getTime() - 3600_000), timeZone);
  const first = dayOf(new Date(startOfDay(today, timeZone).getTime() - CATCH_UP_DAYS * DAY_MS + 3600_000), timeZone);
  return daysOf(first, yesterday);
}

/** Reconciles the dealer's ended days that have no finished run, oldest first, for at most `sliceMs`. */
export async function reconcileEndedDays(services: Services, now: Date, sliceMs = NIGHTLY_SLICE_MS): Promise<"done" | "more"> {
  const zone = dealerTimeZone(services);
  const days = endedDays(now, zone);
  const finished = new Set(
    (
      await services.db.reconciliationRun.findMany({
        where: { label: { in: days }, timeZone: zone, status: { not: "running" } },
        select: { label: true },
      })
    ).map((r) => r.label),
  );
  const deadline = Date.now() + sliceMs;
  for (const day of days) {
    if (finished.has(day)) continue;
    const left = deadline - Date.now();
    if (left <= 0) return "more";
    const outcome = await reconcilePeriod(services, periodOfDays(day, day, zone), { sliceMs: left });
    if (outcome.state !== "finished") return "more";
    const result = outcome.result;
    logger.info(
      { dealerId: services.dealer.id, day, runId: result.runId, differences: result.differences.length },
      result.balanced ? "reconciled: balanced" : "reconciled: the day has differences",
    );
  }
  return "done";
}

export function nightlyReconciliationTask(servicesFor: (dealerId: string) => Promise<HeldServices | null>): DealerTaskDefinition {
  return {
    kind: RECONCILE_TASK,
    intervalMs: DAY_MS,
    lookEveryMs: 60_000,
    async run(rootDb: Db, dealerId: string, now: Date) {
      const held = await servicesFor(dealerId);
      if (!held) return "drop"; // scheduled again when it goes live again
      const { services } = held;
      const due = (at: Date) => rootDb.dealerTask.updateMany({ where: { dealerId, kind: RECONCILE_TASK }, data: { dueAt: at } });
      try {
        const state = await reconcileEndedDays(services, now);
        await due(state === "more" ? new Date(Date.now() + CONTINUE_AFTER_MS) : nextNightlyAt(new Date(), dealerTimeZone(services)));
        return "done";
      } catch (error) {
        if (error instanceof SourceUnavailable) await due(new Date(Date.now() + RETRY_AFTER_MS));
        throw error;
      } finally {
        held.release();
      }
    },
  };
}

/** First runs scheduled together (a worker starting beside dealers without one) are this far apart, within an hour. */
const FIRST_RUNS_APART_MS = 1_000;
const FIRST_RUNS_WITHIN_MS = 3600_000;

/**
 * Gives the environment's dealer and every live or suspended hosted dealer without one its nightly reconciliation.
 * Their first runs are spread (about one a second, all within an hour): a deployment that starts beside thousands of
 * live dealers does not read all their Stripe accounts and Navixy panels at once.
 */
export async function scheduleNightlyReconciliations(rootDb: Db, now = new Date()): Promise<void> {
  const dealers = await rootDb.$queryRaw<{ id: string }[]>`
    SELECT d."id" FROM "Dealer" d
    WHERE d."status" IN ('active', 'suspended')
      AND NOT EXISTS (SELECT 1 FROM "DealerTask" t WHERE t."dealerId" = d."id" AND t."kind" = ${RECONCILE_TASK})
    ORDER BY d."id"`;
  const defaultHasOne = await rootDb.dealerTask.findUnique({ where: { dealerId_kind: { dealerId: "default", kind: RECONCILE_TASK } }, select: { dealerId: true } });
  const missing = [...(defaultHasOne ? [] : ["default"]), ...dealers.map((d) => d.id)];
  const apart = Math.min(FIRST_RUNS_APART_MS, FIRST_RUNS_WITHIN_MS / Math.max(1, missing.length));
  await createDealerTasks(
    rootDb,
    missing.map((dealerId, i) => ({ dealerId, kind: RECONCILE_TASK, dueAt: new Date(now.getTime() + Math.floor(i * apart)) })),
  );
}

export async function scheduleNightlyReconciliation(rootDb: Db, dealerId: string, now = new Date()): Promise<void> {
  // Due at once: the first run looks at the last week; later ones are set by the run itself to the dealer's night.
  await scheduleDealerTask(rootDb, dealerId, RECONCILE_TASK, 0, now);
}
