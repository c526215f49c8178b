import { describe, expect, test } from "vitest";
import { LOCALES } from "../i18n/locales";
import {
  amountStep,
  currencyExponent,
  formatMoney,
  formatNavixyBalance,
  moneyTemplate,
  parseConsoleAmount,
  parseMajorAmount,
  registerMoneyTemplate,
  renderMoneyTemplate,
  type MoneyTemplate,
  parseNavixyBalance,
  toMajorString,
  toNavixyAmount,
} from "./";

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

describe("Navixy balances with more decimals than the currency (prorated daily fees)", () => {
  // Rounded down, toward minus infinity: for a threshold t in whole minor units, floor(balance) < t exactly when
  // balance < t, so "below the threshold" is decided exactly.
  test.each([
    ["12.3456", "EUR", 1234],
    ["12.3500", "EUR", 1235],
    ["12.3499", "EUR", 1234],
    ["800.0000", "EUR", 80000],
    ["+7.5", "EUR", 750],
    ["0.0001", "EUR", 0],
    ["-0.0001", "EUR", -1],
    ["-12.3456", "EUR", -1235],
    ["-12.3400", "EUR", -1234],
    ["-0.0000", "EUR", 0],
    ["999.9999", "JPY", 999],
    ["1000.0000", "JPY", 1000],
    ["-0.5000", "JPY", -1],
    ["12.3456", "KWD", 12345],
    ["12.3450", "KWD", 12345],
    ["-12.3456", "KWD", -12346],
  ] as const)("%s %s → %i minor units", (text, currency, minor) => {
    expect(parseNavixyBalance(text, currency)).toBe(minor);
  });

  test("below a threshold exactly, whatever the currency", () => {
    const below = (text: string, threshold: number, currency: string) => parseNavixyBalance(text, currency)! < threshold;
    expect(below("12.3456", 1235, "EUR")).toBe(true);
    expect(below("12.3499", 1235, "EUR")).toBe(true);
    expect(below("12.3500", 1235, "EUR")).toBe(false);
    expect(below("12.3501", 1235, "EUR")).toBe(false);
    expect(below("-0.0001", 1, "EUR")).toBe(true);
    expect(below("999.9999", 1000, "JPY")).toBe(true);
    expect(below("1000.0000", 1000, "JPY")).toBe(false);
    expect(below("12.3499", 12350, "KWD")).toBe(true);
    expect(below("12.3500", 12350, "KWD")).toBe(false);
  });

  test("refuses what is not a decimal or too large to be exact", () => {
    for (const bad of ["", "1e3", "1,5", "12.", ".5", "--1", "NaN", "12.34.56", "99999999999999999.99"]) {
      expect(parseNavixyBalance(bad, "EUR"), bad).toBeNull();
    }
  });

  test("shown exactly, with at least the currency's decimals", () => {
    expect(formatNavixyBalance("12.3456", "EUR")).toBe("12.3456 EUR");
    expect(formatNavixyBalance("800.0000", "eur")).toBe("800.00 EUR");
    expect(formatNavixyBalance("12.5", "EUR")).toBe("12.50 EUR");
    expect(formatNavixyBalance("-0.3040", "EUR")).toBe("-0.304 EUR");
    expect(formatNavixyBalance("+007.10", "EUR")).toBe("7.10 EUR");
    expect(formatNavixyBalance("-0.0000", "EUR")).toBe("0.00 EUR");
    expect(formatNavixyBalance("500.0000", "JPY")).toBe("500 JPY");
    expect(formatNavixyBalance("500.2500", "JPY")).toBe("500.25 JPY");
    expect(formatNavixyBalance("12.3400", "KWD")).toBe("12.340 KWD");
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

describe("money templates: the server's way of writing money, for a browser whose Intl writes it otherwise", () => {
  const amounts = [0, 5, 99, 100, 1000, 1234, 12_345, 123_456, 1_234_567, 123_456_789, -1, -2500, -100_000_00];
  test.each(LOCALES)("%s: a template writes every amount exactly as Intl does", (locale) => {
    for (const currency of ["EUR", "USD", "JPY", "KWD", "ISK", "RUB", "IRR"]) {
      const template = moneyTemplate(locale, currency);
      for (const minor of amounts) {
        expect(renderMoneyTemplate(template, minor), `${locale} ${currency} ${minor}`).toBe(formatMoney(minor, currency, locale));
      }
    }
  });

  test("a template survives the trip to the browser (JSON) and, once registered, is how that language writes that currency", () => {
    const kazakh = JSON.parse(JSON.stringify(moneyTemplate("kk", "EUR"))) as MoneyTemplate;
    const server = formatMoney(123_456, "EUR", "kk");
    // What a browser without Kazakh data would write, and what it writes with the server's template.
    const strange: MoneyTemplate = { ...kazakh, locale: "xx-test", group: "'", digits: "0123456789".split("") };
    registerMoneyTemplate(strange);
    expect(formatMoney(123_456, "eur", "xx-test")).toBe(server.replace(/\s(?=\d{3},)/u, "'"));
    registerMoneyTemplate(null);
  });
});

describe("parseConsoleAmount: amounts typed into the dealer console (English), either decimal mark", () => {
  const minor = (text: string, currency = "EUR") => {
    const r = parseConsoleAmount(text, currency);
    return r.ok ? r.minor : r.problem;
  };
  test.each([
    ["30.5", 3050],
    ["30,5", 3050],
    ["30,50", 3050],
    [" 30.50 ", 3050],
    ["1,234.50", 123450],
    ["1.234,50", 123450],
    ["1 234,50", 123450],
    ["1\u00a0234.5", 123450],
    ["1,234,567", 123456700],
    ["1.234.567", 123456700],
    ["12", 1200],
    ["0,5", 50],
    ["0.500", 50],
  ])("%s EUR → %i", (text, expected) => {
    expect(minor(text)).toBe(expected);
  });

  test("a zero-decimal currency: a single comma or point before three digits separates thousands", () => {
    expect(minor("1,234", "JPY")).toBe(1234);
    expect(minor("1.234", "jpy")).toBe(1234);
    expect(minor("500", "JPY")).toBe(500);
    expect(minor("500,5", "JPY")).toBe('"500,5": JPY amounts have no decimals');
  });

  test("two readings are refused, naming both, rather than guessed", () => {
    expect(minor("1,234")).toBe('"1,234" could mean 1234 or 1.234 EUR: write 1234 without a separator, or the decimals after a point');
    expect(minor("1.500")).toBe('"1.500" could mean 1500 or 1.500 EUR: write 1500 without a separator, or the decimals after a point');
    expect(minor("1,234", "KWD")).toMatch(/could mean 1234 or 1\.234 KWD/);
  });

  test("too many decimals, and what is not an amount", () => {
    expect(minor("30,5555")).toBe('"30,5555": EUR amounts have at most 2 decimals');
    expect(minor("12.345,678")).toBe('"12.345,678": EUR amounts have at most 2 decimals');
    for (const text of ["", "abc", "-5", "+5", "5.", ",5", "1,2,3", "1,23.4,5", "1.234.5", "12,34,567", "1e3", "0x10", "3 0"]) {
      expect(parseConsoleAmount(text, "EUR").ok, text).toBe(false);
    }
    expect(minor("abc")).toBe('"abc" is not an amount in EUR: write it like 30.50');
  });
});
