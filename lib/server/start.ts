// Starting the gateway's background work inside a process: the Next.js server (instrumentation.ts), or
// `npm run worker` (worker-main.ts), or an operator command. This is where the worker gets its queues: the
// money's path does not know about automatic top-up or the console, they are plugged in here.
import { warnOnPaymentCurrencyMismatch } from "../admin/setup";
import { dealerRecheckTask, scheduleDealerRechecks } from "../admin/dealers";
import { autoTopUpQueue } from "../autotopup/queue";
import { getConfig, ConfigError } from "../config";
import { WorkChannelListener } from "../db/work-channel";
import { logger } from "../logging/logger";
import { LedgerWorker, type LedgerWorkerOptions } from "../payments/worker/ledger-worker";
import type { WorkQueue } from "../payments/worker/queue";
import { coreQueues } from "../payments/worker/queues";
import { dealerTaskQueue } from "../payments/worker/dealer-tasks";
import { nightlyReconciliationTask, scheduleNightlyReconciliations } from "../reconciliation/nightly";
import { getServices, servicesForDealerTask, type HeldServices, type Services } from "./services";
import { announcePresence, decodeNotice, notePeer, PRESENCE_INTERVAL_MS, setListening } from "./wake";
import { alertQueues } from "../alerts/queue";
import { drainAlertSends } from "../alerts/deliveries";
import { startHeartbeat } from "../monitoring/heartbeat";

const holder = globalThis as { __gatewayWorker?: ProcessWorker };

/**
 * Validates the configuration (exiting with a message naming the bad setting), prepares the database, and warns
 * when PAYMENT_CURRENCY differs from the dealer currency in Navixy.
 */
export async function bootstrap(): Promise<void> {
  try {
    getConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const { db, dbTarget } = getServices();
  if (dbTarget.provider === "sqlite") {
    // WAL lets request handlers read while the worker writes; it is a property of the file, set once.
    await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    // 64 MB of page cache for this process's connection (SQLite's default is 2 MB): a ledger of millions of
    // payments keeps the upper levels of its indexes in memory, so a lookup or insert stays a few page reads.
    await db.$executeRawUnsafe("PRAGMA cache_size = -65536");
  }
  // Not awaited: a slow or unreachable Navixy must not hold start-up back (the function logs either way).
  void warnOnPaymentCurrencyMismatch(getServices()).catch(() => {});
}

/**
 * A dealer whose books are reconciled: the environment's, and every hosted one that went live (suspended too). Its
 * services are not kept for the run (servicesForDealerTask): a night's pass over every dealer leaves the cache as it was.
 */
async function reconciledDealer(dealerId: string): Promise<HeldServices | null> {
  const held = await servicesForDealerTask(dealerId);
  if (held && held.services.dealer.status === "setup") {
    held.release();
    return null;
  }
  return held;
}

/**
 * The worker's queues: the money's path, then the features built on it (automatic top-up), the deployment's
 * periodic check of each live hosted dealer (lib/admin/dealers.ts), each dealer's nightly reconciliation
 * (lib/reconciliation/nightly.ts), and the alerts to dealers (their evaluation and their messages, lib/alerts).
 */
export function workQueues(services: Services): WorkQueue[] {
  return [
    ...coreQueues(services.config.worker),
    autoTopUpQueue(services.config),
    dealerTaskQueue(dealerRecheckTask),
    dealerTaskQueue(nightlyReconciliationTask(reconciledDealer)),
    ...alertQueues(services.config),
  ];
}

/**
 * A worker over every dealer's rows with the process's queues; `services` is the environment's dealer (whose worker
 * settings the deployment shares). Tests and commands narrow it to one dealer with allDealers: false.
 */
export function createWorker(services: Services, opts: Omit<LedgerWorkerOptions, "queues"> = { allDealers: true }): LedgerWorker {
  return new LedgerWorker(services, { queues: workQueues(services), ...opts });
}

export interface ProcessWorker {
  worker: LedgerWorker;
  stop(): Promise<void>;
}

/**
 * The process's one worker, for every dealer. On PostgreSQL it also listens for the other instances' hints
 * (lib/db/work-channel.ts), so a row stored there is worked on here without waiting for a poll.
 */
export async function startWorker(): Promise<ProcessWorker> {
  if (holder.__gatewayWorker) return holder.__gatewayWorker;
  const services = getServices();
  // Live hosted dealers without their periodic check yet get one (not awaited: start-up never waits for it).
  void scheduleDealerRechecks(services.rootDb).catch((error) => logger.error({ err: error }, "could not schedule the dealers' periodic checks"));
  void scheduleNightlyReconciliations(services.rootDb).catch((error) => logger.error({ err: error }, "could not schedule the dealers' nightly reconciliations"));
  const worker = createWorker(services);
  worker.start();
  const listener = listenToOtherInstances(services, worker);
  // Its heartbeat: /api/ready and the metrics know a worker runs (here, or on another instance).
  const heartbeat = startHeartbeat(services.rootDb, worker, services.config.worker.pollIntervalMs);
  holder.__gatewayWorker = {
    worker,
    stop: async () => {
      await listener.close();
      await worker.stop();
      await drainAlertSends(services.config.alerts.sendTimeoutMs * 2);
      await heartbeat.stop();
      holder.__gatewayWorker = undefined;
    },
  };
  return holder.__gatewayWorker;
}

/**
 * On PostgreSQL: the other instances' hints wake this worker, and this process says that it listens (lib/server/wake.ts),
 * so the others send it hints, and it learns whether any other instance listens to its own.
 */
export function listenToOtherInstances(services: Pick<Services, "dbTarget">, worker: Pick<LedgerWorker, "wake">): { close(): Promise<void> } {
  const listener = new WorkChannelListener(services.dbTarget, {
    onNotice: (payload) => {
      const notice = decodeNotice(payload);
      if (notice.own) return;
      if (notice.presence && notice.origin) {
        notePeer(notice.origin);
        // A newcomer learns at once that this instance listens too.
        if (notice.presence === "hello") announcePresence("here");
      }
      for (const hint of notice.hints) worker.wake(hint);
    },
    onConnected: () => {
      setListening(Date.now());
      announcePresence("hello");
      // Hints sent while the connection was down are lost: look for due rows now.
      worker.wake();
    },
    onError: (error) => {
      setListening(undefined);
      logger.warn({ err: error }, "work channel: connection lost, reconnecting (polling meanwhile)");
    },
  });
  listener.start();
  if (services.dbTarget.provider !== "postgres") return { close: () => listener.close() };
  const presence = setInterval(() => announcePresence("here"), PRESENCE_INTERVAL_MS);
  presence.unref?.();
  return {
    close: async () => {
      clearInterval(presence);
      setListening(undefined);
      await listener.close();
    },
  };
}
