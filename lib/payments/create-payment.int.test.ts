// POST /api/payments refuses bad input with a clear 4xx and changes nothing: no ledger row, no PaymentIntent.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";

describe.skipIf(databaseUnavailable())("creating a payment", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { PAYMENT_MIN_AMOUNT: "5", PAYMENT_MAX_AMOUNT: "1000" }, worker: false });
  });
  afterAll(async () => gw?.close());
  beforeEach(async () => {
    gw.navixy.clearFaults();
    await gw.navixy.setOutage(false);
  });

  async function nothingCreated() {
    expect(await gw.services.db.payment.count()).toBe(0);
    expect(gw.stripeEmulator.paymentIntents()).toHaveLength(0);
  }

  test.each([
    ["not JSON", "{userId: 1", 400, "invalid_json"],
    ["no user id", { amount: 2500 }, 400, "invalid_user_id"],
    ["a negative user id", { userId: -5, amount: 2500 }, 400, "invalid_user_id"],
    ["a user id as text", { userId: "10001", amount: 2500 }, 400, "invalid_user_id"],
    ["a fractional amount", { userId: 10001, amount: 25.5 }, 400, "invalid_amount"],
    ["a zero amount", { userId: 10001, amount: 0 }, 400, "invalid_amount"],
    ["an array", [1, 2], 400, "invalid_request"],
  ])("%s → %i %s", async (_what, body, status, code) => {
    const res = await gw.request("POST", "/api/payments", body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toMatch(/\w+ \w+/);
    expect(res.text).not.toMatch(/at \w+ \(|node_modules|prisma/i);
    await nothingCreated();
  });

  test("an amount outside the limits says the allowed range in the currency", async () => {
    for (const amount of [499, 100001]) {
      const res = await gw.request("POST", "/api/payments", { userId: 10001, amount });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({ code: "amount_out_of_range", message: "The amount must be between €5.00 and €1,000.00." });
    }
    await nothingCreated();
  });

  test("a body that is not JSON is refused with 415", async () => {
    const res = await gw.request("POST", "/api/payments", undefined, { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    await nothingCreated();
  });

  test("an unknown user and a sub-user are 404", async () => {
    for (const userId of [99999, 10004]) {
      const res = await gw.request("POST", "/api/payments", { userId, amount: 2500 });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("user_not_found");
      expect(res.body.error.message).toMatch(/cannot be topped up here/);
    }
    await nothingCreated();
  });

  test("Navixy unreachable is 503", async () => {
    await gw.navixy.setOutage(true);
    const res = await gw.request("POST", "/api/payments", { userId: 10001, amount: 2500 });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("navixy_unavailable");
    await nothingCreated();
  });

  test("a valid request creates the ledger row, then one PaymentIntent with our metadata and idempotency key", async () => {
    const res = await gw.request("POST", "/api/payments", { userId: 10001, amount: 2500 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ amount: 2500, currency: "eur" });
    expect(res.body.paymentId).toMatch(/^pay_[0-9a-z]{26}$/);
    expect(res.body.clientSecret).toMatch(/^pi_\w+_secret_\w+$/);
    const intents = gw.stripeEmulator.paymentIntents();
    expect(intents).toHaveLength(1);
    expect(intents[0]).toMatchObject({
      amount: 2500,
      currency: "eur",
      automatic_payment_methods: { enabled: true },
      capture_method: "automatic",
      metadata: { navixy_user_id: "10001", payment_id: res.body.paymentId },
    });
    const payment = await gw.services.db.payment.findUniqueOrThrow({ where: { id: res.body.paymentId } });
    expect(payment).toMatchObject({ status: "awaiting_payment", amount: 2500, currency: "eur", navixyUserId: 10001, stripePaymentIntentId: intents[0]!.id });

    const status = await gw.request("GET", `/api/payments/${res.body.paymentId}`);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      paymentId: res.body.paymentId,
      status: "awaiting_payment",
      amount: 2500,
      currency: "eur",
      credited: false,
      creditState: "not_due",
      creditedAmount: 0,
      failureMessage: null,
    });
    expect(JSON.stringify(status.body)).not.toContain("10001");
  });

  test("unknown and malformed payment ids are 404", async () => {
    for (const id of ["pay_00000000000000000000000000", "nope", "pay_%27%20or%201%3D1"]) {
      const res = await gw.request("GET", `/api/payments/${id}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("payment_not_found");
    }
  });

  test("health is 200 with the database reachable", async () => {
    const res = await gw.request("GET", "/api/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });
});
