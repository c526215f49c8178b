// The payer's terms for automatic top-up and the exact mandate text they agree to. Pure and free of Node
// APIs: the checkout (browser) shows the text made here in the payer's language, the server makes it again from
// the same numbers (in that language: see isMandateText in ./enrol.ts), refuses the enrolment if the two differ,
// and stores it. Amounts are written "25.00 EUR" (digits, no locale-dependent formatting), so the browser and the
// server always produce the same characters.
import { toMajorString } from "../money";
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

/** "25.00 EUR" */
export function termAmount(minor: number, currency: string): string {
  return `${toMajorString(minor, currency)} ${currency.toUpperCase()}`;
}

function termWords(terms: AutoTopUpTerms, currency: string) {
  return { amount: termAmount(terms.amount, currency), threshold: termAmount(terms.threshold, currency), limit: termAmount(terms.monthlyLimit, currency) };
}

/** The checkbox's label: the terms in one line. */
export function optInLabel(terms: AutoTopUpTerms, currency: string, t: Translator = english): string {
  return t.t("autoTopUp.label", termWords(terms, currency));
}

/** The authorisation the payer gives, shown next to the opt-in and stored with the rule word for word. */
export function mandateText(terms: AutoTopUpTerms, currency: string, t: Translator = english): string {
  return t.t("autoTopUp.mandate", termWords(terms, currency));
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
    return t.t("terms.amountRange", { min: termAmount(limits.min, currency), max: termAmount(limits.max, currency) });
  }
  if (terms.amount % limits.step !== 0) return t.t("terms.amountStep", { step: termAmount(limits.step, currency) });
  if (terms.threshold <= 0) return t.t("terms.thresholdPositive");
  if (terms.threshold > limits.max * MAX_THRESHOLD_FACTOR) {
    return t.t("terms.thresholdMax", { max: termAmount(limits.max * MAX_THRESHOLD_FACTOR, currency) });
  }
  if (terms.monthlyLimit < terms.amount) return t.t("terms.limitMin");
  if (terms.monthlyLimit > limits.max * MAX_LIMIT_FACTOR) {
    return t.t("terms.limitMax", { max: termAmount(limits.max * MAX_LIMIT_FACTOR, currency) });
  }
  return null;
}

/** Defaults the checkout proposes: the second preset (or the minimum), a threshold of one preset, four top-ups a month. */
export function defaultTerms(limits: AmountLimits): AutoTopUpTerms {
  const amount = limits.presets[1] ?? limits.presets[0] ?? limits.min;
  const threshold = limits.presets[0] ?? limits.min;
  return { amount, threshold, monthlyLimit: Math.min(amount * 4, limits.max * MAX_LIMIT_FACTOR) };
}
