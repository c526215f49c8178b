// Dealer console access: one password (ADMIN_PASSWORD), sessions in the AdminSession table, a signed
// cookie naming the session, CSRF tokens derived from each session's own secret, and a per-IP limit on
// login attempts kept in RateLimitWindow (so it holds across instances and restarts).
//
// Keys: the password is compared through scrypt (salt random per process: only the derived hash is
// compared). Cookies and notices are signed with keys from a random secret in the database
// (./console-secret.ts), never from the password: sessions survive a restart, every session ends when the
// password changes, and nothing a visitor is given can be used to test password guesses offline.
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import type { Services } from "../server/services";
import { audit } from "./audit";
import { consoleKeys } from "./console-secret";
import { hitRateLimit } from "../security/rate-limit";

export const SESSION_COOKIE = "navixy_admin";
export const COOKIE_PATH = "/admin";

/** What signing and verifying need: the configuration (the password) and the database (the secret). */
type Signer = Pick<Services, "config" | "db">;

interface PasswordHash {
  salt: Buffer;
  hash: Buffer;
}

// Keyed by the config object: a new configuration (tests, a changed password) hashes again.
const passwordHashes = new WeakMap<Config, PasswordHash>();

function passwordHash(config: Config): PasswordHash {
  const password = config.admin.password;
  if (!password) throw new Error("The dealer console is switched off (ADMIN_PASSWORD is not set).");
  let h = passwordHashes.get(config);
  if (!h) {
    const salt = randomBytes(16);
    h = { salt, hash: scryptSync(Buffer.from(password, "utf8"), salt, 32) };
    passwordHashes.set(config, h);
  }
  return h;
}

export function consoleEnabled(config: Config): boolean {
  return !!config.admin.password;
}

/** Constant-time check of a submitted password against the configured one (through its scrypt hash). */
export function checkPassword(config: Config, submitted: string): boolean {
  const h = passwordHash(config);
  // Bound the work an attacker can ask for; a longer input can never be the password anyway.
  const candidate = scryptSync(Buffer.from(submitted.slice(0, 1024), "utf8"), h.salt, 32);
  return timingSafeEqual(candidate, h.hash);
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

export async function signSessionId(signer: Signer, sessionId: string): Promise<string> {
  return `${sessionId}.${hmac((await consoleKeys(signer)).cookie, `session:${sessionId}`)}`;
}

/** The session id a cookie value names, if its signature is ours; null otherwise. */
export async function verifySessionCookie(signer: Signer, value: string | undefined): Promise<string | null> {
  if (!value) return null;
  const dot = value.indexOf(".");
  if (dot <= 0) return null;
  const id = value.slice(0, dot);
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
  return safeEqual(await signSessionId(signer, id), value) ? id : null;
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
  const id = await verifySessionCookie(services, cookieValue);
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
    cookie: sessionCookie(config, await signSessionId(services, id), Math.floor(config.admin.sessionTtlMs / 1000)),
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
 * A short message carried in a redirect's query, signed so a link cannot put words in the console's mouth.
 * Only for signed-in people: an anonymous visitor is never handed anything signed.
 */
export async function signFlash(signer: Signer, kind: "notice" | "error", message: string): Promise<string> {
  const body = b64(Buffer.from(JSON.stringify([kind, message.slice(0, 500)]), "utf8"));
  return `${body}.${hmac((await consoleKeys(signer)).flash, body)}`;
}

export async function readFlash(signer: Signer, value: string | undefined): Promise<{ kind: "notice" | "error"; message: string } | null> {
  if (!value || !consoleEnabled(signer.config)) return null;
  const [body, sig] = value.split(".");
  if (!body || !sig || !safeEqual(hmac((await consoleKeys(signer)).flash, body), sig)) return null;
  try {
    const [kind, message] = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as [string, string];
    return kind === "notice" || kind === "error" ? { kind, message: String(message) } : null;
  } catch {
    return null;
  }
}
