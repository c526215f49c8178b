// The languages payers can read the gateway in: those of the Navixy user interface. Pure data, safe in the
// browser; lib/config validates PAYMENT_DEFAULT_LOCALE against it.

export const LOCALES = [
  "en",
  "ar",
  "cs",
  "de",
  "es",
  "fa",
  "fr",
  "he",
  "id",
  "it",
  "ja",
  "kk",
  "ko",
  "nl",
  "pl",
  "pt",
  "ro",
  "ru",
  "tr",
  "uk",
  "vi",
  "zh",
] as const;

export type Locale = (typeof LOCALES)[number];

/** Where every other choice ends. */
export const DEFAULT_LOCALE: Locale = "en";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

const RTL: ReadonlySet<Locale> = new Set<Locale>(["ar", "fa", "he"]);

/** Text direction of the page: right-to-left for Arabic, Persian and Hebrew. */
export function direction(locale: Locale): "ltr" | "rtl" {
  return RTL.has(locale) ? "rtl" : "ltr";
}

/** Each language in its own words, for the language switcher. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: "English",
  ar: "العربية",
  cs: "Čeština",
  de: "Deutsch",
  es: "Español",
  fa: "فارسی",
  fr: "Français",
  he: "עברית",
  id: "Bahasa Indonesia",
  it: "Italiano",
  ja: "日本語",
  kk: "Қазақ тілі",
  ko: "한국어",
  nl: "Nederlands",
  pl: "Polski",
  pt: "Português",
  ro: "Română",
  ru: "Русский",
  tr: "Türkçe",
  uk: "Українська",
  vi: "Tiếng Việt",
  zh: "中文",
};

/**
 * The Payment Element's `locale`: ours where Stripe.js has it (its StripeElementLocale list), else "auto"
 * (Stripe then follows the browser). Stripe has no Kazakh, Ukrainian or Persian.
 */
const STRIPE_LOCALES = new Set<Locale>(["ar", "cs", "de", "en", "es", "fr", "he", "id", "it", "ja", "ko", "nl", "pl", "pt", "ro", "ru", "tr", "vi", "zh"]);

export type StripeLocale = Exclude<Locale, "kk" | "uk" | "fa"> | "auto";

export function stripeLocale(locale: Locale): StripeLocale {
  return STRIPE_LOCALES.has(locale) ? (locale as StripeLocale) : "auto";
}
