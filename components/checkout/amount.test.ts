import { describe, expect, test } from "vitest";
import { amountLimits, amountProblem } from "@/lib/payments/limits";
import { translatorFor } from "@/lib/i18n/messages";
import { checkAmount, checkAmountInput, parseAmountInput, rangeText } from "./amount";

const eur = amountLimits({ minAmount: "5", maxAmount: "1000", presets: ["10", "25", "1000", "2000", "abc"] }, "EUR");

describe("limits from settings", () => {
  test("presets outside the limits are dropped", () => {
    expect(eur).toEqual({ currency: "EUR", min: 500, max: 100000, step: 1, presets: [1000, 2500, 100000] });
  });
  test("three-decimal currencies step by 0.010", () => {
    const kwd = amountLimits({ minAmount: "1.005", maxAmount: "10", presets: [] }, "KWD");
    expect(kwd).toMatchObject({ min: 1010, max: 10000, step: 10 });
  });
});

describe("what the payer types", () => {
  test.each([
    ["25", 2500],
    ["12.50", 1250],
    [" 12,5 ", 1250],
    ["12,50", 1250],
    ["1 000", 100000],
    ["1,000", null],
    ["12.505", null],
    ["abc", null],
    ["-5", null],
  ])("%j → %j", (text, expected) => expect(parseAmountInput(text, "EUR")).toBe(expected));

  test("messages match the server's", () => {
    expect(checkAmountInput("", eur)).toEqual({ amount: null, error: "Enter an amount." });
    expect(checkAmountInput("x", eur).error).toBe("Enter the amount as a number, for example 25 or 12.50.");
    expect(checkAmountInput("4.99", eur).error).toBe("The amount must be between €5.00 and €1,000.00.");
    expect(checkAmountInput("1000.01", eur).error).toBe("The amount must be between €5.00 and €1,000.00.");
    expect(checkAmount(2500, eur)).toEqual({ amount: 2500, error: null });
    expect(rangeText(eur)).toBe("Between €5.00 and €1,000.00");
  });
});

describe("in the payer's language", () => {
  test("in English the page's rule is the server's, word for word", () => {
    const kwd = amountLimits({ minAmount: "1.005", maxAmount: "10", presets: [] }, "KWD");
    for (const [amount, limits] of [[499, eur], [500, eur], [100_001, eur], [1005, kwd], [1010, kwd], [1015, kwd]] as const) {
      expect(checkAmount(amount, limits).error, String(amount)).toBe(amountProblem(amount, limits));
    }
  });

  test("German: decimal comma in what is shown and in what is typed", () => {
    const de = translatorFor("de");
    expect(rangeText(eur, de)).toBe("Zwischen 5,00\u00a0€ und 1.000,00\u00a0€");
    expect(checkAmountInput("x", eur, de).error).toBe("Geben Sie den Betrag als Zahl ein, zum Beispiel 25 oder 12,50.");
    expect(checkAmountInput("12,50", eur, de)).toEqual({ amount: 1250, error: null });
    expect(checkAmountInput("4", eur, de).error).toBe("Der Betrag muss zwischen 5,00\u00a0€ und 1.000,00\u00a0€ liegen.");
  });

  test("Persian and Arabic digits are read as typed", () => {
    expect(parseAmountInput("۱۲٫۵", "EUR")).toBe(1250);
    expect(parseAmountInput("٢٥", "EUR")).toBe(2500);
    const jpy = amountLimits({ minAmount: "100", maxAmount: "100000", presets: [] }, "JPY");
    expect(checkAmountInput("x", jpy, translatorFor("ja")).error).toBe("金額を数字で入力してください（例：500 または 1000）。");
  });
});
