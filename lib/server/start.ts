// Starting the gateway's background work inside a process: the Next.js server (instrumentation.ts), or
// `npm run worker` (worker-main.ts), or an operator command. This is where the worker gets its jobs: the
// money's path does not know about automatic top-up or the console, they are plugged in here.
import { DEALER_RECHECK_INTERVAL_MS, recheckLiveDealers } from "../admin/dealers";
import { warnOnPaymentCurrencyMismatch } from "../admin/setup";
import { runAutoTopUps } from "../autotopup/scheduler";
import { getConfig, ConfigError } from "../config";
import { captureDueAuthorizations } from "../payments/capture";
import { sweepPayments } from "../payments/sweep";
import { LedgerWorker } from "../payments/worker/ledger-worker";
import type { PeriodicJob } from "../payments/worker/scheduler";
import { getServices, type Services } from "./services";
import { WorkerPool } from "./worker-pool";

const holder = globalThis as { __gatewayWorkers?: WorkerPool };

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

/** The periodic jobs every worker runs beside its two queues; the environment's dealer's also runs the deployment's. */
export function periodicJobs(services: Services): PeriodicJob[] {
  const { worker, autoTopUp } = services.config;
  const jobs: PeriodicJob[] = [
    // Missed webhooks, abandoned payments, refunds that failed later: lib/payments/sweep.ts.
    { name: "sweep", intervalMs: worker.sweepIntervalMs, run: async () => ({ ...(await sweepPayments(services)) }) },
    // Authorizations whose PAYMENT_AUTO_CAPTURE_AFTER has passed.
    { name: "capture due", intervalMs: worker.sweepIntervalMs, run: async () => ({ ...(await captureDueAuthorizations(services)) }) },
  ];
  if (services.dealer.isDefault) {
    // The deployment's, not a dealer's: run by the environment's dealer's lane, which every worker process has.
    // The live hosted dealers' key and Stripe account, again (lib/admin/dealers.ts).
    jobs.push({ name: "dealer checks", intervalMs: DEALER_RECHECK_INTERVAL_MS, run: async () => ({ ...(await recheckLiveDealers()) }) });
  }
  if (autoTopUp.enabled) {
    // About once a minute (never more often than the check interval); each run reads at most a batch of balances.
    jobs.push({
      name: "automatic top-up",
      intervalMs: Math.min(60_000, autoTopUp.checkIntervalMs),
      run: async () => {
        const { charged, errors } = await runAutoTopUps(services);
        return { charged, errors };
      },
    });
  }
  return jobs;
}

/** One dealer's worker: its two queues and its periodic jobs. */
export function createWorker(services: Services): LedgerWorker {
  return new LedgerWorker(services, { jobs: periodicJobs(services) });
}

/** The process's workers: one lane per dealer (lib/server/worker-pool.ts). */
export async function startWorker(): Promise<WorkerPool> {
  holder.__gatewayWorkers ??= new WorkerPool(createWorker);
  await holder.__gatewayWorkers.start();
  return holder.__gatewayWorkers;
}
