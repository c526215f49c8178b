// The client address the per-address limits count, over real connections from distinct local addresses
// (127.0.0.2, 127.0.0.3, ... are all this machine). The route handlers get the connection's own address as the
// server stamps it (lib/server/peer-address.ts; the harness does the same); e2e/client-address.spec.ts shows
// the same against `next start`. Malformed bodies are enough: the per-address count comes before anything else.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";

const skip = databaseUnavailable();

async function withGateway(env: Record<string, string>): Promise<Gateway> {
  return startGateway({ worker: false, env: { RATE_LIMIT_PAYMENTS_PER_IP: "3/10m", ...env } });
}

describe.skipIf(skip)("without a proxy (TRUSTED_PROXIES=none)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await withGateway({ TRUSTED_PROXIES: "none" });
  });
  afterAll(async () => gw?.close());

  const attempt = (from: string, headers: Record<string, string> = {}) => gw.request("POST", "/api/payments", "{garbage", headers, { from });

  test("two clients get a bucket each, and X-Forwarded-For sent by a client changes nothing", async () => {
    for (let i = 0; i < 3; i++) expect((await attempt("127.0.0.2")).status).toBe(400);
    expect((await attempt("127.0.0.2")).status).toBe(429);
    // Naming another address does not get the client a fresh count.
    expect((await attempt("127.0.0.2", { "x-forwarded-for": "198.51.100.9" })).status).toBe(429);
    expect((await attempt("127.0.0.2", { "x-forwarded-for": "198.51.100.9, 198.51.100.10" })).status).toBe(429);
    // Another client is not blocked by the first.
    expect((await attempt("127.0.0.3")).status).toBe(400);
    expect((await attempt("127.0.0.3", { "x-forwarded-for": "127.0.0.2" })).status).toBe(400);
  });
});

describe.skipIf(skip)("behind proxies (TRUSTED_PROXIES=127.0.0.4, 127.0.0.6)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await withGateway({ TRUSTED_PROXIES: "127.0.0.4, 127.0.0.6" });
  });
  afterAll(async () => gw?.close());

  const attempt = (from: string, forwardedFor: string) => gw.request("POST", "/api/payments", "{garbage", { "x-forwarded-for": forwardedFor }, { from });

  test("through the proxy: the address it appended counts, whatever the client put to its left", async () => {
    for (let i = 0; i < 3; i++) expect((await attempt("127.0.0.4", `10.9.9.${i}, 198.51.100.1`)).status).toBe(400);
    expect((await attempt("127.0.0.4", "192.0.2.1, 198.51.100.1")).status).toBe(429);
    expect((await attempt("127.0.0.4", "198.51.100.2")).status).toBe(400);
  });

  test("two proxies in a row: the client each passed on, not the nearer proxy's address", async () => {
    for (let i = 0; i < 3; i++) expect((await attempt("127.0.0.4", `203.0.113.${i}, 198.51.100.3, 127.0.0.6`)).status).toBe(400);
    expect((await attempt("127.0.0.4", "198.51.100.3, 127.0.0.6")).status).toBe(429);
    // Another client behind the same two proxies has its own count.
    expect((await attempt("127.0.0.4", "198.51.100.4, 127.0.0.6")).status).toBe(400);
  });

  test("a client reaching the app around the proxy is counted by its own address, whatever it claims", async () => {
    for (let i = 0; i < 3; i++) expect((await attempt("127.0.0.5", `198.51.100.${50 + i}`)).status).toBe(400);
    expect((await attempt("127.0.0.5", "198.51.100.60")).status).toBe(429);
    // ...and claiming to be the proxy's client does not spend that client's count.
    expect((await attempt("127.0.0.4", "198.51.100.50")).status).toBe(400);
  });
});
