// The payer's terms for automatic top-up and the exact mandate text they agree to. Pure and free of Node
// APIs: the checkout (browser) shows the text made here, the server makes it again from the same numbers,
// refuses the enrolment if the two differ, and stores it. Amounts are written "25.00 EUR" (digits, no
// locale-dependent formatting), so the browser and the server always produce the same characters.
import { toMajorString } from "../money";
import type { AmountLimits } from "../payments/limits";

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

/** The checkbox's label: the terms in one line. */
export function optInLabel(terms: AutoTopUpTerms, currency: string): string {
  return `Top up automatically: add ${termAmount(terms.amount, currency)} when my balance falls below ${termAmount(terms.threshold, currency)}, at most ${termAmount(terms.monthlyLimit, currency)} per month`;
}

/** The authorisation the payer gives, shown next to the opt-in and stored with the rule word for word. */
export function mandateText(terms: AutoTopUpTerms, currency: string): string {
  const amount = termAmount(terms.amount, currency);
  const threshold = termAmount(terms.threshold, currency);
  const limit = termAmount(terms.monthlyLimit, currency);
  return (
    `I authorise this payment service to save the card I pay with now and to charge it ${amount} each time ` +
    `the balance of this account falls below ${threshold}, for no more than ${limit} per calendar month (UTC), ` +
    `until I turn automatic top-up off. Each charge is added to the account balance. ` +
    `I can see, change or turn off automatic top-up at any time with the link shown after this payment.`
  );
}

/** Largest threshold / monthly limit accepted, as a multiple of the largest single payment. */
export const MAX_THRESHOLD_FACTOR = 10;
export const MAX_LIMIT_FACTOR = 31;

/** What is wrong with these terms (a sentence for the payer), or null when they are acceptable. */
export function termsProblem(terms: AutoTopUpTerms, limits: AmountLimits): string | null {
  const { currency } = limits;
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 0;
  if (!whole(terms.amount) || !whole(terms.threshold) || !whole(terms.monthlyLimit)) return "Enter the amounts as numbers.";
  if (terms.amount < limits.min || terms.amount > limits.max) {
    return `The automatic top-up amount must be between ${termAmount(limits.min, currency)} and ${termAmount(limits.max, currency)}.`;
  }
  if (terms.amount % limits.step !== 0) return `The automatic top-up amount must be a multiple of ${termAmount(limits.step, currency)}.`;
  if (terms.threshold <= 0) return "The balance threshold must be more than zero.";
  if (terms.threshold > limits.max * MAX_THRESHOLD_FACTOR) {
    return `The balance threshold can be at most ${termAmount(limits.max * MAX_THRESHOLD_FACTOR, currency)}.`;
  }
  if (terms.monthlyLimit < terms.amount) return "The monthly limit must be at least the top-up amount.";
  if (terms.monthlyLimit > limits.max * MAX_LIMIT_FACTOR) {
    return `The monthly limit can be at most ${termAmount(limits.max * MAX_LIMIT_FACTOR, currency)}.`;
  }
  return null;
}

/** Defaults the checkout proposes: the second preset (or the minimum), a threshold of one preset, four top-ups a month. */
export function defaultTerms(limits: AmountLimits): AutoTopUpTerms {
  const amount = limits.presets[1] ?? limits.presets[0] ?? limits.min;
  const threshold = limits.presets[0] ?? limits.min;
  return { amount, threshold, monthlyLimit: Math.min(amount * 4, limits.max * MAX_LIMIT_FACTOR) };
}
