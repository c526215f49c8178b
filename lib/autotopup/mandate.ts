// The server's side of the mandate: the payer agreed to the text the checkout showed in their language, naming the
// dealer, so an enrolment is accepted when its text is ours, word for word, for these terms and this dealer (or
// without its name, as a page shows it while the name is not known) in any of the payer's languages. The browser
// writes the amounts with its own Intl: spaces inside them (no-break, narrow no-break) and invisible direction
// marks may differ from the server's, nothing else. Server only: it holds every language's messages.
import type { Config } from "../config";
import type { NavixyPanelClient } from "../navixy";
import { dealerBrand } from "../branding/dealer-brand";
import { allTranslators } from "../i18n/messages";
import { mandateText, type AutoTopUpTerms } from "./terms";

/** The dealer's name as its pages show it (lib/branding), or null when it is not known. */
export async function mandateDealerName(services: { config: Pick<Config, "brand">; navixy: Pick<NavixyPanelClient, "readDealerInfo" | "readServiceSettings"> }): Promise<string | null> {
  try {
    return (await dealerBrand(services)).name;
  } catch {
    return null;
  }
}

/** The text with every kind of space as one plain space and no invisible direction marks. */
export function comparableMandate(text: string): string {
  return text
    .normalize("NFC")
    .replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/[\s\u00a0\u2007\u2009\u202f]+/g, " ")
    .trim();
}

/** The text as sent (what the payer read) when it is our mandate for these terms and dealer in one of the languages, else null. */
export function acceptedMandateText(terms: AutoTopUpTerms, currency: string, sent: string, dealer: string | null = null): string | null {
  const wanted = comparableMandate(sent);
  const names = dealer?.trim() ? [dealer, null] : [null];
  return allTranslators().some((t) => names.some((name) => comparableMandate(mandateText(terms, currency, t, name)) === wanted)) ? sent : null;
}
