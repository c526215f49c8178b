// Automatic top-up as one of the worker's queues: the rules due for a check, of every dealer in one query, each checked
// with its own dealer's services (plugged in where the worker is built, lib/server/start.ts).
import type { Config } from "../config";
import { dealerFilter, type WorkQueue } from "../payments/worker/queue";
import { checkDueRule, dueAutoTopUpRules } from "./scheduler";

export function autoTopUpQueue(config: Pick<Config, "autoTopUp">): WorkQueue {
  return {
    name: "auto-top-up",
    // About once a minute (never more often than the check interval); each look takes at most a batch of rules.
    intervalMs: Math.min(60_000, config.autoTopUp.checkIntervalMs),
    // AUTO_TOP_UP_BATCH rules per look; a full look is followed by another at once, so a backlog is not held to a
    // batch a minute.
    batch: config.autoTopUp.batchSize,
    async due(db, q) {
      const rows = await dueAutoTopUpRules(db, q.now, { limit: q.limit, where: dealerFilter(q) });
      return rows.map((r) => ({ queue: "auto-top-up", ...r }));
    },
    async work(claimant, item) {
      const outcome = await checkDueRule(claimant.services, item.id);
      switch (outcome) {
        case "not_due":
          return { worked: false, health: "neutral" };
        case "rate_limited":
          return { worked: true, health: "rate_limited", service: "navixy", reason: "Navixy: too many requests" };
        case "error":
        case "skipped":
          // A skipped check may not have reached Navixy (no saved card, a credit under way) or found it unreachable.
          return { worked: true, health: "neutral" };
        case "checked":
        case "charged":
          // The rule's check read the user's balance from Navixy.
          return { worked: true, health: "ok", service: "navixy" };
      }
    },
  };
}
