// Dealer console access. Two kinds of people sign in: the operator, with ADMIN_PASSWORD, who sees every dealer
// of the deployment (one at a time, switching between them) and adds or suspends dealers; and a dealer, with its
// own console password (Dealer.consolePasswordHash), who sees only its own dealer's rows. Sessions live in the
// AdminSession table, a signed cookie names one, CSRF tokens derive from each session's own secret, and a per-IP
// limit on sign-in attempts is kept in RateLimitWindow (so it holds across instances and restarts).
//
// Keys: ADMIN_PASSWORD is compared through scrypt (salt random per process: only the derived hash is
// compared); dealers' passwords through their stored scrypt hash (./password-hash.ts). Cookies are signed with a
// key from a random secret in the database (./console-secret.ts), never from a password: sessions
// survive a restart, every session ends when ADMIN_PASSWORD changes, and nothing a visitor is given can be used
// to test password guesses offline. The console is switched on by ADMIN_PASSWORD: a deployment has an operator.
import { createHmac, randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import type { Config } from "../config";
import type { Services } from "../server/services";
import { audit } from "./audit";
import { consoleKeys } from "./console-secret";
import { hitRateLimit } from "../security/rate-limit";
import { countRateLimited } from "../metrics";
import { DEFAULT_DEALER, findDealer } from "../dealers/directory";
import { verifyPassword } from "./password-hash";

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

/** "operator": ADMIN_PASSWORD, every dealer; "dealer": one dealer's own console password, that dealer only. */
export type ConsoleRole = "operator" | "dealer";

export interface AdminSessionInfo {
  id: string;
  csrfToken: string;
  role: ConsoleRole;
  /** The dealer the session works on: a dealer's own, or the one an operator switched to. */
  dealerId: string;
  /** Who did it, as written in the audit log. */
  actor: string;
  expiresAt: Date;
  /** The outcome of the session's last form, not shown yet (./console-flash.ts). */
  pendingFlash: string | null;
}

/** The audit log's name for a session: "operator:<id prefix>" or "dealer:<slug>:<id prefix>". */
export function actorOf(session: { id: string; role: ConsoleRole }, dealerSlug?: string): string {
  const short = session.id.slice(0, 8);
  return session.role === "operator" ? `operator:${short}` : `dealer:${dealerSlug ?? "?"}:${short}`;
}

// Sessions from before dealers had logins were all ADMIN_PASSWORD's, on the environment's dealer; a dealer's own
// login is never for the environment's dealer (it has no Dealer row), so such a row is an operator's.
function roleOf(row: { role: string; dealerId: string }): ConsoleRole {
  return row.role === "operator" || row.dealerId === DEFAULT_DEALER.id ? "operator" : "dealer";
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

/**
 * The live session a cookie value names: signed by us, in the table, not revoked, not expired; a dealer's session
 * also only while its dealer exists and is not suspended.
 */
export async function sessionFromCookie(services: Services, cookieValue: string | undefined, now = new Date()): Promise<AdminSessionInfo | null> {
  if (!consoleEnabled(services.config)) return null;
  const id = await verifySessionCookie(services, cookieValue);
  if (!id) return null;
  const row = await services.rootDb.adminSession.findUnique({ where: { id } });
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  const role = roleOf(row);
  let slug: string | undefined;
  if (role === "dealer") {
    // Read each time (a primary-key lookup): a suspension ends the dealer's console at once, not after a cache.
    const dealer = await services.rootDb.dealer.findUnique({ where: { id: row.dealerId }, select: { slug: true, status: true } });
    if (!dealer || dealer.status === "suspended") return null;
    slug = dealer.slug;
  }
  return { id: row.id, csrfToken: csrfTokenFor(row), role, dealerId: row.dealerId, actor: actorOf({ id: row.id, role }, slug), expiresAt: row.expiresAt, pendingFlash: row.flash };
}

export type LoginOutcome =
  | { kind: "ok"; session: AdminSessionInfo; cookie: string }
  | { kind: "wrong_password" }
  | { kind: "rate_limited"; retryAfterSeconds: number };

/**
 * A sign-in attempt: counted against the IP's limit first, then the password checked. With no dealer it is the
 * operator's (ADMIN_PASSWORD); with a dealer's slug, that dealer's own console password. An unknown dealer, one
 * without a console password, a suspended one and a wrong password all answer alike ("wrong_password"), after
 * the same work: the form does not tell which dealers exist.
 */
export async function login(
  services: Services,
  args: { password: string; dealer?: string | null; ip: string; userAgent?: string | null },
  now = new Date(),
): Promise<LoginOutcome> {
  const { config, rootDb } = services;
  const limit = await hitRateLimit(rootDb, `admin-login:ip:${args.ip}`, config.admin.loginLimit, now.getTime());
  if (!limit.allowed) {
    countRateLimited(DEFAULT_DEALER.slug, "admin_login");
    // One audit row per window and IP, not one per refused guess.
    if (limit.count === config.admin.loginLimit.limit + 1) {
      await audit(services.db, { actor: "anonymous", action: "login.rate_limited", ip: args.ip, comment: `more than ${config.admin.loginLimit.limit} attempts` });
    }
    return { kind: "rate_limited", retryAfterSeconds: limit.retryAfterSeconds };
  }
  const slug = args.dealer?.trim().toLowerCase() ?? "";
  let role: ConsoleRole = "operator";
  let dealerId = DEFAULT_DEALER.id;
  if (slug) {
    const dealer = slug.length <= 40 ? await findDealer(rootDb, slug) : null;
    const known = dealer && dealer.slug === slug && dealer.status !== "suspended" ? dealer : null;
    const matches = await verifyPassword(args.password, known?.consolePasswordHash);
    if (!known || !matches) {
      await audit(rootDb, { actor: "anonymous", action: "login.failed", ip: args.ip, target: slug.slice(0, 40), dealerId: known?.id ?? DEFAULT_DEALER.id });
      return { kind: "wrong_password" };
    }
    role = "dealer";
    dealerId = known.id;
  } else if (!checkPassword(config, args.password)) {
    await audit(services.db, { actor: "anonymous", action: "login.failed", ip: args.ip });
    return { kind: "wrong_password" };
  }
  const id = b64(randomBytes(32));
  const expiresAt = new Date(now.getTime() + config.admin.sessionTtlMs);
  const row = await rootDb.adminSession.create({
    data: {
      id,
      role,
      dealerId,
      createdAt: now,
      expiresAt,
      csrfSecret: b64(randomBytes(32)),
      ip: args.ip,
      userAgent: args.userAgent?.slice(0, 300) ?? null,
    },
  });
  const actor = actorOf({ id, role }, slug || undefined);
  await audit(rootDb, { actor, action: "login", ip: args.ip, dealerId, after: { sessionId: actor, role, expiresAt } });
  // Housekeeping: expired sessions and rate-limit windows are of no use to anyone.
  await rootDb.rateLimitWindow.deleteMany({ where: { expiresAt: { lt: now } } });
  await rootDb.adminSession.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 30 * 86_400_000) } } });
  return {
    kind: "ok",
    session: { id, csrfToken: csrfTokenFor(row), role, dealerId, actor, expiresAt, pendingFlash: null },
    cookie: sessionCookie(config, await signSessionId(services, id), Math.floor(config.admin.sessionTtlMs / 1000)),
  };
}

/** Revokes the session (idempotent). */
export async function logout(services: Services, session: AdminSessionInfo, ip: string, now = new Date()): Promise<void> {
  const { count } = await services.rootDb.adminSession.updateMany({ where: { id: session.id, revokedAt: null }, data: { revokedAt: now } });
  if (count > 0) await audit(services.rootDb, { actor: session.actor, action: "logout", ip, dealerId: session.dealerId });
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
