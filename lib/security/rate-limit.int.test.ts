// Card-testing defence on POST /api/payments: fixed windows per client address and per Navixy user, counted
// in the RateLimitWindow table so the limit holds across instances (here: two separate database clients).
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createDb } from "../db/client";
import { resetLoggerForTests } from "../logging/logger";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { hitRateLimit, pruneRateLimitWindows } from "./rate-limit";

describe.skipIf(databaseUnavailable())("rate limits on POST /api/payments", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      env: { RATE_LIMIT_PAYMENTS_PER_IP: "4/10m", RATE_LIMIT_PAYMENTS_PER_USER: "2/10m" },
      users: [
        { id: 10001, firstName: "Jane", lastName: "Smith", balance: "0.00" },
        { id: 10002, firstName: "Oleg", lastName: "Ivanov", balance: "0.00" },
        { id: 10003, firstName: "Ana", lastName: "Lopes", balance: "0.00" },
        { id: 10005, firstName: "Li", lastName: "Wei", balance: "0.00" },
      ],
    });
  });
  afterAll(async () => {
    await gw?.close();
  });

  const pay = (userId: number, ip: string, amount = 1000) =>
    gw.request("POST", "/api/payments", { userId, amount }, { "x-forwarded-for": ip });

  test("per user: the limit+1st attempt in a window is refused with 429, Retry-After and a clear message", async () => {
    expect((await pay(10001, "198.51.100.1")).status).toBe(201);
    expect((await pay(10001, "198.51.100.2")).status).toBe(201);
    const refused = await gw.request("POST", "/api/payments", { userId: 10001, amount: 1000 }, { "x-forwarded-for": "198.51.100.3" });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(refused.body.error.message).toMatch(/Too many payment attempts for this account\. Please wait \d+ (seconds|minutes)/);
    const res = await fetch(`${gw.url}/api/payments`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.4" },
      body: JSON.stringify({ userId: 10001, amount: 1000 }),
    });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(600);
    // Refused attempts created nothing.
    expect(await gw.services.db.payment.count({ where: { navixyUserId: 10001 } })).toBe(2);
    // Another user is not affected.
    expect((await pay(10002, "198.51.100.5")).status).toBe(201);
  });

  test("per client address (the X-Forwarded-For entry the proxy on loopback appended): malformed requests count too; other addresses are unaffected", async () => {
    const ip = "203.0.113.7";
    // Four attempts from one address, whatever their outcome (a card tester's garbage counts as well).
    expect((await pay(10003, ip)).status).toBe(201);
    expect((await gw.request("POST", "/api/payments", "{not json", { "x-forwarded-for": ip })).status).toBe(400);
    expect((await pay(10005, `192.0.2.99, ${ip}`)).status).toBe(201); // a client-chosen left hop changes nothing
    expect((await pay(999_999, ip)).status).toBe(404);
    const refused = await pay(10003, `10.0.0.1, ${ip}`);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "rate_limited" });
    expect(refused.body.error.message).toMatch(/from your network/);
    // The same users from another address go through (user 10003 has 1 of 2).
    expect((await pay(10003, "203.0.113.8")).status).toBe(201);
  });

  test("hits from several instances at once are counted exactly: the limit holds across them", async () => {
    const url = process.env.DATABASE_URL!;
    const a = createDb(url).db;
    const b = createDb(url).db;
    try {
      const limit = { limit: 20, windowMs: 60_000 };
      const now = Date.now();
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => hitRateLimit(i % 2 ? a : b, "test:concurrent", limit, now)),
      );
      expect(results.filter((r) => r.allowed)).toHaveLength(20);
      expect(results.map((r) => r.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      // The next window starts from zero.
      expect((await hitRateLimit(a, "test:concurrent", limit, now + 60_000)).count).toBe(1);
    } finally {
      await Promise.all([a.$disconnect(), b.$disconnect()]);
    }
  });

  test("expired windows are pruned", async () => {
    const { db } = gw.services;
    const long = Date.now() - 3_600_000;
    await hitRateLimit(db, "test:old", { limit: 5, windowMs: 60_000 }, long);
    expect(await db.rateLimitWindow.count({ where: { key: "test:old" } })).toBe(1);
    expect(await pruneRateLimitWindows(db)).toBeGreaterThanOrEqual(1);
    expect(await db.rateLimitWindow.count({ where: { key: "test:old" } })).toBe(0);
    expect(await db.rateLimitWindow.count({ where: { key: { startsWith: "payments:" } } })).toBeGreaterThan(0);
  });

  test("every line about a payment carries the request id and the payment id", async () => {
    const lines: Record<string, unknown>[] = [];
    try {
      process.env.LOG_LEVEL = "info";
      resetLoggerForTests(
        new Writable({
          write(chunk, _e, cb) {
            for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
            cb();
          },
        }),
      );
      const res = await gw.request("POST", "/api/payments", { userId: 10005, amount: 1500 }, { "x-forwarded-for": "192.0.2.50", "x-request-id": "int-test-req-1" });
      expect(res.status).toBe(201);
      const mine = lines.filter((l) => l.requestId === "int-test-req-1");
      expect(mine.length).toBeGreaterThanOrEqual(2);
      for (const l of mine) expect(l.paymentId).toBe(res.body.paymentId);
      expect(JSON.stringify(lines)).not.toContain(res.body.clientSecret);
    } finally {
      delete process.env.LOG_LEVEL;
      resetLoggerForTests();
    }
  });
});
