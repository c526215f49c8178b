import { describe, expect, test } from "vitest";
import { amountLimits } from "@/lib/payments/limits";
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
