// A tiny typed translator: one flat JSON file of messages per locale (lib/i18n/messages/<locale>.json, English
// is the reference), `{name}` placeholders, and numbers, dates and durations through Intl in that locale.
// Pure and safe in the browser: the page receives only its own locale's messages.
import type en from "./messages/en.json";
import { direction, type Locale } from "./locales";

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
export type Params = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** The placeholder names of a message, sorted, each once. */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/** Fills `{name}` placeholders; numbers are written in the locale. A missing value leaves its placeholder. */
export function format(template: string, params: Params | undefined, locale: Locale): string {
  if (!params) return template;
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? numberFormat(locale).format(value) : value;
  });
}

export interface Translator {
  readonly locale: Locale;
  readonly dir: "ltr" | "rtl";
  t(key: MessageKey, params?: Params): string;
  /** A number in the locale's digits and separators. */
  number(value: number, options?: Intl.NumberFormatOptions): string;
  /** A calendar date (UTC), e.g. "5 Mar 2026", "5. März 2026", "2026年3月5日". */
  date(value: Date): string;
  /** A wait, in seconds or minutes, with the unit written out: "45 seconds", "3 Minuten". */
  duration(seconds: number): string;
}

/**
 * A translator for `locale`. A key missing from `messages` (never the case for a shipped locale: the tests check
 * every file against English) falls back to `fallback`, then to the key itself.
 */
export function createTranslator(locale: Locale, messages: Partial<Messages>, fallback?: Partial<Messages>): Translator {
  return {
    locale,
    dir: direction(locale),
    t: (key, params) => format(messages[key] ?? fallback?.[key] ?? key, params, locale),
    number: (value, options) => (options ? new Intl.NumberFormat(locale, options) : numberFormat(locale)).format(value),
    date: (value) => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(value),
    duration: (seconds) => {
      const s = Math.max(0, Math.ceil(seconds));
      const [amount, unit] = s < 90 ? [s, "second"] : [Math.ceil(s / 60), "minute"];
      return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "long" }).format(amount);
    },
  };
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: Locale): Intl.NumberFormat {
  let f = numberFormats.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale);
    numberFormats.set(locale, f);
  }
  return f;
}

/**
 * Two amounts to show in "enter a number, for example {whole} or {decimal}", written as the payer writes numbers
 * (digits, decimal mark): 25 and 12.50, or 500 and 1000 for a currency without decimals.
 */
export function amountExamples(t: Translator, decimals: boolean): { whole: string; decimal: string } {
  const plain = { useGrouping: false } as const;
  return decimals
    ? { whole: t.number(25, plain), decimal: t.number(12.5, { ...plain, minimumFractionDigits: 2 }) }
    : { whole: t.number(500, plain), decimal: t.number(1000, plain) };
}

/**
 * What a payer types, with Arabic-Indic and Persian digits (and the Arabic decimal and thousands marks) turned into
 * ASCII, so "۱۲٫۵۰" reads as "12.50".
 */
export function asciiDigits(text: string): string {
  return text.replace(/[\u0660-\u0669\u06f0-\u06f9\u066b\u066c]/g, (c) => {
    const code = c.charCodeAt(0);
    if (code === 0x066b) return ".";
    if (code === 0x066c) return ",";
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}
