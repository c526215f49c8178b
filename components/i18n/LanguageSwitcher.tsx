"use client";
// A small <select> of the payer's languages. Choosing one reloads the same page with `lang` set and every other
// query field kept (the checkout's `id`, the return page's payment_intent...): a full load, so that the server
// renders the page, its <html lang dir> and Stripe's Payment Element in that language.
import { useId } from "react";
import { LOCALES, LOCALE_NAMES, type Locale } from "@/lib/i18n/locales";
import { useTranslator } from "./I18nProvider";

export function LanguageSwitcher() {
  const t = useTranslator();
  const id = useId();
  const go = (locale: Locale | string) => {
    const url = new URL(window.location.href);
    url.searchParams.set("lang", locale);
    window.location.assign(url.toString());
  };
  return (
    <form
      className="lang"
      method="get"
      data-testid="language-switcher"
      onSubmit={(e) => {
        e.preventDefault();
        go(new FormData(e.currentTarget).get("lang")?.toString() ?? t.locale);
      }}
    >
      <label htmlFor={id}>{t.t("language.label")}</label>
      <select id={id} name="lang" defaultValue={t.locale} data-testid="language-select" onChange={(e) => go(e.target.value)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </form>
  );
}
