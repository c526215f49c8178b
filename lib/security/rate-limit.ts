// Fixed-window rate limits shared by every app instance through the RateLimitWindow table.
//
// A window is [floor(now / windowMs) * windowMs, + windowMs). Each hit is one atomic statement,
//   INSERT ... ON CONFLICT (key, windowStart) DO UPDATE SET count = count + 1 RETURNING count
// (Prisma's upsert compiles to exactly that on SQLite and PostgreSQL when, as here, the where clause is the
// primary key and create/update touch one row), so concurrent requests on any number of instances each see a
// distinct count and the limit holds. Should the database ever fall back to insert-then-update, the losing
// insert's unique violation is retried as an update. Expired windows are deleted now and then (about one hit
// in PRUNE_EVERY), never on every request.
//
// Card-testing defence on POST /api/payments: config.security.paymentsPerIp and paymentsPerUser; the checkout's
// automatic top-up routes: config.security.autoTopUpPerIp. Every bucket of a payer's route names its dealer: one dealer's traffic never spends another's counts, and the same Navixy user id
// at two dealers is two people. The console's sign-in limit is the deployment's (lib/admin/auth.ts).
import type { Config, RateLimit } from "../config";
import { isUniqueViolation, type Db } from "../db/client";
import { HttpError } from "../http/responses";
import { addressBucket, requireClientAddress } from "./client-address";
import { countRateLimited } from "../metrics";

const PRUNE_EVERY = 200;

export interface RateLimitResult {
  allowed: boolean;
  /** Hits in the current window, this one included. */
  count: number;
  limit: number;
  /** Seconds until the window ends (for Retry-After), at least 1. */
  retryAfterSeconds: number;
}

/** Counts one hit on `key` and says whether it is within `limit`. */
export async function hitRateLimit(db: Db, key: string, limit: RateLimit, now = Date.now()): Promise<RateLimitResult> {
  const windowStart = new Date(Math.floor(now / limit.windowMs) * limit.windowMs);
  const expiresAt = new Date(windowStart.getTime() + limit.windowMs);
  let count = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      const row = await db.rateLimitWindow.upsert({
        where: { key_windowStart: { key, windowStart } },
        create: { key, windowStart, count: 1, expiresAt },
        update: { count: { increment: 1 } },
        select: { count: true },
      });
      count = row.count;
      break;
    } catch (error) {
      if (attempt >= 3 || !isUniqueViolation(error)) throw error;
    }
  }
  if (Math.random() * PRUNE_EVERY < 1) void pruneRateLimitWindows(db, new Date(now)).catch(() => {});
  return {
    allowed: count <= limit.limit,
    count,
    limit: limit.limit,
    retryAfterSeconds: Math.max(1, Math.ceil((expiresAt.getTime() - now) / 1000)),
  };
}

/** Deletes windows that have ended. Returns how many. */
export async function pruneRateLimitWindows(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.rateLimitWindow.deleteMany({ where: { expiresAt: { lt: now } } });
  return count;
}

function refuse(result: RateLimitResult, what: string, scope: LimitScope, limitName: string, attempts = "payment attempts"): never {
  countRateLimited(scope.dealer.slug ?? scope.dealer.id, limitName);
  throw new HttpError(
    429,
    "rate_limited",
    `Too many ${attempts} ${what}. Please wait ${describeWait(result.retryAfterSeconds)} and try again.`,
    { "retry-after": String(result.retryAfterSeconds) },
  );
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** What a payer's limit needs: the dealer's database (the table is the deployment's), settings and id. */
export interface LimitScope {
  db: Db;
  config: Pick<Config, "security">;
  /** The slug names the dealer in the metrics (lib/metrics); its id in the buckets. */
  dealer: { id: string; slug?: string };
}

/** POST /api/payments, before anything else: at most config.security.paymentsPerIp per client address and dealer. */
export async function enforcePaymentsPerIp(scope: LimitScope, headers: Headers): Promise<void> {
  const address = requireClientAddress(headers, scope.config.security.trustedProxies);
  const result = await hitRateLimit(scope.db, `payments:${scope.dealer.id}:ip:${addressBucket(address)}`, scope.config.security.paymentsPerIp);
  if (!result.allowed) refuse(result, "from your network", scope, "payments_per_ip");
}

/**
 * The checkout's automatic top-up routes (GET /api/topup/checkout, POST /api/topup/confirm), before anything else:
 * together at most config.security.autoTopUpPerIp per client address and dealer.
 */
export async function enforceAutoTopUpPerIp(scope: LimitScope, headers: Headers): Promise<void> {
  const address = requireClientAddress(headers, scope.config.security.trustedProxies);
  const result = await hitRateLimit(scope.db, `autotopup:${scope.dealer.id}:ip:${addressBucket(address)}`, scope.config.security.autoTopUpPerIp);
  if (!result.allowed) refuse(result, "from your network", scope, "auto_top_up_per_ip", "automatic top-up requests");
}

/**
 * POST /api/payments, once Navixy said `userId` is a user of this dealer (an unknown id or a sub-user is refused
 * before, and spends no one's count): at most config.security.paymentsPerUser per user of the dealer.
 */
export async function enforcePaymentsPerUser(scope: LimitScope, userId: number): Promise<void> {
  const result = await hitRateLimit(scope.db, `payments:${scope.dealer.id}:user:${userId}`, scope.config.security.paymentsPerUser);
  if (!result.allowed) refuse(result, "for this account", scope, "payments_per_user");
}
