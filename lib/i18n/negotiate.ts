// Which language a payer sees: `?lang=`, then the browser's Accept-Language, then PAYMENT_DEFAULT_LOCALE, then the
// dealer's locale in Navixy, then English. Pure: the caller reads the request, the settings and Navixy.
import { DEFAULT_LOCALE, isLocale, type Locale } from "./locales";

/** Old ISO 639 codes some systems (Java, Android) still send. */
const ALIASES: Record<string, Locale> = { iw: "he", in: "id", kz: "kk" };

/**
 * A language tag in any usual spelling ("de", "pt-BR", "zh-Hant-TW", "en_US", "RU_ru") → one of ours, or null.
 * Only the primary language counts: every region and script of a language gets that language.
 */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (typeof tag !== "string") return null;
  const primary = tag.trim().toLowerCase().split(/[-_.@]/)[0] ?? "";
  if (!/^[a-z]{2,3}$/.test(primary)) return null;
  if (isLocale(primary)) return primary;
  return ALIASES[primary] ?? null;
}

/**
 * The tags of an Accept-Language header, most wanted first (q-values; equal weights keep their order). Tags with
 * q=0 ("not this one") and "*" are left out. Bounded: a header is read up to 32 entries.
 */
export function parseAcceptLanguage(header: string | null | undefined): string[] {
  if (!header) return [];
  const entries: { tag: string; q: number; index: number }[] = [];
  for (const [index, part] of header.split(",").slice(0, 32).entries()) {
    const [rawTag, ...params] = part.trim().split(";");
    const tag = rawTag?.trim() ?? "";
    if (!tag || tag === "*") continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    entries.push({ tag, q: Math.min(q, 1), index });
  }
  return entries.sort((a, b) => b.q - a.q || a.index - b.index).map((e) => e.tag);
}

export type LocaleSource = "query" | "accept-language" | "setting" | "dealer" | "default";

export interface LocaleChoiceInput {
  /** `?lang=` of the URL. */
  query?: string | null | undefined;
  /** The browser's Accept-Language header. */
  acceptLanguage?: string | null | undefined;
  /** PAYMENT_DEFAULT_LOCALE. */
  setting?: string | null | undefined;
  /** The dealer's locale in Navixy ("en_US", "ru_RU"...). */
  dealer?: string | null | undefined;
}

export function chooseLocale(input: LocaleChoiceInput): { locale: Locale; source: LocaleSource } {
  const query = matchLocale(input.query);
  if (query) return { locale: query, source: "query" };
  for (const tag of parseAcceptLanguage(input.acceptLanguage)) {
    const match = matchLocale(tag);
    if (match) return { locale: match, source: "accept-language" };
  }
  const setting = matchLocale(input.setting);
  if (setting) return { locale: setting, source: "setting" };
  const dealer = matchLocale(input.dealer);
  if (dealer) return { locale: dealer, source: "dealer" };
  return { locale: DEFAULT_LOCALE, source: "default" };
}
