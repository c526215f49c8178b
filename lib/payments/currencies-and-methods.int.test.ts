// Currency-aware crediting (zero- and three-decimal currencies) and the alternative balance/refill method.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";

const skip = databaseUnavailable();

async function payAndWait(gw: Gateway, userId: number, amount: number) {
  const { paymentId } = await gw.pay(userId, amount);
  await gw.waitCredited(paymentId);
  return gw.services.db.balanceMovement.findFirstOrThrow({ where: { paymentId }, include: { calls: { orderBy: { id: "asc" } } } });
}

describe.skipIf(skip)("a zero-decimal dealer currency (JPY)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ currency: "JPY", env: { PAYMENT_MIN_AMOUNT: "100", PAYMENT_MAX_AMOUNT: "100000", PAYMENT_AMOUNT_PRESETS: "500,1000" } });
  });
  afterAll(async () => gw?.close());

  test("¥500 is charged as 500 and credited as 500.00", async () => {
    const before = gw.navixy.balanceCents(10002);
    const movement = await payAndWait(gw, 10002, 500);
    expect(movement).toMatchObject({ amount: 500, currency: "jpy", navixyAmount: "500" });
    expect(gw.navixy.balanceCents(10002)).toBe(before + 500_00);
    expect(gw.stripeEmulator.paymentIntents().at(-1)).toMatchObject({ amount: 500, currency: "jpy" });
  });

  test("limits are in yen", async () => {
    const res = await gw.request("POST", "/api/payments", { userId: 10002, amount: 99 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("The amount must be between ¥100 and ¥100,000.");
  });
});

describe.skipIf(skip)("a three-decimal dealer currency (KWD)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ currency: "KWD", env: { PAYMENT_MIN_AMOUNT: "1", PAYMENT_MAX_AMOUNT: "500" } });
  });
  afterAll(async () => gw?.close());

  test("12.340 KWD is charged as 12340 and credited as 12.34", async () => {
    const before = gw.navixy.balanceCents(10001);
    const movement = await payAndWait(gw, 10001, 12340);
    expect(movement).toMatchObject({ amount: 12340, currency: "kwd", navixyAmount: "12.34" });
    expect(gw.navixy.balanceCents(10001)).toBe(before + 1234);
  });

  test("an amount Navixy's two decimals cannot hold is refused before anything is created", async () => {
    const intents = gw.stripeEmulator.paymentIntents().length;
    const res = await gw.request("POST", "/api/payments", { userId: 10001, amount: 12345 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("amount_out_of_range");
    expect(res.body.error.message).toMatch(/multiple of KWD\s0\.010/);
    expect(gw.stripeEmulator.paymentIntents()).toHaveLength(intents);
  });
});

describe.skipIf(skip)("crediting with balance/refill (NAVIXY_CREDIT_METHOD=refill)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ env: { NAVIXY_CREDIT_METHOD: "refill" } });
  });
  afterAll(async () => gw?.close());

  test("the credit goes through balance/refill with our reference as the comment", async () => {
    const before = gw.navixy.balanceCents(10003);
    const movement = await payAndWait(gw, 10003, 2000);
    expect(movement.calls.map((c) => [c.method, c.outcome])).toEqual([["refill", "applied"]]);
    expect(gw.navixy.balanceCents(10003)).toBe(before + 2000);
    expect(gw.navixy.user(10003)!.transactions.at(-1)?.text).toBe(movement.text);
  });

  test("a dropped connection after the refill applied is looked up, not refilled again", async () => {
    gw.navixy.addFault({ method: "balance/refill", times: 1, action: { type: "drop_after_apply" } });
    const before = gw.navixy.balanceCents(10001);
    const movement = await payAndWait(gw, 10001, 1500);
    expect(movement.calls.map((c) => [c.method, c.outcome])).toEqual([
      ["refill", "unknown"],
      ["transaction_list", "found"],
    ]);
    expect(gw.navixy.balanceCents(10001)).toBe(before + 1500);
  });
});
