// Dealer console access: one password (ADMIN_PASSWORD), sessions in the AdminSession table, a signed
// cookie naming the session, CSRF tokens derived from each session's own secret, and a per-IP limit on
// login attempts kept in RateLimitWindow (so it holds across instances and restarts).
//
// Keys: the password is compared through scrypt (salt random per process: only the derived hash is
// compared). The cookie's HMAC key is derived from the password with HKDF, so sessions survive a restart
// and every session dies when the password changes.
import { createHmac, hkdfSync, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import type { Services } from "../server/services";
import { audit } from "./audit";
import { hitRateLimit } from "../security/rate-limit";

export const SESSION_COOKIE = "navixy_admin";
export const COOKIE_PATH = "/admin";

interface Keys {
  salt: Buffer;
  passwordHash: Buffer;
  cookieKey: Buffer;
  flashKey: Buffer;
}

// Keyed by the config object: a new configuration (tests, a changed password) derives new keys.
const keysByConfig = new WeakMap<Config, Keys>();

function keys(config: Config): Keys {
  const password = config.admin.password;
  if (!password) throw new Error("The dealer console is switched off (ADMIN_PASSWORD is not set).");
  let k = keysByConfig.get(config);
  if (!k) {
    const salt = randomBytes(16);
    const ikm = Buffer.from(password, "utf8");
    k = {
      salt,
      passwordHash: scryptSync(ikm, salt, 32),
      cookieKey: Buffer.from(hkdfSync("sha256", ikm, "navixy-gateway/admin", "session-cookie/v1", 32)),
      flashKey: Buffer.from(hkdfSync("sha256", ikm, "navixy-gateway/admin", "flash-message/v1", 32)),
    };
    keysByConfig.set(config, k);
  }
  return k;
}

export function consoleEnabled(config: Config): boolean {
  return !!config.admin.password;
}

/** Constant-time check of a submitted password against the configured one (through its scrypt hash). */
export function checkPassword(config: Config, submitted: string): boolean {
  const k = keys(config);
  // Bound the work an attacker can ask for; a longer input can never be the password anyway.
  const candidate = scryptSync(Buffer.from(submitted.slice(0, 1024), "utf8"), k.salt, 32);
  return timingSafeEqual(candidate, k.passwordHash);
}

const b64 = (buf: Buffer) => buf.toString("base64url");

function hmac(key: Buffer | string, data: string): string {
  return b64(createHmac("sha256", key).update(data, "utf8").digest());
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function signSessionId(config: Config, sessionId: string): string {
  return `${sessionId}.${hmac(keys(config).cookieKey, `session:${sessionId}`)}`;
}

/** The session id a cookie value names, if its signature is ours; null otherwise. */
export function verifySessionCookie(config: Config, value: string | undefined): string | null {
  if (!value) return null;
  const dot = value.indexOf(".");
  if (dot <= 0) return null;
  const id = value.slice(0, dot);
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
  return safeEqual(signSessionId(config, id), value) ? id : null;
}

export interface AdminSessionInfo {
  id: string;
  csrfToken: string;
  /** Who did it, as written in the audit log. */
  actor: string;
  expiresAt: Date;
}

export function actorOf(sessionId: string): string {
  return `admin:${sessionId.slice(0, 8)}`;
}

export function csrfTokenFor(session: { id: string; csrfSecret: string }): string {
  return hmac(session.csrfSecret, `csrf:${session.id}`);
}

export function checkCsrf(session: AdminSessionInfo, submitted: unknown): boolean {
  return typeof submitted === "string" && safeEqual(submitted, session.csrfToken);
}

/** Cookie header value for a new session (or, with maxAge 0, one that clears it). */
export function sessionCookie(config: Config, value: string, maxAgeSeconds: number): string {
  const secure = config.publicUrl.startsWith("https:") ? "; Secure" : "";
  return `${SESSION_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

export function clearSessionCookie(config: Config): string {
  return sessionCookie(config, "", 0);
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The live session a cookie value names: signed by us, in the table, not revoked, not expired. */
export async function sessionFromCookie(services: Services, cookieValue: string | undefined, now = new Date()): Promise<AdminSessionInfo | null> {
  if (!consoleEnabled(services.config)) return null;
  const id = verifySessionCookie(services.config, cookieValue);
  if (!id) return null;
  const row = await services.db.adminSession.findUnique({ where: { id } });
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  return { id: row.id, csrfToken: csrfTokenFor(row), actor: actorOf(row.id), expiresAt: row.expiresAt };
}

export type LoginOutcome =
  | { kind: "ok"; session: AdminSessionInfo; cookie: string }
  | { kind: "wrong_password" }
  | { kind: "rate_limited"; retryAfterSeconds: number };

/** A login attempt: counted against the IP's limit first, then the password checked. */
export async function login(
  services: Services,
  args: { password: string; ip: string; userAgent?: string | null },
  now = new Date(),
): Promise<LoginOutcome> {
  const { config, db } = services;
  const limit = await hitRateLimit(db, `admin-login:ip:${args.ip}`, config.admin.loginLimit, now.getTime());
  if (!limit.allowed) {
    // One audit row per window and IP, not one per refused guess.
    if (limit.count === config.admin.loginLimit.limit + 1) {
      await audit(db, { actor: "anonymous", action: "login.rate_limited", ip: args.ip, comment: `more than ${config.admin.loginLimit.limit} attempts` });
    }
    return { kind: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };
  }
  if (!checkPassword(config, args.password)) {
    await audit(db, { actor: "anonymous", action: "login.failed", ip: args.ip });
    return { kind: "wrong_password" };
  }
  const id = b64(randomBytes(32));
  const expiresAt = new Date(now.getTime() + config.admin.sessionTtlMs);
  const row = await db.adminSession.create({
    data: {
      id,
      createdAt: now,
      expiresAt,
      csrfSecret: b64(randomBytes(32)),
      ip: args.ip,
      userAgent: args.userAgent?.slice(0, 300) ?? null,
    },
  });
  await audit(db, { actor: actorOf(id), action: "login", ip: args.ip, after: { sessionId: actorOf(id), expiresAt } });
  // Housekeeping: expired sessions and rate-limit windows are of no use to anyone.
  await db.rateLimitWindow.deleteMany({ where: { expiresAt: { lt: now } } });
  await db.adminSession.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 30 * 86_400_000) } } });
  return {
    kind: "ok",
    session: { id, csrfToken: csrfTokenFor(row), actor: actorOf(id), expiresAt },
    cookie: sessionCookie(config, signSessionId(config, id), Math.floor(config.admin.sessionTtlMs / 1000)),
  };
}

/** Revokes the session (idempotent). */
export async function logout(services: Services, session: AdminSessionInfo, ip: string, now = new Date()): Promise<void> {
  const { count } = await services.db.adminSession.updateMany({ where: { id: session.id, revokedAt: null }, data: { revokedAt: now } });
  if (count > 0) await audit(services.db, { actor: session.actor, action: "logout", ip });
}

/**
 * The request must come from the console's own pages: Origin (or, failing that, Referer) must be
 * PUBLIC_URL's origin. A POST with neither is refused.
 */
export function sameOrigin(config: Config, headers: Headers): boolean {
  const expected = new URL(config.publicUrl).origin;
  const origin = headers.get("origin");
  if (origin && origin !== "null") return origin === expected;
  const referer = headers.get("referer");
  if (!referer) return false;
  try {
    return new URL(referer).origin === expected;
  } catch {
    return false;
  }
}

/**
 * The client's address for rate limits and the audit log: the last X-Forwarded-For entry (the one the
 * nearest proxy, or Next itself when there is none, wrote), else "unknown".
 */
export function clientIp(headers: Headers): string {
  const xff = headers.get("x-forwarded-for");
  const last = xff?.split(",").map((s) => s.trim()).filter(Boolean).pop();
  return (last ?? headers.get("x-real-ip") ?? "unknown").slice(0, 64);
}

/** A short message carried in a redirect's query, signed so a link cannot put words in the console's mouth. */
export function signFlash(config: Config, kind: "notice" | "error", message: string): string {
  const body = b64(Buffer.from(JSON.stringify([kind, message.slice(0, 500)]), "utf8"));
  return `${body}.${hmac(keys(config).flashKey, body)}`;
}

export function readFlash(config: Config, value: string | undefined): { kind: "notice" | "error"; message: string } | null {
  if (!value || !consoleEnabled(config)) return null;
  const [body, sig] = value.split(".");
  if (!body || !sig || !safeEqual(hmac(keys(config).flashKey, body), sig)) return null;
  try {
    const [kind, message] = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as [string, string];
    return kind === "notice" || kind === "error" ? { kind, message: String(message) } : null;
  } catch {
    return null;
  }
}
