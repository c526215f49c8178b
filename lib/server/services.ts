// The process's shared dependencies, built once from the configuration. Next.js evaluates server modules
// once per bundle (instrumentation, each route, each page), so what must be one per process (database
// pool, the dealers' services) lives on globalThis. A hosted dealer's services are built when one of its
// requests or rows needs them and kept in a bounded least-recently-used cache: a dealer nobody pays costs its
// row in the Dealer table and nothing else, however many dealers the deployment has.
import type Stripe from "stripe";
import { getConfig, type Config } from "../config";
import { createDb, type Db } from "../db/client";
import type { DirectSql } from "../db/direct";
import type { DatabaseTarget } from "../db/url";
import { NavixyPanelClient } from "../navixy";
import { createStripeClient } from "../stripe/client";
import { DealerCurrency } from "../navixy/dealer-currency";
import type { PaymentHooks } from "../payments/hooks";
import { autoTopUpPaymentHooks } from "../autotopup/payment-hooks";
import { scopeToDealer } from "../db/dealer-scope";
import { DEFAULT_DEALER, dealerRef, dealerSecretHolder, dealerValues, keyringOf, type DealerRef, type DealerRow } from "../dealers/directory";
import { releaseLogSecrets } from "../logging/logger";
import { dealerConfig } from "../dealers/settings";
import { workNotifier } from "../db/work-channel";
import { LruCache } from "../lru";
import { configureMetrics } from "../metrics";
import { setDealerSignalStore } from "../monitoring/dealer-signals";
import { navixyObserver, stripeObserver } from "../monitoring/observers";
import { processOrigin, setWakePublisher, wakeWorkers, type WorkHint } from "./wake";

/** One dealer's dependencies: its configuration, its clients, and the database as it sees it. */
export interface Services {
  dealer: DealerRef;
  config: Config;
  /** Scoped to this dealer (lib/db/dealer-scope.ts): every query of a ledger model names its dealer. */
  db: Db;
  /** Unscoped: the dealer directory and the operator's views across dealers only. */
  rootDb: Db;
  /**
   * Plain SQL straight to the driver, unscoped: the busiest statements of the money's path (lib/db/direct.ts), each
   * naming its dealer itself (lib/payments/ledger/ledger-sql.ts).
   */
  sql: DirectSql;
  dbTarget: DatabaseTarget;
  stripe: Stripe;
  navixy: NavixyPanelClient;
  currency: DealerCurrency;
  /** Features plugged into the money's path (automatic top-up). */
  hooks: PaymentHooks;
  /** Tells the worker that new work is waiting: the row, when one was just stored (lib/server/wake.ts). */
  wakeWorker(hint?: WorkHint): void;
}

interface CachedServices {
  /** When the dealer's row was last read (a changed or suspended dealer applies within DEALER_RECHECK_MS). */
  checkedAt: number;
  /** The row's updatedAt when the services were built: a change of its settings rebuilds them. */
  version: number;
  services: Services;
}

interface ProcessState {
  db?: { db: Db; target: DatabaseTarget; direct: DirectSql; url: string };
  dealers?: LruCache<string, CachedServices>;
  /** Uses of dealers' services built and not kept, numbered per process (their secrets' holders must not collide). */
  uses?: number;
}

const processState: ProcessState = ((globalThis as { __gateway?: ProcessState }).__gateway ??= {});

let services: Services | undefined;
/** How long a dealer's services are used before its row is read again (a changed or suspended dealer applies). */
const DEALER_RECHECK_MS = 5_000;

function processDb(config: Config): { db: Db; target: DatabaseTarget; direct: DirectSql } {
  if (!processState.db || processState.db.url !== config.databaseUrl) {
    const { db, target, direct } = createDb(config.databaseUrl);
    processState.db = { db, target, direct, url: config.databaseUrl };
    // Hints no worker of this process takes go to the other instances (PostgreSQL only).
    const notifier = workNotifier(direct, target, processOrigin());
    setWakePublisher(notifier ? (payload) => notifier.notify(payload) : undefined);
    // Dealers' credential signals (a refused Navixy login, a refused Stripe key) are written there for the alerts.
    setDealerSignalStore(db);
    configureMetrics(config.metrics);
  }
  return processState.db;
}

function dealerCache(): LruCache<string, CachedServices> {
  // A dealer's services that leave the cache take its secrets out of the log scrubber's registry (after a grace period
  // for work that began with them): what the process keeps follows the cache, not every dealer ever opened.
  return (processState.dealers ??= new LruCache(getConfig().worker.dealerCacheSize, (dealerId) => releaseLogSecrets(dealerSecretHolder(dealerId))));
}

/** The environment's own dealer: the single-dealer setup, and every row written before multi-dealer hosting. */
export function getServices(): Services {
  if (services) return services;
  services = buildServices(getConfig(), DEFAULT_DEALER);
  return services;
}

/**
 * The services of a dealer by id (the default dealer's too); null when there is no such dealer. Built on first use
 * and kept (least recently used out); the row's version is read again at most every DEALER_RECHECK_MS, and its
 * secrets are opened only when the services are (re)built.
 */
export async function servicesForDealer(dealerId: string): Promise<Services | null> {
  if (dealerId === DEFAULT_DEALER.id) return getServices();
  const cache = dealerCache();
  const cached = cache.get(dealerId);
  const now = Date.now();
  if (cached && now - cached.checkedAt < DEALER_RECHECK_MS) return cached.services;
  const rootDb = getServices().rootDb;
  if (cached) {
    const current = await rootDb.dealer.findUnique({ where: { id: dealerId }, select: { updatedAt: true } });
    if (!current) {
      cache.delete(dealerId);
      return null;
    }
    if (current.updatedAt.getTime() === cached.version) {
      cached.checkedAt = now;
      return cached.services;
    }
  }
  const row = await rootDb.dealer.findUnique({ where: { id: dealerId } });
  if (!row) {
    cache.delete(dealerId);
    return null;
  }
  return servicesForDealerRow(row, now);
}

/**
 * The services of a dealer by its URL slug ("default" is the environment's); null when there is none. Its row's
 * version is read on every call (one indexed read), so a suspension or a change applies to the very next request.
 */
export async function servicesForSlug(slug: string): Promise<Services | null> {
  if (slug === DEFAULT_DEALER.slug) return getServices();
  const rootDb = getServices().rootDb;
  const current = await rootDb.dealer.findUnique({ where: { slug }, select: { id: true, updatedAt: true } });
  if (!current) return null;
  const cached = dealerCache().get(current.id);
  if (cached && cached.version === current.updatedAt.getTime()) {
    cached.checkedAt = Date.now();
    return cached.services;
  }
  const row = await rootDb.dealer.findUnique({ where: { id: current.id } });
  return row ? servicesForDealerRow(row) : null;
}

/** The services of a dealer row just read (rebuilt only when the row changed since they were built). */
export function servicesForDealerRow(row: DealerRow, now = Date.now()): Services {
  const cache = dealerCache();
  const cached = cache.get(row.id);
  const version = row.updatedAt.getTime();
  if (cached && cached.version === version) {
    cached.checkedAt = now;
    return cached.services;
  }
  const base = getConfig();
  const config = dealerConfig(row.slug, process.env, dealerValues(row, keyringOf(base)));
  const built = buildServices(config, dealerRef(row));
  cache.set(row.id, { checkedAt: now, version, services: built });
  return built;
}

/** A dealer's services for one use, and what ends that use (its opened secrets are released from the log scrubber). */
export interface HeldServices {
  services: Services;
  release(): void;
}

/**
 * A dealer's services built for one use and not kept (a periodic check of every live dealer must not fill the cache);
 * the caller releases them when done.
 */
export function uncachedServicesForDealerRow(row: DealerRow): HeldServices {
  processState.uses = (processState.uses ?? 0) + 1;
  const holder = dealerSecretHolder(row.id, `use-${processState.uses}`);
  try {
    const config = dealerConfig(row.slug, process.env, dealerValues(row, keyringOf(getConfig()), { holder }));
    return { services: buildServices(config, dealerRef(row)), release: () => releaseLogSecrets(holder) };
  } catch (error) {
    releaseLogSecrets(holder);
    throw error;
  }
}

/**
 * A dealer's services for a task the worker runs for every dealer in turn (the nightly reconciliation): the cached
 * ones when the dealer's own requests and rows keep it in the cache, otherwise built for this run and not kept, so a
 * pass over thousands of dealers neither fills the cache nor pushes out the dealers being paid. Null when there is no
 * such dealer. The caller releases them when the task is done.
 */
export async function servicesForDealerTask(dealerId: string): Promise<HeldServices | null> {
  if (dealerId === DEFAULT_DEALER.id) return { services: getServices(), release: () => {} };
  const row = await getServices().rootDb.dealer.findUnique({ where: { id: dealerId } });
  if (!row) return null;
  const cached = dealerCache().peek(row.id);
  if (cached && cached.version === row.updatedAt.getTime()) return { services: cached.services, release: () => {} };
  return uncachedServicesForDealerRow(row);
}

/** How many hosted dealers' services this process holds (bounded by DEALER_CACHE_SIZE). */
export function cachedDealerCount(): number {
  return processState.dealers?.size ?? 0;
}

function buildServices(config: Config, dealer: DealerRef): Services {
  const { db, target, direct } = processDb(config);
  const navixy = new NavixyPanelClient({
    apiUrl: config.navixy.apiUrl,
    login: config.navixy.login,
    password: config.navixy.password,
    apiHash: config.navixy.apiHash,
    timeoutMs: config.navixy.timeoutMs,
    // Every request counted and timed (GET /metrics); a refused login or permission noted for the alerts.
    log: navixyObserver(dealer),
  });
  return {
    dealer,
    config,
    db: scopeToDealer(db, dealer.id),
    rootDb: db,
    sql: direct,
    dbTarget: target,
    stripe: createStripeClient(config.stripe, stripeObserver(dealer)),
    navixy,
    currency: new DealerCurrency(config.payments.currency, navixy),
    hooks: autoTopUpPaymentHooks,
    wakeWorker: wakeWorkers,
  };
}

/** Tests point the process at another database or emulator between suites. */
export async function resetServicesForTests(): Promise<void> {
  services = undefined;
  processState.dealers = undefined;
  const current = processState.db;
  processState.db = undefined;
  setDealerSignalStore(undefined);
  await current?.db.$disconnect();
}
