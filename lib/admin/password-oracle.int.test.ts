// What an anonymous visitor of the dealer console receives must not let them test password guesses offline:
// no cookie, header, redirect or page may carry a MAC keyed by anything derived from ADMIN_PASSWORD. A signed
// "Wrong password." under an HKDF(password) key would be such an oracle: guesses checked at HMAC speed, with
// no scrypt and no login rate limit in the way. The console's keys come from a random secret in the database.
import { createHash, createHmac, hkdfSync } from "node:crypto";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { PEER_ADDRESS_HEADER } from "../security/client-address";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { createDb, type Db } from "../db/client";
import { SESSION_COOKIE, login, sessionFromCookie, signSessionId, verifySessionCookie } from "./auth";
import { ADMIN_PASSWORD } from "../../dev/testing/admin-support";
import { POST as loginRoute } from "../../app/admin/session/route";
import { POST as logoutRoute } from "../../app/admin/logout/route";
import { POST as actionRoute } from "../../app/admin/actions/[action]/route";
import { GET as exportRoute } from "../../app/admin/export/route";
import LoginPage from "../../app/admin/login/page";

// The login page is a Server Component: outside Next it reads an empty cookie jar (an anonymous visitor).
vi.mock("next/headers", () => ({ cookies: async () => ({ get: () => undefined }) }));

const skip = databaseUnavailable();

/** Every key the password could give by a fast derivation: itself, its SHA-256, HKDF under the console's labels. */
function passwordDerivedKeys(password: string): Buffer[] {
  const ikm = Buffer.from(password, "utf8");
  const hkdf = (info: string) => Buffer.from(hkdfSync("sha256", ikm, "navixy-gateway/admin", info, 32));
  return [ikm, createHash("sha256").update(ikm).digest(), hkdf("session-cookie/v1"), hkdf("flash-message/v1"), hkdf("csrf/v1")];
}

/**
 * The words of `received` (runs of base64url, hex and ':') that are an HMAC-SHA256, under one of `keys`,
 * of another word (alone or after the console's "session:" / "csrf:" prefixes), in base64url or hex.
 */
function macsUnder(keys: Buffer[], received: string[]): string[] {
  const words = new Set(received.flatMap((r) => safeDecode(r).split(/[^A-Za-z0-9_:-]+/)).filter(Boolean));
  const found: string[] = [];
  for (const key of keys) {
    for (const word of words) {
      for (const message of [word, `session:${word}`, `csrf:${word}`]) {
        const mac = createHmac("sha256", key).update(message, "utf8").digest();
        if (words.has(mac.toString("base64url")) || words.has(mac.toString("hex"))) found.push(message);
      }
    }
  }
  return found;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A response as the visitor sees it: status, every header (cookies included) and the body. */
async function seen(response: Response): Promise<string> {
  const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
  return `${response.status}\n${headers}\n\n${await response.text()}`;
}

async function loginPageHtml(params: Record<string, string>): Promise<string> {
  return renderToStaticMarkup(await LoginPage({ searchParams: Promise.resolve(params) }));
}

describe.skipIf(skip)("no offline password oracle for an anonymous visitor", () => {
  let gw: Gateway;
  let origin: string;
  const opened: Db[] = [];
  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { ADMIN_PASSWORD, RATE_LIMIT_ADMIN_LOGIN: "3/15m" } });
    origin = new URL(gw.url).origin;
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.$disconnect()));
    await gw?.close();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    new Request(`${gw.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin, [PEER_ADDRESS_HEADER]: "127.0.0.1", "x-forwarded-for": "198.51.100.40", ...headers },
      body,
    });

  test("failed sign-ins, the limit, refusals and the login page carry no MAC under a password-derived key", async () => {
    const received: string[] = [];
    const keep = async (response: Response) => {
      received.push(await seen(response.clone()));
      return response;
    };
    // Failed sign-ins until the limit answers, each followed to the page it sends the visitor to.
    for (let i = 0; i < 4; i++) {
      const failed = await keep(await loginRoute(post("/admin/session", `password=guess+number+${i}`)));
      const location = failed.headers.get("location");
      if (failed.status === 303 && location) {
        const url = new URL(location, gw.url);
        expect(url.pathname).toBe("/admin/login");
        const page = await loginPageHtml(Object.fromEntries(url.searchParams));
        expect(page).toContain("Wrong password.");
        received.push(page);
      }
    }
    expect(received.some((r) => r.startsWith("429"))).toBe(true);
    received.push(await loginPageHtml({}));
    await keep(await loginRoute(post("/admin/session", "password=x", { origin: "https://evil.example", "x-forwarded-for": "198.51.100.41" })));
    await keep(await loginRoute(post("/admin/session", "password=", { "x-forwarded-for": "198.51.100.42" })));
    await keep(await loginRoute(post("/admin/session", "{}", { "content-type": "application/json", "x-forwarded-for": "198.51.100.43" })));
    // Anonymous and forged-cookie requests to everything else the console serves.
    const forged = { cookie: `${SESSION_COOKIE}=${"a".repeat(43)}.${"b".repeat(43)}` };
    for (const headers of [{}, forged]) {
      await keep(await actionRoute(post("/admin/actions/retry", "movementId=mv_x", headers), { params: Promise.resolve({ action: "retry" }) }));
      await keep(await exportRoute(new Request(`${gw.url}/admin/export`, { headers })));
      await keep(await logoutRoute(post("/admin/logout", "", headers)));
    }

    expect(received.length).toBe(17); // 4 sign-ins and the 3 pages they led to, the bare page, 3 refused, 2 x 3 others
    expect(macsUnder(passwordDerivedKeys(ADMIN_PASSWORD), received)).toEqual([]);
  });

  test("the check itself finds such a MAC where there is one", () => {
    const [, , cookieKey] = passwordDerivedKeys(ADMIN_PASSWORD);
    const id = "c".repeat(43);
    const mac = createHmac("sha256", cookieKey!).update(`session:${id}`).digest("base64url");
    expect(macsUnder(passwordDerivedKeys(ADMIN_PASSWORD), [`set-cookie: ${SESSION_COOKIE}=${id}.${mac}; Path=/admin`])).toEqual([`session:${id}`]);
  });

  test("the keys in use are the database's random secret: same password, another secret, other signatures", async () => {
    const ok = await login(gw.services, { password: ADMIN_PASSWORD, ip: "192.0.2.40" });
    if (ok.kind !== "ok") throw new Error("login failed");
    const cookie = ok.cookie.split(";")[0]!.slice(SESSION_COOKIE.length + 1);
    // Even a signed-in person's cookie is not keyed by the password.
    expect(macsUnder(passwordDerivedKeys(ADMIN_PASSWORD), [cookie])).toEqual([]);

    // Another instance of the same database, after the secret is deleted: same password, a new secret.
    await gw.services.db.serverSecret.deleteMany({});
    const { db } = createDb(gw.services.config.databaseUrl);
    opened.push(db);
    const other = { ...gw.services, db };
    const id = "d".repeat(43);
    expect(await signSessionId(other, id)).not.toBe(await signSessionId(gw.services, id));
    expect(await verifySessionCookie(other, cookie)).toBeNull();
    expect(await sessionFromCookie(other, cookie)).toBeNull();
  });
});
