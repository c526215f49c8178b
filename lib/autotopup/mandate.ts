// The server's side of the mandate: the payer agreed to the text the checkout showed in their language, so an
// enrolment is accepted when its text is ours, word for word, for these terms in any of the payer's languages.
// Server only: it holds every language's messages.
import { allTranslators } from "../i18n/messages";
import { mandateText, type AutoTopUpTerms } from "./terms";

/** The text as sent when it is our mandate for these terms in one of the languages, else null. */
export function acceptedMandateText(terms: AutoTopUpTerms, currency: string, sent: string): string | null {
  return allTranslators().some((t) => mandateText(terms, currency, t) === sent) ? sent : null;
}
