// Whose bucket a payment attempt is counted in. The per-user limit belongs to a real user of one dealer: an id
// that dealer's Navixy does not know (or a sub-user) charges no per-user count, and a user of dealer A hit many
// times is not blocked at dealer B, where the same number is someone else. The per-address limit is counted per
// dealer too, and still before anything else, so probing ids stays limited.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { addHostedDealer } from "../../dev/testing/hosted-dealer";
import type { NavixyEmulator } from "../../dev/emulators/navixy/server";
import type { StripeEmulator } from "../../dev/emulators/stripe/server";

const B_KEYS = { secret: "sk_test_scope_b", publishable: "pk_test_scope_b", webhookSecret: "whsec_scope_b_signing_secret" };
const SECRETS_KEY = `k1:${Buffer.alloc(32, 9).toString("base64")}`;
const PER_USER = 3;

describe.skipIf(databaseUnavailable())("rate-limit buckets of two dealers", () => {
  let gw: Gateway;
  let navixyB: NavixyEmulator;
  let stripeB: StripeEmulator;
  let dealerB: string;

  beforeAll(async () => {
    gw = await startGateway({
      worker: false,
      env: { SECRETS_KEY, RATE_LIMIT_PAYMENTS_PER_USER: `${PER_USER}/10m`, RATE_LIMIT_PAYMENTS_PER_IP: "6/10m", RATE_LIMIT_AUTO_TOP_UP_PER_IP: "3/10m" },
      users: [
        { id: 10001, firstName: "Jane", lastName: "Smith", balance: "0.00" },
        { id: 10004, firstName: "Sub", lastName: "User", subUser: true },
      ],
    });
    const hosted = await addHostedDealer(B_KEYS);
    ({ navixy: navixyB, stripe: stripeB } = hosted);
    expect(hosted.report.dealer.status).toBe("active");
    dealerB = hosted.report.dealer.id;
    // The same number is a user of both dealers: two different people.
    navixyB.setUsers([{ id: 10001, firstName: "Bea", lastName: "Other", balance: "0.00" }]);
  }, 60_000);

  afterAll(async () => {
    await stripeB?.close();
    await navixyB?.close();
    await gw?.close();
  });

  /** Each attempt from its own address, so only the per-user limit can refuse it. */
  let address = 0;
  const pay = (path: string, userId: number) => gw.request("POST", path, { userId, amount: 1000 }, { "x-forwarded-for": `198.51.100.${++address}` });

  test("user 10001 hit at dealer A until refused is not blocked at dealer B", async () => {
    for (let i = 0; i < PER_USER; i++) expect((await pay("/api/payments", 10001)).status).toBe(201);
    for (let i = 0; i < 8; i++) expect((await pay("/api/payments", 10001)).status).toBe(429);
    // B's user 10001 is someone else: nothing of A's count applies.
    const atB = await pay("/d/dealer-b/api/payments", 10001);
    expect(atB.status, atB.text).toBe(201);
    expect(await gw.services.rootDb.payment.count({ where: { dealerId: dealerB, navixyUserId: 10001 } })).toBe(1);
  });

  test("an id dealer A's Navixy does not know, and a sub-user, charge nothing per user", async () => {
    for (let i = 0; i < 3 * PER_USER; i++) {
      expect((await pay("/api/payments", 30001)).status).toBe(404);
      expect((await pay("/api/payments", 10004)).status).toBe(404);
    }
    // 30001 becomes a user of A (a new account): its first payments go through.
    gw.navixy.setUsers([{ id: 30001, firstName: "New", lastName: "Comer", balance: "0.00" }]);
    const res = await pay("/api/payments", 30001);
    expect(res.status, res.text).toBe(201);
    const keys = (await gw.services.rootDb.rateLimitWindow.findMany({ select: { key: true } })).map((r) => r.key);
    expect(keys.filter((k) => /user:10004$/.test(k))).toEqual([]);
    expect(keys.filter((k) => /user:30001$/.test(k))).toHaveLength(1);
  });

  test("the per-address count comes before anything else and is the dealer's own", async () => {
    const from = { "x-forwarded-for": "203.0.113.77" };
    // Probing ids (all unknown) from one address is still limited.
    for (let i = 0; i < 6; i++) expect((await gw.request("POST", "/api/payments", { userId: 40000 + i, amount: 1000 }, from)).status).toBe(404);
    expect((await gw.request("POST", "/api/payments", { userId: 40010, amount: 1000 }, from)).status).toBe(429);
    expect((await gw.request("POST", "/api/payments", "{garbage", from)).status).toBe(429);
    // The same address at dealer B has its own count.
    const atB = await gw.request("POST", "/d/dealer-b/api/payments", { userId: 20001, amount: 1000 }, from);
    expect(atB.status, atB.text).toBe(201);
  });

  test("the checkout's automatic top-up look-ups are limited per address, and per dealer", async () => {
    const from = { "x-forwarded-for": "203.0.113.88" };
    const look = (path: string, userId: number) => gw.request("GET", `${path}?userId=${userId}`, undefined, from);
    for (let i = 0; i < 3; i++) expect((await look("/api/topup/checkout", 10001 + i)).status).toBe(200);
    const limited = await look("/api/topup/checkout", 10001);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect((await gw.request("POST", "/api/topup/confirm", { userId: 10001 }, from)).status).toBe(429);
    expect((await look("/d/dealer-b/api/topup/checkout", 10001)).status).toBe(200);
  });
});
