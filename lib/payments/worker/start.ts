// Starting the worker inside a process: the Next.js server (instrumentation.ts) or `npm run worker`.
import { warnOnPaymentCurrencyMismatch } from "../../admin/setup";
import { getConfig, ConfigError } from "../../config";
import { getServices } from "../../server/services";
import { LedgerWorker } from "./ledger-worker";

const holder = globalThis as { __gatewayWorker?: LedgerWorker };

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

export function startWorker(): LedgerWorker {
  holder.__gatewayWorker ??= new LedgerWorker(getServices());
  holder.__gatewayWorker.start();
  return holder.__gatewayWorker;
}
