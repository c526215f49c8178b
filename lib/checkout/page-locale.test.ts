import { describe, expect, test } from "vitest";
import type { NavixyDealerInfo } from "../navixy";
import { choosePageLocale } from "./page-locale";

function services(defaultLocale: "de" | undefined, dealerLocale: string) {
  let calls = 0;
  return {
    config: { payments: { defaultLocale } as never },
    navixy: {
      readDealerInfo: async (): Promise<NavixyDealerInfo> => {
        calls += 1;
        return { id: 1, title: "", locale: dealerLocale, domain: "", logo: "", favicon: "" };
      },
    },
    calls: () => calls,
  };
}

describe("the payer's page language", () => {
  test("?lang=, then Accept-Language, then PAYMENT_DEFAULT_LOCALE, without asking Navixy", async () => {
    const s = services("de", "ru_RU");
    expect(await choosePageLocale(s, { query: "fr", acceptLanguage: "es" })).toBe("fr");
    expect(await choosePageLocale(s, { query: null, acceptLanguage: "pt-BR,pt;q=0.9" })).toBe("pt");
    expect(await choosePageLocale(s, { query: "klingon", acceptLanguage: "th" })).toBe("de");
    expect(s.calls()).toBe(0);
  });

  test("then the dealer's locale in Navixy (read once), then English", async () => {
    const ru = services(undefined, "ru_RU");
    expect(await choosePageLocale(ru, { query: null, acceptLanguage: "th-TH" })).toBe("ru");
    expect(await choosePageLocale(ru, { query: null, acceptLanguage: null })).toBe("ru");
    expect(ru.calls()).toBe(1);
    const thai = services(undefined, "th_TH");
    expect(await choosePageLocale(thai, { query: null, acceptLanguage: null })).toBe("en");
  });
});
