// Starting the worker inside a process: the Next.js server (instrumentation.ts) or `npm run worker`.
import { getConfig, ConfigError } from "../config";
import { getServices } from "../server/services";
import { LedgerWorker } from "./ledger-worker";

const holder = globalThis as { __gatewayWorker?: LedgerWorker };

/** Validates the configuration (exiting with a message naming the bad setting) and prepares the database. */
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
  // WAL lets request handlers read while the worker writes; it is a property of the file, set once.
  if (dbTarget.provider === "sqlite") await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
}

export function startWorker(): LedgerWorker {
  holder.__gatewayWorker ??= new LedgerWorker(getServices());
  holder.__gatewayWorker.start();
  return holder.__gatewayWorker;
}
