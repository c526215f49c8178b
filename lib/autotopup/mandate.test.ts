import { expect, test } from "vitest";
import { translatorFor } from "../i18n/messages";
import { acceptedMandateText } from "./mandate";
import { mandateText } from "./terms";

const terms = { amount: 2500, threshold: 1000, monthlyLimit: 10_000 };

test("the mandate the payer read in their language is accepted, word for word; anything else is not", () => {
  const german = mandateText(terms, "EUR", translatorFor("de"));
  expect(german).toContain("25.00 EUR");
  expect(german).toContain("Ich ermächtige");
  expect(acceptedMandateText(terms, "EUR", german)).toBe(german);
  expect(acceptedMandateText(terms, "eur", mandateText(terms, "EUR"))).toBe(mandateText(terms, "EUR"));
  expect(acceptedMandateText(terms, "EUR", mandateText(terms, "EUR", translatorFor("ar")))).not.toBeNull();
  // Other terms, a tampered text, another currency: refused.
  expect(acceptedMandateText({ ...terms, amount: 3000 }, "EUR", german)).toBeNull();
  expect(acceptedMandateText(terms, "EUR", german.replace("25.00", "250.00"))).toBeNull();
  expect(acceptedMandateText(terms, "USD", german)).toBeNull();
  expect(acceptedMandateText(terms, "EUR", "I agree to nothing")).toBeNull();
});
