import { expect, test } from "vitest";
import type { CheckoutProps } from "@/lib/checkout/load-checkout";
import { decodeCheckoutHeader, encodeCheckoutHeader } from "./checkout-header";

const checkout: CheckoutProps = {
  userId: 10001,
  maskedName: "Ж*** Ś***",
  currency: "EUR",
  limits: { currency: "EUR", min: 500, max: 100000, step: 1, presets: [1000, 2500] },
  publishableKey: "pk_test_abc",
  returnUrl: "https://pay.example.com/payment/complete",
  captureManual: false,
};

test("round-trips through a Latin-1 header value, non-ASCII names included", () => {
  const header = encodeCheckoutHeader(checkout);
  expect(header).toMatch(/^[\x20-\x7e]+$/);
  expect(decodeCheckoutHeader(header)).toEqual(checkout);
});

test("anything else is refused", () => {
  for (const bad of [null, "", "%E0%A4%A", "not json", encodeURIComponent("{}"), encodeURIComponent(JSON.stringify({ ...checkout, returnUrl: "javascript:alert(1)" })), encodeURIComponent(JSON.stringify({ ...checkout, limits: { ...checkout.limits, presets: [-1] } }))]) {
    expect(decodeCheckoutHeader(bad)).toBeNull();
  }
});
