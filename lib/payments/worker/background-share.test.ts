// Background work over every dealer (a dealer's nightly reconciliation, its periodic check) takes at most a few of the
// worker's slots: however many dealers have such a task due, the money's path always finds room at once.
import { afterEach, describe, expect, test } from "vitest";
import type { Services } from "../../server/services";
import type { Db } from "../../db/client";
import { dealerTaskQueue } from "./dealer-tasks";
import { LedgerWorker } from "./ledger-worker";
import type { WorkQueue } from "./queue";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("background tasks' share of the worker", () => {
  let worker: LedgerWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
  });

  test("50 dealers' nightly tasks due at once take at most 2 of 4 slots, and a credit starts at once beside them", async () => {
    const release = deferred();
    let running = 0;
    let most = 0;
    // 50 dealers' task rows, each due once (its dueAt moved on when claimed).
    const due = new Map(Array.from({ length: 50 }, (_, i) => [`dlr_${String(i).padStart(2, "0")}`, new Date(Date.now() - 1_000)]));
    const rootDb = {
      dealerTask: {
        findMany: async ({ take, where }: { take: number; where: { dealerId?: { notIn: string[] } } }) =>
          [...due]
            .filter(([id, at]) => at.getTime() <= Date.now() && !where.dealerId?.notIn?.includes(id))
            .slice(0, take)
            .map(([dealerId, dueAt]) => ({ dealerId, dueAt })),
        updateMany: async ({ where, data }: { where: { dealerId: string; dueAt?: Date }; data: { dueAt?: Date } }) => {
          const at = due.get(where.dealerId);
          if (!at || (where.dueAt && where.dueAt.getTime() !== at.getTime())) return { count: 0 };
          if (data.dueAt) due.set(where.dealerId, data.dueAt);
          return { count: 1 };
        },
        deleteMany: async () => ({ count: 0 }),
      },
    } as unknown as Db;
    const tasks = dealerTaskQueue({
      kind: "nightly",
      intervalMs: 86_400_000,
      lookEveryMs: 10,
      async run() {
        running++;
        most = Math.max(most, running);
        await release.promise;
        running--;
        return "done";
      },
    });
    const credited: string[] = [];
    const movements: WorkQueue = {
      name: "movement",
      due: async () => [],
      async work(_claimant, item) {
        credited.push(item.id);
        return { worked: true, health: "ok", service: "navixy" };
      },
    };
    const services = {
      dealer: { id: "default", slug: "default", isDefault: true },
      rootDb,
      config: { worker: { pollIntervalMs: 20, leaseMs: 10_000, concurrency: 4, dealerConcurrency: 10, backoffMs: 30_000, backoffMaxMs: 600_000 } },
    } as unknown as Services;
    worker = new LedgerWorker(services, { queues: [movements, tasks], allDealers: true, servicesFor: async () => services });
    worker.start();
    try {
      await until(() => running >= 2);
    // More looks go by: still no more than two at once.
      await new Promise((r) => setTimeout(r, 100));
      worker.wake({ queue: "movement", dealerId: "dlr_paid", id: "mv_paid" });
      await until(() => credited.includes("mv_paid"), 2_000);
      expect(most).toBe(2);
    } finally {
      release.resolve();
    }
    // Every dealer's task is still run, two at a time.
    await until(() => [...due.values()].every((at) => at.getTime() > Date.now()), 5_000);
    expect(most).toBe(2);
  });
});
