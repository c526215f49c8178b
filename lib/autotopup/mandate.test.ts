import { expect, test } from "vitest";
import { translatorFor } from "../i18n/messages";
import { formatMoney } from "../money";
import { acceptedMandateText, comparableMandate } from "./mandate";
import { mandateText } from "./terms";

const terms = { amount: 2500, threshold: 1000, monthlyLimit: 10_000 };

test("the mandate the payer read in their language, naming the dealer, is accepted, word for word; anything else is not", () => {
  const german = mandateText(terms, "EUR", translatorFor("de"), "Acme GPS");
  expect(german).toContain(formatMoney(2500, "EUR", "de"));
  expect(german).toContain("Ich ermächtige Acme GPS,");
  expect(acceptedMandateText(terms, "EUR", german, "Acme GPS")).toBe(german);
  // Without the name (a page that did not know it yet): still ours.
  expect(acceptedMandateText(terms, "eur", mandateText(terms, "EUR"), "Acme GPS")).toBe(mandateText(terms, "EUR"));
  expect(acceptedMandateText(terms, "EUR", mandateText(terms, "EUR", translatorFor("ar"), "Acme GPS"), "Acme GPS")).not.toBeNull();
  // Another dealer's name, other terms, a tampered text, another currency, the old wording: refused.
  expect(acceptedMandateText(terms, "EUR", german, "Borealis Tracking")).toBeNull();
  expect(acceptedMandateText(terms, "EUR", german)).toBeNull();
  expect(acceptedMandateText({ ...terms, amount: 3000 }, "EUR", german, "Acme GPS")).toBeNull();
  expect(acceptedMandateText(terms, "EUR", german.replace("25,00", "250,00"), "Acme GPS")).toBeNull();
  expect(acceptedMandateText(terms, "USD", german, "Acme GPS")).toBeNull();
  expect(acceptedMandateText(terms, "EUR", "I agree to nothing", "Acme GPS")).toBeNull();
  const digits = mandateText(terms, "EUR").replace("€25.00", "25.00 EUR");
  expect(acceptedMandateText(terms, "EUR", digits, "Acme GPS")).toBeNull();
});

test("a browser's Intl may space amounts differently (no-break, narrow no-break) and add direction marks: the same words", () => {
  const french = mandateText(terms, "EUR", translatorFor("fr"), "Acme GPS");
  expect(french).toMatch(/25,00[\u00a0\u202f]€/);
  const asTyped = french.replace(/[\u00a0\u202f]/g, " ");
  expect(acceptedMandateText(terms, "EUR", asTyped, "Acme GPS")).toBe(asTyped);
  const persian = mandateText(terms, "EUR", translatorFor("fa"), "Acme GPS");
  expect(acceptedMandateText(terms, "EUR", persian.replace(/[\u200e\u200f]/g, ""), "Acme GPS")).not.toBeNull();
  expect(comparableMandate(" a\u00a0\u202f b\u200e ")).toBe("a b");
  // Spaces are not words: one more word is another text.
  expect(acceptedMandateText(terms, "EUR", `${asTyped} `, "Acme GPS")).not.toBeNull();
  expect(acceptedMandateText(terms, "EUR", `${asTyped} Oui.`, "Acme GPS")).toBeNull();
});
