"use client";
// The payer's language for client components: the root layout passes the chosen locale and only that locale's
// messages the browser needs (lib/i18n/messages.ts clientMessages); useTranslator() gives every component the
// same typed translator (lib/i18n/translate.ts).
import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { Locale } from "@/lib/i18n/locales";
import { createTranslator, type Messages, type Translator } from "@/lib/i18n/translate";
import { english } from "@/lib/i18n/english";

const I18nContext = createContext<Translator>(english);

export function I18nProvider({ locale, messages, children }: { locale: Locale; messages: Partial<Messages>; children: ReactNode }) {
  const translator = useMemo(() => createTranslator(locale, messages), [locale, messages]);
  return <I18nContext.Provider value={translator}>{children}</I18nContext.Provider>;
}

/** The page's translator; English outside a provider (the dealer console's pages). */
export function useTranslator(): Translator {
  return useContext(I18nContext);
}
