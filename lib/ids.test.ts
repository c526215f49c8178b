import { describe, expect, it } from "vitest";
import {
  asPaymentId,
  asPaymentIntentId,
  isMovementId,
  isNavixyUserId,
  isPaymentId,
  isPaymentIntentId,
  isRuleId,
  newId,
  newMovementId,
  newPaymentId,
  type MovementId,
  type NavixyUserId,
  type PaymentId,
  type PaymentIntentId,
} from "./ids";

describe("newId", () => {
  it("is a prefix and 26 Crockford base32 characters", () => {
    const id = newId("pay");
    expect(isPaymentId(id)).toBe(true);
    expect(isRuleId(newId("atr"))).toBe(true);
    expect(newId("mv")).toMatch(/^mv_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(isPaymentId("pay_" + "i".repeat(26))).toBe(false); // i, l, o, u are not in the alphabet
  });

  it("sorts by creation time, so new rows share the last pages of an index", () => {
    const t = Date.UTC(2026, 10, 27, 12, 0, 0);
    const ids = [newId("mv", t + 1), newId("mv", t), newId("mv", t + 31), newId("mv", t + 32), newId("mv", t + 86_400_000)];
    expect([...ids].sort()).toEqual([ids[1], ids[0], ids[2], ids[3], ids[4]]);
    // The time part is the same for the same millisecond; the random part is not.
    const a = newId("pay", t);
    const b = newId("pay", t);
    expect(a.slice(0, 14)).toBe(b.slice(0, 14));
    expect(a).not.toBe(b);
  });

  it("keeps 80 random bits: a thousand ids of one millisecond are all different", () => {
    const t = Date.now();
    expect(new Set(Array.from({ length: 1000 }, () => newId("pay", t).slice(14))).size).toBe(1000);
  });

  it("encodes the time in the first ten characters", () => {
    expect(newId("pay", 0).slice(4, 14)).toBe("0000000000");
    expect(newId("pay", 32).slice(4, 14)).toBe("0000000010");
    expect(newId("pay", 2 ** 50 - 1).slice(4, 14)).toBe("zzzzzzzzzz");
  });
});

describe("ids the compiler tells apart", () => {
  // The @ts-expect-error lines are the test: `npm run typecheck` (and CI) fails if any of them compiles.
  it("a payment id, a PaymentIntent id, a movement id and a Navixy user id do not mix", () => {
    const payment: PaymentId = newPaymentId();
    const movement: MovementId = newMovementId();
    const intent: PaymentIntentId = asPaymentIntentId("pi_3Abc");
    // @ts-expect-error a PaymentIntent id is not a payment id
    const notPayment: PaymentId = intent;
    // @ts-expect-error a movement id is not a payment id
    const notPayment2: PaymentId = movement;
    // @ts-expect-error a payment id is not a PaymentIntent id
    const notIntent: PaymentIntentId = payment;
    // @ts-expect-error any string is not a payment id until it is checked
    const unchecked: PaymentId = "pay_123";
    // @ts-expect-error any number is not a Navixy user id until it is checked
    const user: NavixyUserId = 12345;
    expect([notPayment, notPayment2, notIntent, unchecked, user]).toHaveLength(5);
    // At run time they are the plain values.
    expect(typeof payment).toBe("string");
    expect(asPaymentId(payment)).toBe(payment);
  });

  it("checks each kind's shape where it enters", () => {
    expect(isPaymentId(newPaymentId())).toBe(true);
    expect(isMovementId(newMovementId())).toBe(true);
    expect(isMovementId(newPaymentId())).toBe(false);
    expect(isPaymentIntentId("pi_3NqA2b")).toBe(true);
    expect(isPaymentIntentId("pay_0000000000000000000000000a")).toBe(false);
    expect(isNavixyUserId(10001)).toBe(true);
    for (const bad of [0, -1, 1.5, 2 ** 31, Number.NaN]) expect(isNavixyUserId(bad)).toBe(false);
  });
});
