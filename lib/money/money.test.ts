import { describe, expect, test } from "vitest";
import {
  amountStep,
  currencyExponent,
  formatMoney,
  parseMajorAmount,
  parseNavixyBalance,
  toMajorString,
  toNavixyAmount,
} from ".";

describe("currency exponents follow Stripe", () => {
  test.each([
    ["EUR", 2],
    ["usd", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["UGX", 0],
    ["KWD", 3],
    ["BHD", 3],
    ["ISK", 2],
  ] as const)("%s has %i decimals", (currency, exp) => expect(currencyExponent(currency)).toBe(exp));

  test("chargeable steps", () => {
    expect(amountStep("EUR")).toBe(1);
    expect(amountStep("KWD")).toBe(10);
    expect(amountStep("ISK")).toBe(100);
  });
});

describe("parseMajorAmount", () => {
  test("converts on digits, without floating point error", () => {
    expect(parseMajorAmount("0.29", "EUR")).toBe(29); // 0.29 * 100 = 28.999999999999996 in floats
    expect(parseMajorAmount("1.005", "KWD")).toBe(1005);
    expect(parseMajorAmount("12.5", "EUR")).toBe(1250);
    expect(parseMajorAmount("12.50", "EUR")).toBe(1250);
    expect(parseMajorAmount("500", "JPY")).toBe(500);
    expect(parseMajorAmount("500.00", "JPY")).toBe(500);
  });
  test("refuses what the currency cannot hold or is not a number", () => {
    expect(parseMajorAmount("12.345", "EUR")).toBeNull();
    expect(parseMajorAmount("500.5", "JPY")).toBeNull();
    for (const bad of ["", "-1", "1e3", "1,5", "abc", " ", "1.2.3", "0x10"]) expect(parseMajorAmount(bad, "EUR")).toBeNull();
  });
});

describe("toMajorString and toNavixyAmount", () => {
  test("major strings", () => {
    expect(toMajorString(1250, "EUR")).toBe("12.50");
    expect(toMajorString(5, "EUR")).toBe("0.05");
    expect(toMajorString(500, "JPY")).toBe("500");
    expect(toMajorString(12340, "KWD")).toBe("12.340");
    expect(toMajorString(-305, "EUR")).toBe("-3.05");
  });
  test("Navixy takes two decimals at most, signed", () => {
    expect(toNavixyAmount(2500, "EUR")).toBe("25.00");
    expect(toNavixyAmount(2500, "EUR", -1)).toBe("-25.00");
    expect(toNavixyAmount(500, "JPY")).toBe("500");
    expect(toNavixyAmount(12340, "KWD")).toBe("12.34");
    expect(() => toNavixyAmount(12345, "KWD")).toThrow(RangeError);
    expect(() => toNavixyAmount(12.5, "EUR")).toThrow(RangeError);
    expect(() => toNavixyAmount(-1, "EUR")).toThrow(RangeError);
  });
  test("Navixy balances back to minor units", () => {
    expect(parseNavixyBalance("12.5", "EUR")).toBe(1250);
    expect(parseNavixyBalance("-0.30", "EUR")).toBe(-30);
    expect(parseNavixyBalance("7", "JPY")).toBe(7);
    expect(parseNavixyBalance("x", "EUR")).toBeNull();
  });
});

describe("formatMoney", () => {
  test("uses the currency's symbol and decimals", () => {
    expect(formatMoney(1250, "EUR", "en")).toBe("€12.50");
    expect(formatMoney(500, "JPY", "en")).toBe("¥500");
    expect(formatMoney(12340, "KWD", "en").replace(/\s/g, " ")).toBe("KWD 12.340");
    expect(formatMoney(123456789012, "USD", "en")).toBe("$1,234,567,890.12");
  });
});
