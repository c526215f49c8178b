import { describe, expect, test } from "vitest";
import { declineText, methodText } from "./format";

const m = (paymentMethodType: string | null, cardBrand: string | null = null, cardLast4: string | null = null, cardWallet: string | null = null) =>
  methodText({ paymentMethodType, cardBrand, cardLast4, cardWallet });

describe("how a payment was paid, as a dealer reads it", () => {
  test("cards, wallets, other methods, and nothing recorded", () => {
    expect(m("card", "visa", "4242")).toBe("Visa •••• 4242");
    expect(m("card", "amex", "0005")).toBe("American Express •••• 0005");
    expect(m("card", "mastercard", "4444", "apple_pay")).toBe("Apple Pay · Mastercard •••• 4444");
    expect(m("card", "visa", "4242", "google_pay")).toBe("Google Pay · Visa •••• 4242");
    expect(m("card", "cartes_bancaires", "1234")).toBe("Cartes Bancaires •••• 1234");
    expect(m("card", "new_brand", "1234")).toBe("New brand •••• 1234");
    expect(m("sepa_debit")).toBe("SEPA Direct Debit");
    expect(m("link")).toBe("Link");
    expect(m("some_new_method")).toBe("Some new method");
    expect(m(null)).toBe("—");
  });

  test("a decline's reason in words", () => {
    expect(declineText("insufficient_funds")).toBe("insufficient funds");
    expect(declineText(null)).toBeNull();
  });
});
