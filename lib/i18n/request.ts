// How the locale chosen for a request travels from proxy.ts to the pages and routes: one request header that the
// proxy always overwrites (a value sent by the browser never reaches a page). Absent on the dealer console, which
// stays in English.
import { isLocale, type Locale } from "./locales";

export const LOCALE_HEADER = "x-gateway-locale";

/** The locale the proxy chose for this request, or null (not a payer's page, or the proxy did not run). */
export function localeFromHeaders(headers: { get(name: string): string | null }): Locale | null {
  const value = headers.get(LOCALE_HEADER);
  return isLocale(value) ? value : null;
}
