// A dealer's periodic task as a due row (DealerTask): one query finds the tasks of this kind whose dueAt has come, for
// every dealer; each is claimed by moving its dueAt on (a conditional update on the dueAt that was read: of several
// workers exactly one matches) and then run. A dealer whose task is not due costs nothing. The task says whether the
// dealer still needs it; a task whose dealer no longer needs it is removed.
import type { Db } from "../../db/client";
import { dealerFilter, type WorkQueue } from "./queue";

export interface DealerTaskDefinition {
  kind: string;
  /** Time between two runs of one dealer's task. */
  intervalMs: number;
  /** How often the due tasks are looked for. */
  lookEveryMs: number;
  /** Runs the task for this dealer; "drop" when the dealer no longer needs it (its row is removed). */
  run(rootDb: Db, dealerId: string, now: Date): Promise<"done" | "drop">;
}

/** Spreads a dealer's runs over the interval (a tenth of it, by dealer), so thousands of dealers do not run at once. */
export function nextDueAt(dealerId: string, now: Date, intervalMs: number): Date {
  let h = 0;
  for (let i = 0; i < dealerId.length; i++) h = (h * 31 + dealerId.charCodeAt(i)) | 0;
  return new Date(now.getTime() + intervalMs + (Math.abs(h) % Math.max(1, Math.floor(intervalMs / 10))));
}

/** A kind of dealer task takes at most this many of a worker's slots (WORKER_CONCURRENCY): the rest is the money's. */
export const DEALER_TASKS_AT_ONCE = 2;

export function dealerTaskQueue(task: DealerTaskDefinition): WorkQueue {
  const name = `task:${task.kind}`;
  return {
    name,
    intervalMs: task.lookEveryMs,
    atOnce: DEALER_TASKS_AT_ONCE,
    // The task works with the unscoped client and builds what it needs itself: the dealer's cached services are
    // for its requests and rows, and a check of every live dealer must not fill that cache.
    usesDealerServices: false,
    async due(db, q) {
      const rows = await db.dealerTask.findMany({
        where: { ...dealerFilter(q), kind: task.kind, dueAt: { lte: q.now } },
        orderBy: { dueAt: "asc" },
        take: q.limit,
        select: { dealerId: true, dueAt: true },
      });
      return rows.map((r) => ({ queue: name, dealerId: r.dealerId, id: task.kind, version: r.dueAt.getTime() }));
    },
    async work(claimant, item) {
      const rootDb = claimant.services.rootDb;
      const now = new Date();
      if (item.version === undefined) return { worked: false, health: "neutral" };
      const { count } = await rootDb.dealerTask.updateMany({
        where: { dealerId: item.dealerId, kind: task.kind, dueAt: new Date(item.version) },
        data: { dueAt: nextDueAt(item.dealerId, now, task.intervalMs) },
      });
      if (count === 0) return { worked: false, health: "neutral" };
      try {
        const result = await task.run(rootDb, item.dealerId, now);
        if (result === "drop") await rootDb.dealerTask.deleteMany({ where: { dealerId: item.dealerId, kind: task.kind } });
        else await rootDb.dealerTask.updateMany({ where: { dealerId: item.dealerId, kind: task.kind }, data: { lastRunAt: now, lastError: null } });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        claimant.log.error({ dealerId: item.dealerId, task: task.kind, err: error }, "dealer task failed; it runs again at its next due time");
        await rootDb.dealerTask.updateMany({ where: { dealerId: item.dealerId, kind: task.kind }, data: { lastRunAt: now, lastError: message.slice(0, 500) } });
      }
      return { worked: true, health: "neutral" };
    },
  };
}

/** Schedules a dealer's task (due after one interval), or leaves an existing one as it is. */
export async function scheduleDealerTask(rootDb: Db, dealerId: string, kind: string, intervalMs: number, now = new Date()): Promise<void> {
  const existing = await rootDb.dealerTask.findUnique({ where: { dealerId_kind: { dealerId, kind } }, select: { dealerId: true } });
  if (existing) return;
  try {
    await rootDb.dealerTask.create({ data: { dealerId, kind, dueAt: nextDueAt(dealerId, now, intervalMs) } });
  } catch {
    // Another process scheduled it meanwhile.
  }
}

/** Creates dealers' task rows in batches, leaving any another process created meanwhile (they keep their due time). */
export async function createDealerTasks(rootDb: Db, tasks: readonly { dealerId: string; kind: string; dueAt: Date }[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += 500) {
    const batch = tasks.slice(i, i + 500);
    try {
      await rootDb.dealerTask.createMany({ data: batch });
    } catch {
      // Another process scheduled some of them meanwhile: one by one, leaving those.
      for (const task of batch) await rootDb.dealerTask.create({ data: task }).catch(() => {});
    }
  }
}
