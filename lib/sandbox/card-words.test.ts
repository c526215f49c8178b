import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { LOCALES } from "../i18n/locales";
import { placeholdersOf } from "../i18n/translate";
import { SANDBOX_CARD_WORDS, type SandboxCardWords } from "./card-words";

const KEYS = Object.keys(SANDBOX_CARD_WORDS.en).sort() as (keyof SandboxCardWords)[];

describe("the sandbox card form's words", () => {
  test.each(LOCALES.filter((l) => l !== "en"))("%s says everything English says, with the same placeholders, translated", (locale) => {
    const words = SANDBOX_CARD_WORDS[locale];
    expect(Object.keys(words).sort()).toEqual(KEYS);
    for (const key of KEYS) {
      expect(words[key].trim(), `${locale} ${key}`).not.toBe("");
      expect(placeholdersOf(words[key]), `${locale} ${key}`).toEqual(placeholdersOf(SANDBOX_CARD_WORDS.en[key]));
    }
    // Only the card code's name ("CVC") and the odd word shared with English may read the same.
    const same = KEYS.filter((key) => words[key] === SANDBOX_CARD_WORDS.en[key]);
    expect(same.filter((key) => key !== "cvcPlaceholder" && key !== "card"), `${locale} repeats English`).toEqual([]);
  });

  test("the sandbox Stripe.js's own English fallback is the English words, word for word", () => {
    const source = fs.readFileSync(path.join(import.meta.dirname, "assets", "sandbox-stripe.js"), "utf8");
    const block = source.slice(source.indexOf("var ENGLISH = {"), source.indexOf("};", source.indexOf("var ENGLISH = {")) + 1);
    const english = Function(`"use strict"; ${block.replace("var ENGLISH =", "return")}`)() as SandboxCardWords;
    expect(english).toEqual(SANDBOX_CARD_WORDS.en);
  });
});
