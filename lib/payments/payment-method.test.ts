// How a payment was paid, read from the PaymentIntent the sync fetches: its latest charge (expanded in that same
// call), or a declined attempt's PaymentMethod; only what changed is written.
import type Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { paymentMethodFields, paymentMethodOf } from "./payment-method";

const intent = (fields: Record<string, unknown>) => ({ id: "pi_1", object: "payment_intent", latest_charge: null, last_payment_error: null, ...fields }) as unknown as Stripe.PaymentIntent;
const charge = (details: Record<string, unknown>) => ({ id: "ch_1", object: "charge", payment_method_details: details });
const NONE = { paymentMethodType: null, cardBrand: null, cardLast4: null, cardWallet: null };

describe("paymentMethodOf", () => {
  test("a card, a card in a wallet, a method without a card", () => {
    expect(paymentMethodOf(intent({ latest_charge: charge({ type: "card", card: { brand: "visa", last4: "4242", wallet: null } }) }))).toEqual({
      paymentMethodType: "card",
      cardBrand: "visa",
      cardLast4: "4242",
      cardWallet: null,
    });
    expect(paymentMethodOf(intent({ latest_charge: charge({ type: "card", card: { brand: "mastercard", last4: "4444", wallet: { type: "apple_pay", apple_pay: {} } } }) }))).toEqual({
      paymentMethodType: "card",
      cardBrand: "mastercard",
      cardLast4: "4444",
      cardWallet: "apple_pay",
    });
    expect(paymentMethodOf(intent({ latest_charge: charge({ type: "sepa_debit", sepa_debit: { last4: "3000" } }) }))).toEqual({ ...NONE, paymentMethodType: "sepa_debit" });
    expect(paymentMethodOf(intent({ latest_charge: charge({ type: "link", link: {} }) }))).toEqual({ ...NONE, paymentMethodType: "link" });
  });

  test("a declined attempt without its charge: the PaymentMethod of last_payment_error", () => {
    const declined = intent({ last_payment_error: { code: "card_declined", payment_method: { id: "pm_1", type: "card", card: { brand: "visa", last4: "0002", wallet: { type: "google_pay" } } } } });
    expect(paymentMethodOf(declined)).toEqual({ paymentMethodType: "card", cardBrand: "visa", cardLast4: "0002", cardWallet: "google_pay" });
  });

  test("nothing known: the charge only as an id (not expanded), or no attempt yet; odd values are not kept", () => {
    expect(paymentMethodOf(intent({ latest_charge: "ch_1" }))).toBeNull();
    expect(paymentMethodOf(intent({}))).toBeNull();
    expect(paymentMethodOf(intent({ latest_charge: charge({ type: "card", card: { brand: "<b>visa</b>", last4: "42a2" } }) }))).toEqual({ ...NONE, paymentMethodType: "card" });
  });
});

describe("paymentMethodFields: what the sync adds to its update", () => {
  const paid = intent({ latest_charge: charge({ type: "card", card: { brand: "visa", last4: "4242", wallet: null } }) });
  test("the fields that differ from what is stored, and none when nothing is new", () => {
    expect(paymentMethodFields(paid, NONE)).toEqual({ paymentMethodType: "card", cardBrand: "visa", cardLast4: "4242" });
    expect(paymentMethodFields(paid, { paymentMethodType: "card", cardBrand: "visa", cardLast4: "4242", cardWallet: null })).toEqual({});
    // Declined with one card, paid with another: the one that paid.
    expect(paymentMethodFields(paid, { paymentMethodType: "card", cardBrand: "visa", cardLast4: "0002", cardWallet: null })).toEqual({ cardLast4: "4242" });
    expect(paymentMethodFields(intent({ latest_charge: "ch_1" }), NONE)).toEqual({});
  });
});
