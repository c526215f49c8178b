// The alerts in the worker (lib/server/start.ts workQueues): the deployment's evaluation as one due row (a DealerTask of
// the pseudo-dealer "deployment", claimed by moving its due time on: of several instances, one evaluates each time),
// and the deliveries' queue (deliveries.ts).
import type { Config } from "../config";
import type { Db } from "../db/client";
import { dealerTaskQueue } from "../payments/worker/dealer-tasks";
import type { WorkQueue } from "../payments/worker/queue";
import { alertDeliveryQueue } from "./deliveries";
import { evaluateAlerts } from "./evaluate";

/** The DealerTask row of the deployment's own periodic work (no dealer has this id: theirs are "dlr_..." and "default"). */
export const DEPLOYMENT = "deployment";
const KIND = "alerts";

async function ensureScheduled(db: Db, intervalMs: number): Promise<void> {
  const existing = await db.dealerTask.findUnique({ where: { dealerId_kind: { dealerId: DEPLOYMENT, kind: KIND } }, select: { dealerId: true } });
  if (existing) return;
  // Due after one interval: a process starting up serves its first requests before it evaluates anything. Another
  // instance inserting it first is fine.
  await db.dealerTask.create({ data: { dealerId: DEPLOYMENT, kind: KIND, dueAt: new Date(Date.now() + intervalMs) } }).catch(() => {});
}

export function alertEvaluationQueue(alerts: Config["alerts"]): WorkQueue {
  const task = dealerTaskQueue({
    kind: KIND,
    intervalMs: alerts.evaluateIntervalMs,
    lookEveryMs: Math.min(alerts.evaluateIntervalMs, 10_000),
    run: async (rootDb, _dealer, now) => {
      await evaluateAlerts(rootDb, alerts, now);
      return "done";
    },
  });
  let scheduled = false;
  return {
    ...task,
    async due(db, q, sql) {
      if (q.onlyDealer) return [];
      if (!scheduled) {
        await ensureScheduled(db, alerts.evaluateIntervalMs);
        scheduled = true;
      }
      // The deployment's row is never left out for a dealer being backed off.
      return task.due(db, { ...q, excludeDealers: q.excludeDealers.filter((d) => d === DEPLOYMENT) }, sql);
    },
  };
}

export function alertQueues(config: Config): WorkQueue[] {
  return [alertEvaluationQueue(config.alerts), alertDeliveryQueue()];
}
