// Every language's messages, for the server: pages pass only their own locale's messages to the browser.
import ar from "./messages/ar.json";
import cs from "./messages/cs.json";
import de from "./messages/de.json";
import en from "./messages/en.json";
import es from "./messages/es.json";
import fa from "./messages/fa.json";
import fr from "./messages/fr.json";
import he from "./messages/he.json";
import id from "./messages/id.json";
import it from "./messages/it.json";
import ja from "./messages/ja.json";
import kk from "./messages/kk.json";
import ko from "./messages/ko.json";
import nl from "./messages/nl.json";
import pl from "./messages/pl.json";
import pt from "./messages/pt.json";
import ro from "./messages/ro.json";
import ru from "./messages/ru.json";
import tr from "./messages/tr.json";
import uk from "./messages/uk.json";
import vi from "./messages/vi.json";
import zh from "./messages/zh.json";
import { LOCALES, type Locale } from "./locales";
import { createTranslator, type Messages, type Translator } from "./translate";

// Typed as Messages: a file that lacks a key of English does not compile (the unit tests check the rest).
export const MESSAGES: Readonly<Record<Locale, Messages>> = { en, ar, cs, de, es, fa, fr, he, id, it, ja, kk, ko, nl, pl, pt, ro, ru, tr, uk, vi, zh };

const translators = new Map<Locale, Translator>();

export function translatorFor(locale: Locale): Translator {
  let t = translators.get(locale);
  if (!t) {
    t = createTranslator(locale, MESSAGES[locale], MESSAGES.en);
    translators.set(locale, t);
  }
  return t;
}

/**
 * The messages the browser needs (client components), without the server-rendered pages' own (error pages,
 * manage page, titles): the page sends only these, in its language.
 */
export const CLIENT_NAMESPACES = ["language", "checkout", "amount", "error", "apiError", "decline", "result", "autoTopUp", "terms"] as const;

const clientCache = new Map<Locale, Partial<Messages>>();

export function clientMessages(locale: Locale): Partial<Messages> {
  let m = clientCache.get(locale);
  if (!m) {
    const all = MESSAGES[locale];
    m = Object.fromEntries(
      Object.entries(all).filter(([key]) => (CLIENT_NAMESPACES as readonly string[]).includes(key.slice(0, key.indexOf(".")))),
    ) as Partial<Messages>;
    clientCache.set(locale, m);
  }
  return m;
}

/** One translator per language, English first. */
export function allTranslators(): Translator[] {
  return LOCALES.map(translatorFor);
}
