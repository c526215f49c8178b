// The client address of the per-address limits, against the production build as it really serves (`next start`),
// with connections from distinct local addresses (127.0.0.2, 127.0.0.3, ... are all this machine). No browser:
// the requests are made the way a script testing cards would make them. Each configuration is its own app process
// (dev/testing/app-process.ts) with its own database; Stripe and Navixy are never reached (malformed bodies are
// counted before anything else is done).
import http from "node:http";
import path from "node:path";
import { test, expect } from "@playwright/test";
import { freshSqliteDatabase, startNextApp, type AppProcess } from "../dev/testing/app-process";
import { E2E_TMP } from "./support/env";

test.beforeEach(({}, testInfo) => {
  test.skip(testInfo.project.name !== "real", "one configuration is enough: the apps here are the test's own");
});

/** A POST with a malformed body from `from`, through a connection of its own. */
function attempt(app: AppProcess, from: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = "{not json";
    const req = http.request(
      {
        host: "127.0.0.1",
        port: app.port,
        path: "/api/payments",
        method: "POST",
        localAddress: from,
        agent: false,
        headers: { "content-type": "application/json", "content-length": String(body.length), ...headers },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function startApp(name: string, trustedProxies: string): Promise<AppProcess> {
  const dir = path.join(E2E_TMP, "client-address");
  const nowhere = "http://127.0.0.1:9";
  return startNextApp({
    name,
    logFile: path.join(dir, `${name}.log`),
    env: {
      ...process.env,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: freshSqliteDatabase(path.join(dir, `${name}.db`)),
      PUBLIC_URL: "http://127.0.0.1",
      STRIPE_SECRET_KEY: "sk_test_client_address",
      STRIPE_PUBLISHABLE_KEY: "pk_test_client_address",
      STRIPE_WEBHOOK_SECRET: "whsec_client_address",
      STRIPE_API_URL: nowhere,
      NAVIXY_API_URL: nowhere,
      NAVIXY_PANEL_LOGIN: "nobody",
      NAVIXY_PANEL_PASSWORD: "nothing",
      PAYMENT_CURRENCY: "EUR",
      WORKER_IN_SERVER: "false",
      SANDBOX: "0",
      RATE_LIMIT_PAYMENTS_PER_IP: "3/10m",
      TRUSTED_PROXIES: trustedProxies,
    },
  });
}

test.describe.serial("client address under next start", () => {
  let direct: AppProcess;
  let proxied: AppProcess;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    [direct, proxied] = await Promise.all([startApp("direct", "none"), startApp("proxied", "127.0.0.4")]);
  });
  test.afterAll(async () => {
    await Promise.all([direct?.stop(), proxied?.stop()]);
  });

  test("no proxy: two clients get a bucket each; X-Forwarded-For sent by a client changes nothing", async () => {
    for (let i = 0; i < 3; i++) expect(await attempt(direct, "127.0.0.2")).toBe(400);
    expect(await attempt(direct, "127.0.0.2")).toBe(429);
    expect(await attempt(direct, "127.0.0.2", { "x-forwarded-for": "198.51.100.9" })).toBe(429);
    expect(await attempt(direct, "127.0.0.2", { "x-forwarded-for": "198.51.100.9, 198.51.100.10" })).toBe(429);
    expect(await attempt(direct, "127.0.0.2", { "x-gateway-peer-address": "198.51.100.11" })).toBe(429);
    expect(await attempt(direct, "127.0.0.3")).toBe(400);
    expect(await attempt(direct, "127.0.0.3", { "x-forwarded-for": "127.0.0.2" })).toBe(400);
  });

  test("one proxy: the address it appended counts; a forged left entry or a way around it does not help", async () => {
    // The proxy at 127.0.0.4 appends its client's address.
    for (let i = 0; i < 3; i++) expect(await attempt(proxied, "127.0.0.4", { "x-forwarded-for": `10.9.9.${i}, 198.51.100.1` })).toBe(400);
    expect(await attempt(proxied, "127.0.0.4", { "x-forwarded-for": "192.0.2.1, 198.51.100.1" })).toBe(429);
    expect(await attempt(proxied, "127.0.0.4", { "x-forwarded-for": "198.51.100.2" })).toBe(400);
    // A client connecting to the app directly is counted by its own address, whatever it claims.
    for (let i = 0; i < 3; i++) expect(await attempt(proxied, "127.0.0.5", { "x-forwarded-for": `198.51.100.${50 + i}` })).toBe(400);
    expect(await attempt(proxied, "127.0.0.5", { "x-forwarded-for": "198.51.100.60" })).toBe(429);
    expect(await attempt(proxied, "127.0.0.5", { "x-gateway-peer-address": "127.0.0.4", "x-forwarded-for": "198.51.100.61" })).toBe(429);
  });
});
