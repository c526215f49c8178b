// The process's shared dependencies, built once from the configuration. Next.js evaluates server modules
// once per bundle (instrumentation, each route, each page), so what must be one per process (database
// pool, worker wake-up signal) lives on globalThis.
import { EventEmitter } from "node:events";
import type Stripe from "stripe";
import { getConfig, type Config } from "../config";
import { createDb, type Db } from "../db/client";
import type { DatabaseTarget } from "../db/url";
import { NavixyPanelClient } from "../navixy";
import { createStripeClient } from "../stripe/client";
import { DealerCurrency } from "../navixy/dealer-currency";
import type { PaymentHooks } from "../payments/hooks";
import { autoTopUpPaymentHooks } from "../autotopup/payment-hooks";

export interface Services {
  config: Config;
  db: Db;
  dbTarget: DatabaseTarget;
  stripe: Stripe;
  navixy: NavixyPanelClient;
  currency: DealerCurrency;
  /** Features plugged into the money's path (automatic top-up). */
  hooks: PaymentHooks;
  /** Tells the worker in this process that new work is waiting. */
  wakeWorker(): void;
}

interface ProcessState {
  db?: { db: Db; target: DatabaseTarget; url: string };
  wake: EventEmitter;
}

const processState: ProcessState = ((globalThis as { __gateway?: ProcessState }).__gateway ??= {
  wake: new EventEmitter(),
});
processState.wake.setMaxListeners(50);

let services: Services | undefined;

export function getServices(): Services {
  if (services) return services;
  const config = getConfig();
  if (!processState.db || processState.db.url !== config.databaseUrl) {
    const { db, target } = createDb(config.databaseUrl);
    processState.db = { db, target, url: config.databaseUrl };
  }
  const navixy = new NavixyPanelClient({
    apiUrl: config.navixy.apiUrl,
    login: config.navixy.login,
    password: config.navixy.password,
    apiHash: config.navixy.apiHash,
    timeoutMs: config.navixy.timeoutMs,
  });
  services = {
    config,
    db: processState.db.db,
    dbTarget: processState.db.target,
    stripe: createStripeClient(config.stripe),
    navixy,
    currency: new DealerCurrency(config.payments.currency, navixy),
    hooks: autoTopUpPaymentHooks,
    wakeWorker: () => processState.wake.emit("work"),
  };
  return services;
}

/** Subscribes to wake-ups from any bundle of this process. Returns the unsubscribe function. */
export function onWorkerWake(listener: () => void): () => void {
  processState.wake.on("work", listener);
  return () => processState.wake.off("work", listener);
}

/** Tests point the process at another database or emulator between suites. */
export async function resetServicesForTests(): Promise<void> {
  services = undefined;
  const current = processState.db;
  processState.db = undefined;
  await current?.db.$disconnect();
}
