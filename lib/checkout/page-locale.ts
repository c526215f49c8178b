// The language of a payer's page, decided once per request in proxy.ts: `?lang=`, the browser's Accept-Language,
// PAYMENT_DEFAULT_LOCALE, the dealer's locale in Navixy, English (lib/i18n/negotiate.ts). Navixy is asked only
// when nothing before it matched, and never for long (lib/navixy/dealer-locale.ts).
import { chooseLocale, type LocaleChoiceInput } from "../i18n/negotiate";
import type { Locale } from "../i18n/locales";
import { DealerLocale } from "../navixy/dealer-locale";
import type { NavixyPanelClient } from "../navixy";
import type { Config } from "../config";

const dealerLocales = new WeakMap<object, DealerLocale>();

/** One cache per Navixy client (per process and bundle, like the client itself). */
export function dealerLocaleOf(navixy: Pick<NavixyPanelClient, "readDealerInfo">): DealerLocale {
  let cache = dealerLocales.get(navixy);
  if (!cache) {
    cache = new DealerLocale(navixy);
    dealerLocales.set(navixy, cache);
  }
  return cache;
}

export async function choosePageLocale(
  services: { config: Pick<Config, "payments">; navixy: Pick<NavixyPanelClient, "readDealerInfo"> },
  request: Pick<LocaleChoiceInput, "query" | "acceptLanguage">,
): Promise<Locale> {
  const input: LocaleChoiceInput = { ...request, setting: services.config.payments.defaultLocale };
  const first = chooseLocale(input);
  if (first.source !== "default") return first.locale;
  return chooseLocale({ ...input, dealer: await dealerLocaleOf(services.navixy).get() }).locale;
}
