import { describe, expect, test } from "vitest";
import { canMovePayment, creditStateOf, paymentStatusFromIntent, PAYMENT_STATUSES } from "./states";

describe("PaymentIntent status mapping", () => {
  test.each([
    ["requires_payment_method", null, "awaiting_payment"],
    ["requires_payment_method", { code: "card_declined" }, "failed"],
    ["requires_confirmation", null, "awaiting_payment"],
    ["requires_action", null, "awaiting_payment"],
    ["processing", null, "processing"],
    ["requires_capture", null, "authorized"],
    ["succeeded", null, "succeeded"],
    ["canceled", null, "canceled"],
  ] as const)("%s (error %j) → %s", (status, error, expected) => {
    expect(paymentStatusFromIntent({ status, last_payment_error: error as never })).toBe(expected);
  });
  test("a PaymentIntent canceled as abandoned marks the payment abandoned", () => {
    expect(paymentStatusFromIntent({ status: "canceled", last_payment_error: null, cancellation_reason: "abandoned" })).toBe("abandoned");
    expect(paymentStatusFromIntent({ status: "canceled", last_payment_error: null, cancellation_reason: "requested_by_customer" })).toBe("canceled");
  });
  test("an unknown status is refused, not guessed", () => {
    expect(() => paymentStatusFromIntent({ status: "blocked" as never, last_payment_error: null })).toThrow(/Unexpected/);
  });
});

describe("payments only move forward", () => {
  test("the happy path", () => {
    expect(canMovePayment("created", "awaiting_payment")).toBe(true);
    expect(canMovePayment("awaiting_payment", "processing")).toBe(true);
    expect(canMovePayment("processing", "succeeded")).toBe(true);
    expect(canMovePayment("created", "succeeded")).toBe(true);
  });
  test("a late failure or stale read never undoes success", () => {
    expect(canMovePayment("succeeded", "failed")).toBe(false);
    expect(canMovePayment("succeeded", "awaiting_payment")).toBe(false);
    expect(canMovePayment("succeeded", "processing")).toBe(false);
    expect(canMovePayment("succeeded", "canceled")).toBe(false);
    expect(canMovePayment("processing", "awaiting_payment")).toBe(false);
  });
  test("a payer can fail and retry on one PaymentIntent", () => {
    expect(canMovePayment("awaiting_payment", "failed")).toBe(true);
    expect(canMovePayment("failed", "awaiting_payment")).toBe(true);
    expect(canMovePayment("failed", "succeeded")).toBe(true);
  });
  test("final states stay final and no status moves to itself", () => {
    for (const to of PAYMENT_STATUSES) {
      expect(canMovePayment("canceled", to)).toBe(false);
      expect(canMovePayment("refunded", to)).toBe(false);
      expect(canMovePayment(to, to)).toBe(false);
    }
  });
});

test("credit state seen by the payer", () => {
  expect(creditStateOf(null)).toBe("not_due");
  expect(creditStateOf({ state: "pending", needsAttention: false })).toBe("pending");
  expect(creditStateOf({ state: "unknown", needsAttention: false })).toBe("pending");
  expect(creditStateOf({ state: "sending", needsAttention: true })).toBe("needs_attention");
  expect(creditStateOf({ state: "applied", needsAttention: false })).toBe("credited");
  expect(creditStateOf({ state: "failed", needsAttention: true })).toBe("needs_attention");
});
