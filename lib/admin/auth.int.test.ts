// Console access: the password, signed cookies backed by AdminSession rows, expiry, logout, CSRF, the
// Origin check, the per-IP login limit, and the route handlers' 404 / 401 / 403 / 429 answers.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PEER_ADDRESS_HEADER } from "../security/client-address";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import {
  SESSION_COOKIE,
  checkCsrf,
  checkPassword,
  login,
  logout,
  sameOrigin,
  sessionFromCookie,
  signSessionId,
  verifySessionCookie,
} from "./auth";
import { ADMIN_PASSWORD, pendingFlash } from "../../dev/testing/admin-support";
import { POST as loginRoute } from "../../app/admin/session/route";
import { POST as logoutRoute } from "../../app/admin/logout/route";
import { POST as actionRoute } from "../../app/admin/actions/[action]/route";
import { GET as exportRoute } from "../../app/admin/export/route";

const skip = databaseUnavailable();

function cookieValue(setCookie: string): string {
  return setCookie.split(";")[0]!.split("=").slice(1).join("=");
}

function form(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams(fields);
}

describe.skipIf(skip)("console access", () => {
  let gw: Gateway;
  let origin: string;
  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { ADMIN_PASSWORD, RATE_LIMIT_ADMIN_LOGIN: "3/15m", ADMIN_SESSION_TTL: "1h" } });
    origin = new URL(gw.url).origin;
  });
  afterAll(async () => gw?.close());

  const post = (path: string, body: URLSearchParams, headers: Record<string, string> = {}) =>
    new Request(`${gw.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin, [PEER_ADDRESS_HEADER]: "127.0.0.1", "x-forwarded-for": "198.51.100.1", ...headers },
      body,
    });

  test("the password is checked in constant time against its hash", () => {
    expect(checkPassword(gw.services.config, ADMIN_PASSWORD)).toBe(true);
    expect(checkPassword(gw.services.config, `${ADMIN_PASSWORD} `)).toBe(false);
    expect(checkPassword(gw.services.config, "")).toBe(false);
  });

  test("a login makes a session row and a signed, HttpOnly, SameSite=Strict cookie for /admin; logout revokes it", async () => {
    const outcome = await login(gw.services, { password: ADMIN_PASSWORD, ip: "192.0.2.10", userAgent: "vitest" });
    expect(outcome.kind).toBe("ok");
    if (outcome.kind !== "ok") return;
    expect(outcome.cookie).toMatch(new RegExp(`^${SESSION_COOKIE}=[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}; Path=/admin; Max-Age=3600; HttpOnly; SameSite=Strict$`));
    expect(outcome.cookie).not.toContain("Secure"); // PUBLIC_URL is http here
    const value = cookieValue(outcome.cookie);
    const row = await gw.services.db.adminSession.findUniqueOrThrow({ where: { id: outcome.session.id } });
    expect(row).toMatchObject({ ip: "192.0.2.10", userAgent: "vitest", revokedAt: null });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(3_600_000);

    const session = await sessionFromCookie(gw.services, value);
    expect(session?.id).toBe(outcome.session.id);
    // Tampered or forged cookies name nothing.
    expect(await sessionFromCookie(gw.services, value.slice(0, -2) + (value.endsWith("AA") ? "BB" : "AA"))).toBeNull();
    expect(await verifySessionCookie(gw.services, `${"a".repeat(43)}.${"b".repeat(43)}`)).toBeNull();
    // A validly signed id with no row is nothing either.
    expect(await sessionFromCookie(gw.services, await signSessionId(gw.services, "c".repeat(43)))).toBeNull();
    // Expiry.
    expect(await sessionFromCookie(gw.services, value, new Date(Date.now() + 3_600_001))).toBeNull();

    await logout(gw.services, session!, "192.0.2.10");
    await logout(gw.services, session!, "192.0.2.10"); // idempotent
    expect(await sessionFromCookie(gw.services, value)).toBeNull();
    const audits = await gw.services.db.auditLog.findMany({ where: { actor: session!.actor }, orderBy: { id: "asc" } });
    expect(audits.map((a) => a.action)).toEqual(["login", "logout"]);
  });

  test("CSRF tokens belong to one session; Origin must be PUBLIC_URL's", async () => {
    const a = await login(gw.services, { password: ADMIN_PASSWORD, ip: "192.0.2.11" });
    const b = await login(gw.services, { password: ADMIN_PASSWORD, ip: "192.0.2.11" });
    if (a.kind !== "ok" || b.kind !== "ok") throw new Error("login failed");
    expect(checkCsrf(a.session, a.session.csrfToken)).toBe(true);
    expect(checkCsrf(a.session, b.session.csrfToken)).toBe(false);
    expect(checkCsrf(a.session, undefined)).toBe(false);
    const h = (o: Record<string, string>) => new Headers(o);
    expect(sameOrigin(gw.services.config, h({ origin }))).toBe(true);
    expect(sameOrigin(gw.services.config, h({ origin: "https://evil.example" }))).toBe(false);
    expect(sameOrigin(gw.services.config, h({ referer: `${origin}/admin/payments` }))).toBe(true);
    expect(sameOrigin(gw.services.config, h({}))).toBe(false);
  });

  test("routes: anonymous → 401, no CSRF token or another origin → 403, the token → the action runs", async () => {
    const anonymous = await actionRoute(post("/admin/actions/retry", form({ movementId: "mv_x" })), { params: Promise.resolve({ action: "retry" }) });
    expect(anonymous.status).toBe(401);
    expect((await exportRoute(new Request(`${gw.url}/admin/export`))).status).toBe(401);

    const ok = await login(gw.services, { password: ADMIN_PASSWORD, ip: "192.0.2.12" });
    if (ok.kind !== "ok") throw new Error("login failed");
    const cookie = `${SESSION_COOKIE}=${cookieValue(ok.cookie)}`;
    const ctx = { params: Promise.resolve({ action: "retry" }) };
    const noToken = await actionRoute(post("/admin/actions/retry", form({ movementId: "mv_x" }), { cookie }), ctx);
    expect(noToken.status).toBe(403);
    const wrongOrigin = await actionRoute(
      post("/admin/actions/retry", form({ movementId: "mv_x", csrf: ok.session.csrfToken }), { cookie, origin: "https://evil.example" }),
      { params: Promise.resolve({ action: "retry" }) },
    );
    expect(wrongOrigin.status).toBe(403);
    const done = await actionRoute(
      post("/admin/actions/retry", form({ movementId: "mv_missing", csrf: ok.session.csrfToken, back: "/admin/attention" }), { cookie }),
      { params: Promise.resolve({ action: "retry" }) },
    );
    expect(done.status).toBe(303);
    const location = new URL(done.headers.get("location")!, gw.url);
    expect(location.pathname).toBe("/admin/attention");
    // The error waits in the session for the next page, not in the address.
    expect(location.search).toBe("");
    expect(await pendingFlash(gw, ok.session.id)).toMatchObject({ kind: "error", message: "No movement mv_missing." });
    // A back link outside the console is not followed.
    const offsite = await actionRoute(
      post("/admin/actions/retry", form({ movementId: "mv_missing", csrf: ok.session.csrfToken, back: "//evil.example/admin" }), { cookie }),
      { params: Promise.resolve({ action: "retry" }) },
    );
    expect(offsite.headers.get("location")).toBe("/admin");

    const exported = await exportRoute(new Request(`${gw.url}/admin/export`, { headers: { cookie } }));
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toContain("text/csv");

    const out = await logoutRoute(post("/admin/logout", form({ csrf: ok.session.csrfToken }), { cookie }));
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect((await exportRoute(new Request(`${gw.url}/admin/export`, { headers: { cookie } }))).status).toBe(401);
  });

  test("login attempts are limited per IP: 429 with Retry-After and a clear message, other IPs unaffected", async () => {
    const ip = "198.51.100.77";
    const attempt = (password: string, from = ip) => loginRoute(post("/admin/session", form({ password }), { "x-forwarded-for": from }));
    const wrong = await attempt("wrong password!!");
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toBe("/admin/login?error=password"); // nothing signed for a visitor
    await attempt("wrong password!!");
    const third = await attempt(ADMIN_PASSWORD); // still within the limit of 3
    expect(third.status).toBe(303);
    expect(third.headers.get("location")).toBe("/admin");
    expect(third.headers.get("set-cookie")).toContain(`${SESSION_COOKIE}=`);
    const limited = await attempt(ADMIN_PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.text()).toMatch(/Too many sign-in attempts.*Try again in \d+ minute/s);
    expect((await attempt(ADMIN_PASSWORD, "198.51.100.78")).status).toBe(303);
    const audits = await gw.services.db.auditLog.findMany({ where: { ip } });
    expect(audits.map((a) => a.action).sort()).toEqual(["login", "login.failed", "login.failed", "login.rate_limited"]);
    // A login from another origin is refused before the password is looked at.
    expect((await loginRoute(post("/admin/session", form({ password: ADMIN_PASSWORD }), { origin: "https://evil.example", "x-forwarded-for": "198.51.100.79" }))).status).toBe(403);
  });

  test("sign-in attempts count against the payment limit's client address: what the proxy on loopback appended", async () => {
    const attempt = (headers: Record<string, string>) => loginRoute(post("/admin/session", form({ password: "wrong password!!" }), headers));
    // One address however its letters are cased, whatever the client put to its left.
    expect((await attempt({ "x-forwarded-for": "203.0.113.1, 2001:DB8::5" })).status).toBe(303);
    expect((await attempt({ "x-forwarded-for": "2001:db8::5" })).status).toBe(303);
    expect((await attempt({ "x-forwarded-for": "10.0.0.1, 2001:Db8::5" })).status).toBe(303);
    expect((await attempt({ "x-forwarded-for": "2001:db8::5" })).status).toBe(429);
    const audits = await gw.services.db.auditLog.findMany({ where: { ip: "2001:db8::5" } });
    expect(audits.map((a) => a.action).sort()).toEqual(["login.failed", "login.failed", "login.failed", "login.rate_limited"]);

    // X-Real-IP is the client's own word, never read; a last entry that is no address is not believed: such
    // attempts are counted by the proxy's own address (here 127.0.0.1).
    const direct: Record<string, string>[] = [
      { "x-forwarded-for": "", "x-real-ip": "192.0.2.201" },
      { "x-forwarded-for": "", "x-real-ip": "192.0.2.202" },
      { "x-forwarded-for": "192.0.2.203, not-an-address" },
      { "x-forwarded-for": "", "x-real-ip": "192.0.2.204" },
    ];
    const statuses = [];
    for (const headers of direct) statuses.push((await attempt(headers)).status);
    expect(statuses).toEqual([303, 303, 303, 429]);
    expect(await gw.services.db.auditLog.count({ where: { ip: "127.0.0.1", action: "login.failed" } })).toBe(3);
  });

  test("a request the server did not stamp with its connection's address is refused, not counted with others", async () => {
    const unstamped = post("/admin/session", form({ password: ADMIN_PASSWORD }), { "x-forwarded-for": "198.51.100.90" });
    unstamped.headers.delete(PEER_ADDRESS_HEADER);
    const res = await loginRoute(unstamped);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await gw.services.db.auditLog.count({ where: { ip: "198.51.100.90" } })).toBe(0);
  });
});

describe.skipIf(skip)("console switched off (no ADMIN_PASSWORD)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    delete process.env.ADMIN_PASSWORD;
    gw = await startGateway({ worker: false });
  });
  afterAll(async () => gw?.close());

  test("every console route answers 404", async () => {
    const origin = new URL(gw.url).origin;
    const req = (path: string) => new Request(`${gw.url}${path}`, { method: "POST", headers: { origin, "content-type": "application/x-www-form-urlencoded" }, body: "password=x" });
    expect((await loginRoute(req("/admin/session"))).status).toBe(404);
    expect((await actionRoute(req("/admin/actions/retry"), { params: Promise.resolve({ action: "retry" }) })).status).toBe(404);
    expect((await exportRoute(new Request(`${gw.url}/admin/export`))).status).toBe(404);
  });
});
