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
// Card-testing defence on POST /api/payments: config.security.paymentsPerIp and paymentsPerUser.
import type { RateLimit } from "../config";
import { isUniqueViolation, type Db } from "../db/client";
import { HttpError } from "../http/responses";

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

/**
 * The client address used for per-IP limits.
 *
 * App Router handlers do not see the TCP peer address, so the only source is X-Forwarded-For. We take its LAST
 * entry: the one appended by the reverse proxy directly in front of the app (nginx `$proxy_add_x_forwarded_for`,
 * a load balancer), which the client cannot choose. Entries to its left are whatever the client sent and are
 * ignored. This is right for exactly one trusted proxy hop, the usual deployment. Without any proxy the header
 * is the client's own and could be varied to dodge the per-IP limit; the per-user limit still holds then.
 * Without the header at all (direct connections, tests) every client shares the bucket "direct".
 */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  if (forwarded) {
    const hops = forwarded.split(",").map((h) => h.trim()).filter(Boolean);
    const last = hops[hops.length - 1];
    if (last && /^[0-9A-Fa-f:.[\]]{2,64}$/.test(last)) return last.replace(/^\[|\]$/g, "").toLowerCase();
  }
  return "direct";
}

function refuse(result: RateLimitResult, what: string): never {
  throw new HttpError(
    429,
    "rate_limited",
    `Too many payment attempts ${what}. Please wait ${describeWait(result.retryAfterSeconds)} and try again.`,
    { "retry-after": String(result.retryAfterSeconds) },
  );
}

function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** POST /api/payments, before anything else: at most config.security.paymentsPerIp per client address. */
export async function enforcePaymentsPerIp(db: Db, limit: RateLimit, headers: Headers): Promise<void> {
  const result = await hitRateLimit(db, `payments:ip:${clientIp(headers)}`, limit);
  if (!result.allowed) refuse(result, "from your network");
}

/** POST /api/payments, once the user id is known: at most config.security.paymentsPerUser per Navixy user. */
export async function enforcePaymentsPerUser(db: Db, limit: RateLimit, userId: number): Promise<void> {
  const result = await hitRateLimit(db, `payments:user:${userId}`, limit);
  if (!result.allowed) refuse(result, "for this account");
}
