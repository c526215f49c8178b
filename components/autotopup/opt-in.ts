// The checkout's automatic top-up opt-in, as data: what the payer typed, and the terms (or the problem) it
// gives. Pure, like components/checkout/amount.ts, and checked the same way the server checks it.
import { toMajorString } from "@/lib/money";
import type { AmountLimits } from "@/lib/payments/limits";
import { defaultTerms, mandateText, termsProblem, type AutoTopUpTerms } from "@/lib/autotopup/terms";
import { numberExamples, parseAmountInput } from "@/components/checkout/amount";
import { english } from "@/lib/i18n/english";
import type { Translator } from "@/lib/i18n/translate";

export interface OptInState {
  on: boolean;
  amount: string;
  threshold: string;
  limit: string;
}

export function initialOptIn(limits: AmountLimits): OptInState {
  const t = defaultTerms(limits);
  const major = (minor: number) => toMajorString(minor, limits.currency);
  return { on: false, amount: major(t.amount), threshold: major(t.threshold), limit: major(t.monthlyLimit) };
}

export type OptInCheck = { terms: AutoTopUpTerms; mandate: string; error: null } | { terms: null; mandate: null; error: string };

/** `dealer`: the dealer's name, which the mandate carries (null: not known). */
export function checkOptIn(state: OptInState, limits: AmountLimits, tr: Translator = english, dealer: string | null = null): OptInCheck {
  const amount = parseAmountInput(state.amount, limits.currency);
  const threshold = parseAmountInput(state.threshold, limits.currency);
  const monthlyLimit = parseAmountInput(state.limit, limits.currency);
  if (amount === null || threshold === null || monthlyLimit === null) {
    return { terms: null, mandate: null, error: tr.t("autoTopUp.notNumbers", numberExamples(limits.currency, tr)) };
  }
  const terms = { amount, threshold, monthlyLimit };
  const problem = termsProblem(terms, limits, tr);
  if (problem) return { terms: null, mandate: null, error: problem };
  return { terms, mandate: mandateText(terms, limits.currency, tr, dealer), error: null };
}

/** What POST /api/payments receives as `autoTopUp`. */
export function optInPayload(check: OptInCheck): { amount: number; threshold: number; monthlyLimit: number; mandateText: string } | null {
  return check.terms ? { ...check.terms, mandateText: check.mandate } : null;
}
