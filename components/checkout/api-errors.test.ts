import { describe, expect, test } from "vitest";
import { amountLimits } from "@/lib/payments/limits";
import { english } from "@/lib/i18n/english";
import { translatorFor } from "@/lib/i18n/messages";
import { apiErrorMessage, retryAfterSeconds } from "./api-errors";

const limits = amountLimits({ minAmount: "5", maxAmount: "1000", presets: [] }, "EUR");

describe("what the payer reads when the API refuses", () => {
  test("a code the page knows: its own words, in the payer's language", () => {
    const error = { code: "navixy_unavailable", message: "We cannot reach the balance service right now. Please try again in a minute." };
    expect(apiErrorMessage(error, english)).toBe(error.message);
    expect(apiErrorMessage(error, translatorFor("de"))).toBe("Der Guthabendienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einer Minute erneut.");
    expect(apiErrorMessage({ code: "invalid_json", message: "The request body is not valid JSON." }, translatorFor("es"))).toBe(
      "No se pudo iniciar el pago. Vuelva a cargar la página e inténtelo de nuevo.",
    );
  });

  test("an unknown code: the server's English message; nothing at all: the generic one", () => {
    expect(apiErrorMessage({ code: "something_new", message: "A new refusal." }, translatorFor("de"))).toBe("A new refusal.");
    expect(apiErrorMessage({}, translatorFor("de"))).toBe("Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.");
    expect(apiErrorMessage(null, english)).toBe("Something went wrong. Please try again.");
  });

  test("amount_out_of_range is worded from the page's limits, in the payer's money format", () => {
    const error = { code: "amount_out_of_range", message: "The amount must be between €5.00 and €1,000.00." };
    expect(apiErrorMessage(error, english, { amount: 100, limits })).toBe(error.message);
    expect(apiErrorMessage(error, translatorFor("de"), { amount: 100, limits })).toBe("Der Betrag muss zwischen 5,00\u00a0€ und 1.000,00\u00a0€ liegen.");
    // The page's limits allow it (they changed on the server meanwhile): the server's words.
    expect(apiErrorMessage(error, translatorFor("de"), { amount: 2500, limits })).toBe(error.message);
  });

  test("rate_limited says how long to wait, from Retry-After", () => {
    const error = { code: "rate_limited", message: "Too many payment attempts from your network. Please wait 45 seconds and try again." };
    expect(apiErrorMessage(error, english, { retryAfterSeconds: 45 })).toBe("Too many payment attempts. Please wait 45 seconds and try again.");
    expect(apiErrorMessage(error, translatorFor("ru"), { retryAfterSeconds: 300 })).toBe("Слишком много попыток оплаты. Подождите 5 минут и попробуйте снова.");
    expect(apiErrorMessage(error, translatorFor("ru"), {})).toBe(error.message);
    expect(retryAfterSeconds("120")).toBe(120);
    expect(retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT")).toBeNull();
    expect(retryAfterSeconds(null)).toBeNull();
  });
});
