import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { formatMoney } from "../money";
import { renderErrorPage, checkoutError } from "../checkout/error-page";
import { english, ENGLISH_MESSAGES } from "./english";
import { DEFAULT_LOCALE, LOCALES, LOCALE_NAMES, direction, stripeLocale, type Locale } from "./locales";
import { CLIENT_NAMESPACES, MESSAGES, clientMessages, translatorFor } from "./messages";
import { SANDBOX_WORDS } from "../sandbox/words";
import { chooseLocale, matchLocale, parseAcceptLanguage } from "./negotiate";
import { asciiDigits, amountExamples, createTranslator, format, placeholdersOf, type MessageKey } from "./translate";

const DIR = path.join(import.meta.dirname, "messages");
const EN_KEYS = Object.keys(ENGLISH_MESSAGES).sort();

describe("messages: every language says everything English says", () => {
  test("the Navixy interface's 22 languages, one file each, no other file", () => {
    expect([...LOCALES].sort()).toEqual(["ar", "cs", "de", "en", "es", "fa", "fr", "he", "id", "it", "ja", "kk", "ko", "nl", "pl", "pt", "ro", "ru", "tr", "uk", "vi", "zh"]);
    expect(fs.readdirSync(DIR).sort()).toEqual(LOCALES.map((l) => `${l}.json`).sort());
    for (const l of LOCALES) expect(LOCALE_NAMES[l], l).toBeTruthy();
  });

  test.each(LOCALES.filter((l) => l !== "en"))("%s has exactly the keys of en, each with the same placeholders", (locale) => {
    // Read from disk too: the imported object is what ships, the file is what a translator edits.
    const file = JSON.parse(fs.readFileSync(path.join(DIR, `${locale}.json`), "utf8")) as Record<string, unknown>;
    expect(file).toEqual(MESSAGES[locale]);
    const messages = MESSAGES[locale] as Record<string, string>;
    expect(Object.keys(messages).sort()).toEqual(EN_KEYS);
    const mismatched = EN_KEYS.filter((key) => {
      const text = messages[key];
      return typeof text !== "string" || text.trim() === "" || placeholdersOf(text).join() !== placeholdersOf(ENGLISH_MESSAGES[key as MessageKey]).join();
    });
    expect(mismatched).toEqual([]);
    // Translated, not copied: only a few words ("Status", "OK") may read the same as in English.
    const same = EN_KEYS.filter((key) => messages[key] === ENGLISH_MESSAGES[key as MessageKey]);
    expect(same.length, `${locale} repeats English for ${same.join(", ")}`).toBeLessThanOrEqual(3);
  });

  test("placeholders are only {name}; no stray braces anywhere", () => {
    for (const locale of LOCALES) {
      for (const [key, text] of Object.entries(MESSAGES[locale])) {
        expect(text.replace(/\{[A-Za-z][A-Za-z0-9_]*\}/g, ""), `${locale} ${key}`).not.toMatch(/[{}]/);
      }
    }
  });
});

describe("what the browser gets", () => {
  const ROOT = path.join(import.meta.dirname, "..", "..");
  const browserFiles = (dir: string): string[] =>
    fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) return browserFiles(rel);
      return /\.(ts|tsx)$/.test(e.name) && !/\.test\./.test(e.name) ? [rel] : [];
    });

  test("every message the client code names is in the namespaces sent to the browser", () => {
    // Client components and the pure modules they use.
    const files = [...browserFiles("components"), "lib/autotopup/terms.ts", "lib/stripe/failures.ts"];
    const named = new Set<string>();
    for (const file of files) {
      for (const m of fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/["'`]([a-z][A-Za-z]*\.[A-Za-z_.]+)["'`]/g)) {
        if (m[1]! in ENGLISH_MESSAGES) named.add(m[1]!);
      }
    }
    expect(named.size).toBeGreaterThan(40);
    const outside = [...named].filter((key) => !(CLIENT_NAMESPACES as readonly string[]).includes(key.split(".")[0]!));
    expect(outside).toEqual([]);
    for (const key of named) expect(clientMessages("ko")[key as MessageKey], key).toBe(MESSAGES.ko[key as MessageKey]);
  });

  test("the sandbox's words are the sandbox's, in every language, never in the messages sent to the browser", () => {
    for (const locale of LOCALES) {
      const words = SANDBOX_WORDS[locale];
      for (const text of Object.values(words)) expect(text.trim(), locale).not.toBe("");
      if (locale !== "en") expect(words.banner, locale).not.toBe(SANDBOX_WORDS.en.banner);
      expect(JSON.stringify(clientMessages(locale))).not.toMatch(/sandbox/i);
    }
  });
});

describe("format and the translator", () => {
  test("fills placeholders, writes numbers in the locale, leaves unknown ones", () => {
    expect(format("Pay {amount}", { amount: "€5.00" }, "en")).toBe("Pay €5.00");
    expect(format("{n} and {n}", { n: 1234.5 }, "de")).toBe("1.234,5 and 1.234,5");
    expect(format("Hello {who}", {}, "en")).toBe("Hello {who}");
    expect(placeholdersOf("{b} {a} {b}")).toEqual(["a", "b"]);
  });

  test("a missing key falls back to English, then to the key", () => {
    const t = createTranslator("de", { "checkout.pay": "Bezahlen" }, ENGLISH_MESSAGES);
    expect(t.t("checkout.pay")).toBe("Bezahlen");
    expect(t.t("checkout.amount")).toBe("Amount");
    expect(createTranslator("de", {}).t("checkout.amount")).toBe("checkout.amount");
  });

  test("dates (UTC) and waits in the locale", () => {
    const d = new Date("2026-03-05T23:30:00Z");
    expect(english.date(d)).toBe("Mar 5, 2026");
    expect(translatorFor("de").date(d)).toBe("05.03.2026");
    expect(translatorFor("ja").date(d)).toBe("2026/03/05");
    expect(english.duration(45)).toBe("45 seconds");
    expect(english.duration(600)).toBe("10 minutes");
    expect(translatorFor("de").duration(120)).toBe("2 Minuten");
    expect(translatorFor("ru").duration(300)).toBe("5 минут");
  });

  test("what a payer types in Arabic-Indic or Persian digits reads as ASCII", () => {
    expect(asciiDigits("١٢٫٥٠")).toBe("12.50");
    expect(asciiDigits("۱۲٫۵")).toBe("12.5");
    expect(asciiDigits("25")).toBe("25");
    expect(amountExamples(english, true)).toEqual({ whole: "25", decimal: "12.50" });
    expect(amountExamples(translatorFor("de"), true)).toEqual({ whole: "25", decimal: "12,50" });
    expect(amountExamples(english, false)).toEqual({ whole: "500", decimal: "1000" });
    expect(asciiDigits(amountExamples(translatorFor("fa"), true).decimal)).toBe("12.50");
  });
});

describe("money through Intl in the payer's locale", () => {
  test("German: decimal comma, the sign after the amount", () => {
    expect(formatMoney(123456, "EUR", "de")).toBe("1.234,56\u00a0€");
  });

  test("Japanese: yen without decimals", () => {
    expect(formatMoney(500, "JPY", "ja")).toBe("￥500");
    expect(formatMoney(123456, "JPY", "ja")).toBe("￥123,456");
  });

  test("Arabic and Persian: their digits and marks, the amount exact", () => {
    const ar = formatMoney(2550, "EUR", "ar");
    // ICU writes Arabic with Western or Arabic-Indic digits depending on its CLDR version: either way 25.50.
    expect(asciiDigits(ar).replace(/[^\d.,]/g, "")).toMatch(/^25[.,]50$/);
    expect(ar).toContain("€");
    const fa = formatMoney(2550, "EUR", "fa");
    expect(fa).toMatch(/[۰-۹]/); // Persian digits
    expect(asciiDigits(fa).replace(/[^\d.]/g, "")).toBe("25.50");
  });

  test("English stays as it was", () => {
    expect(formatMoney(2500, "EUR", "en")).toBe("€25.00");
    expect(formatMoney(12340, "KWD", "en")).toBe("KWD\u00a012.340");
  });
});

describe("choosing the language", () => {
  test("tags in every usual spelling", () => {
    expect(matchLocale("de")).toBe("de");
    expect(matchLocale("pt-BR")).toBe("pt");
    expect(matchLocale("zh-Hant")).toBe("zh");
    expect(matchLocale("zh-Hant-TW")).toBe("zh");
    expect(matchLocale("en_US")).toBe("en");
    expect(matchLocale("RU_ru")).toBe("ru");
    expect(matchLocale("iw")).toBe("he");
    expect(matchLocale("in_ID")).toBe("id");
    for (const none of ["", "xx", "th", "*", "de!", null, undefined, "english"]) expect(matchLocale(none), String(none)).toBeNull();
  });

  test("Accept-Language by q-value, ties in order, q=0 and * left out", () => {
    expect(parseAcceptLanguage("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5")).toEqual(["fr-CH", "fr", "en", "de"]);
    expect(parseAcceptLanguage("en;q=0.2, ru;q=0.9, uk")).toEqual(["uk", "ru", "en"]);
    expect(parseAcceptLanguage("de;q=0, es")).toEqual(["es"]);
    expect(parseAcceptLanguage("")).toEqual([]);
    expect(parseAcceptLanguage(null)).toEqual([]);
  });

  test("?lang= first, then Accept-Language, then the setting, then the dealer, then English", () => {
    const all = { query: "de", acceptLanguage: "fr-FR,fr;q=0.9", setting: "es", dealer: "ru_RU" };
    expect(chooseLocale(all)).toEqual({ locale: "de", source: "query" });
    expect(chooseLocale({ ...all, query: "xx" })).toEqual({ locale: "fr", source: "accept-language" });
    expect(chooseLocale({ ...all, query: null, acceptLanguage: "th, *" })).toEqual({ locale: "es", source: "setting" });
    expect(chooseLocale({ ...all, query: null, acceptLanguage: null, setting: undefined })).toEqual({ locale: "ru", source: "dealer" });
    expect(chooseLocale({ dealer: "th_TH" })).toEqual({ locale: DEFAULT_LOCALE, source: "default" });
    expect(chooseLocale({})).toEqual({ locale: "en", source: "default" });
  });

  test("a language the browser ranks lower but we have wins over one we do not have", () => {
    expect(chooseLocale({ acceptLanguage: "th-TH, pt-BR;q=0.8, en;q=0.5" }).locale).toBe("pt");
    expect(chooseLocale({ acceptLanguage: "zh-Hant-HK;q=0.9, sv;q=1" }).locale).toBe("zh");
  });
});

describe("right to left", () => {
  test("Arabic, Hebrew and Persian are right-to-left, every other language left-to-right", () => {
    const rtl = LOCALES.filter((l) => direction(l) === "rtl");
    expect(rtl.sort()).toEqual(["ar", "fa", "he"]);
    expect(translatorFor("he").dir).toBe("rtl");
    expect(translatorFor("de").dir).toBe("ltr");
  });

  test.each(["ar", "he", "fa"] as Locale[])("the error pages in %s carry lang and dir=rtl", (locale) => {
    const t = translatorFor(locale);
    const html = renderErrorPage(checkoutError("not_found", t), { translator: t, languages: { action: "/", keep: [["id", "7"]] } });
    expect(html).toContain(`<html lang="${locale}" dir="rtl">`);
    expect(html).toContain(t.t("errorPage.notFound.title"));
  });
});

describe("Stripe's Payment Element", () => {
  test("gets our locale where Stripe has it, else auto", () => {
    expect(stripeLocale("de")).toBe("de");
    expect(stripeLocale("zh")).toBe("zh");
    expect(stripeLocale("he")).toBe("he");
    expect(stripeLocale("kk")).toBe("auto");
    expect(stripeLocale("uk")).toBe("auto");
    expect(stripeLocale("fa")).toBe("auto");
  });
});
