// The payer's terms for automatic top-up and the exact mandate text they agree to. Pure and free of Node
// APIs: the checkout (browser) shows the text made here in the payer's language, naming the dealer, the server makes
// it again from the same numbers and name (in that language: see acceptedMandateText in ./mandate.ts), refuses the
// enrolment if the two differ, and stores what the payer read. Amounts are written as the page writes money in that
// language (lib/money formatMoney: "25,00 €" in Russian, "€25.00" in English); the browser's Intl and the server's
// may differ only in the kind of space, which the comparison allows for.
import { formatMoney, toMajorString } from "../money";
import type { AmountLimits } from "../payments/limits";
import { english } from "../i18n/english";
import type { Translator } from "../i18n/translate";

export interface AutoTopUpTerms {
  /** Minor units added per top-up. */
  amount: number;
  /** Minor units: top up when the Navixy balance falls below this. */
  threshold: number;
  /** Minor units charged per calendar month (UTC), pending top-ups included. */
  monthlyLimit: number;
}

/** "25.00 EUR": the ledger's own records (a rule's events, the log), never what the payer reads. */
export function termAmount(minor: number, currency: string): string {
  return `${toMajorString(minor, currency)} ${currency.toUpperCase()}`;
}

/** An amount of the terms as the payer reads it: their language's money format, as everywhere on the page. */
export function termMoney(minor: number, currency: string, t: Translator = english): string {
  return formatMoney(minor, currency, t.locale);
}

function termWords(terms: AutoTopUpTerms, currency: string, t: Translator) {
  return { amount: termMoney(terms.amount, currency, t), threshold: termMoney(terms.threshold, currency, t), limit: termMoney(terms.monthlyLimit, currency, t) };
}

/** The checkbox's label: the terms in one line. */
export function optInLabel(terms: AutoTopUpTerms, currency: string, t: Translator = english): string {
  return t.t("autoTopUp.label", termWords(terms, currency, t));
}

/**
 * The authorisation the payer gives, shown next to the opt-in and stored with the rule word for word. It names the
 * dealer who will charge the card (its name on the payer's pages, lib/branding); without a known name, "this payment
 * service". A rule keeps the text it was agreed with: new wording applies to new agreements only.
 */
export function mandateText(terms: AutoTopUpTerms, currency: string, t: Translator = english, dealer: string | null = null): string {
  const name = dealer?.trim();
  return name ? t.t("autoTopUp.mandateNamed", { ...termWords(terms, currency, t), dealer: name }) : t.t("autoTopUp.mandate", termWords(terms, currency, t));
}

/** Largest threshold / monthly limit accepted, as a multiple of the largest single payment. */
export const MAX_THRESHOLD_FACTOR = 10;
export const MAX_LIMIT_FACTOR = 31;

/** What is wrong with these terms (a sentence for the payer, English by default), or null when they are acceptable. */
export function termsProblem(terms: AutoTopUpTerms, limits: AmountLimits, t: Translator = english): string | null {
  const { currency } = limits;
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!whole(terms.amount) || !whole(terms.threshold) || !whole(terms.monthlyLimit)) return t.t("terms.numbers");
  if (terms.amount < limits.min || terms.amount > limits.max) {
    return t.t("terms.amountRange", { min: termMoney(limits.min, currency, t), max: termMoney(limits.max, currency, t) });
  }
  if (terms.amount % limits.step !== 0) return t.t("terms.amountStep", { step: termMoney(limits.step, currency, t) });
  if (terms.threshold <= 0) return t.t("terms.thresholdPositive");
  if (terms.threshold > limits.max * MAX_THRESHOLD_FACTOR) {
    return t.t("terms.thresholdMax", { max: termMoney(limits.max * MAX_THRESHOLD_FACTOR, currency, t) });
  }
  if (terms.monthlyLimit < terms.amount) return t.t("terms.limitMin");
  if (terms.monthlyLimit > limits.max * MAX_LIMIT_FACTOR) {
    return t.t("terms.limitMax", { max: termMoney(limits.max * MAX_LIMIT_FACTOR, currency, t) });
  }
  return null;
}

/** Defaults the checkout proposes: the second preset (or the minimum), a threshold of one preset, four top-ups a month. */
export function defaultTerms(limits: AmountLimits): AutoTopUpTerms {
  const amount = limits.presets[1] ?? limits.presets[0] ?? limits.min;
  const threshold = limits.presets[0] ?? limits.min;
  return { amount, threshold, monthlyLimit: Math.min(amount * 4, limits.max * MAX_LIMIT_FACTOR) };
}
