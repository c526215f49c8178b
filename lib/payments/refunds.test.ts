import { expect, test } from "vitest";
import { REFUND_STATUSES, refundEffect } from "./refunds";

test("every Stripe refund status has an explicit meaning for the balance", () => {
  expect(Object.fromEntries(REFUND_STATUSES.map((s) => [s, refundEffect(s)]))).toEqual({
    pending: "debit",
    requires_action: "wait",
    succeeded: "debit",
    failed: "void",
    canceled: "void",
  });
});

test("an unknown refund status is refused, not guessed", () => {
  expect(() => refundEffect("reversed")).toThrow(/Unknown Stripe refund status/);
  expect(() => refundEffect(null)).toThrow(/Unknown Stripe refund status/);
});
