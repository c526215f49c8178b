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
import { scopeToDealer } from "../db/dealer-scope";
import { DEFAULT_DEALER, dealerRef, dealerValues, keyringOf, type DealerRef, type DealerRow } from "../dealers/directory";
import { dealerConfig } from "../dealers/settings";

/** One dealer's dependencies: its configuration, its clients, and the database as it sees it. */
export interface Services {
  dealer: DealerRef;
  config: Config;
  /** Scoped to this dealer (lib/db/dealer-scope.ts): every query of a ledger model names its dealer. */
  db: Db;
  /** Unscoped: the dealer directory and the operator's views across dealers only. */
  rootDb: Db;
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
const dealerServices = new Map<string, { checkedAt: number; version: number; services: Services }>();
/** How long a dealer's services are used before its row is read again (a changed or suspended dealer applies). */
const DEALER_RECHECK_MS = 5_000;

function processDb(config: Config): { db: Db; target: DatabaseTarget } {
  if (!processState.db || processState.db.url !== config.databaseUrl) {
    const { db, target } = createDb(config.databaseUrl);
    processState.db = { db, target, url: config.databaseUrl };
  }
  return processState.db;
}

/** The environment's own dealer: the single-dealer setup, and every row written before multi-dealer hosting. */
export function getServices(): Services {
  if (services) return services;
  services = buildServices(getConfig(), DEFAULT_DEALER);
  return services;
}

/** The services of a dealer by id (the default dealer's too); null when there is no such dealer. */
export async function servicesForDealer(dealerId: string): Promise<Services | null> {
  if (dealerId === DEFAULT_DEALER.id) return getServices();
  const cached = dealerServices.get(dealerId);
  const now = Date.now();
  if (cached && now - cached.checkedAt < DEALER_RECHECK_MS) return cached.services;
  const row = await getServices().rootDb.dealer.findUnique({ where: { id: dealerId } });
  return row ? servicesForDealerRow(row, now) : null;
}

/** The services of a dealer by its URL slug ("default" is the environment's); null when there is none. */
export async function servicesForSlug(slug: string): Promise<Services | null> {
  if (slug === DEFAULT_DEALER.slug) return getServices();
  const row = await getServices().rootDb.dealer.findUnique({ where: { slug } });
  return row ? servicesForDealerRow(row) : null;
}

/** The services of a dealer row just read (rebuilt only when the row changed since they were built). */
export function servicesForDealerRow(row: DealerRow, now = Date.now()): Services {
  const cached = dealerServices.get(row.id);
  const version = row.updatedAt.getTime();
  if (cached && cached.version === version) {
    cached.checkedAt = now;
    return cached.services;
  }
  const base = getConfig();
  const config = dealerConfig(row.slug, process.env, dealerValues(row, keyringOf(base)));
  const built = buildServices(config, dealerRef(row));
  dealerServices.set(row.id, { checkedAt: now, version, services: built });
  return built;
}

function buildServices(config: Config, dealer: DealerRef): Services {
  const { db, target } = processDb(config);
  const navixy = new NavixyPanelClient({
    apiUrl: config.navixy.apiUrl,
    login: config.navixy.login,
    password: config.navixy.password,
    apiHash: config.navixy.apiHash,
    timeoutMs: config.navixy.timeoutMs,
  });
  return {
    dealer,
    config,
    db: scopeToDealer(db, dealer.id),
    rootDb: db,
    dbTarget: target,
    stripe: createStripeClient(config.stripe),
    navixy,
    currency: new DealerCurrency(config.payments.currency, navixy),
    hooks: autoTopUpPaymentHooks,
    wakeWorker: () => processState.wake.emit("work"),
  };
}

/** Subscribes to wake-ups from any bundle of this process. Returns the unsubscribe function. */
export function onWorkerWake(listener: () => void): () => void {
  processState.wake.on("work", listener);
  return () => processState.wake.off("work", listener);
}

/** Tests point the process at another database or emulator between suites. */
export async function resetServicesForTests(): Promise<void> {
  services = undefined;
  dealerServices.clear();
  const current = processState.db;
  processState.db = undefined;
  await current?.db.$disconnect();
}
