// The custom amount the payer types, checked the way the server checks it (lib/payments/limits), so the
// payer sees the same rule before and after pressing Pay, in their language. Pure: no DOM, no Node APIs.
import { currencyExponent, formatMoney, parseMajorAmount } from "@/lib/money";
import type { AmountLimits } from "@/lib/payments/limits";
import { english } from "@/lib/i18n/english";
import { amountExamples, asciiDigits, type Translator } from "@/lib/i18n/translate";

export type AmountCheck = { amount: number; error: null } | { amount: null; error: string };

/**
 * "25", "12.50", " 12,5 ", "۱۲٫۵" → minor units, or null. A comma is taken as the decimal mark only when it is
 * followed by one or two digits (so "1,000" is never read as 1.000); spaces are ignored; Arabic-Indic and
 * Persian digits count as digits.
 */
export function parseAmountInput(text: string, currency: string): number | null {
  let t = asciiDigits(text).replace(/[\s\u00a0\u202f]/g, "");
  const exp = currencyExponent(currency);
  const comma = /^(\d+),(\d{1,2})$/.exec(t);
  if (comma && (comma[2] ?? "").length <= exp) t = `${comma[1]}.${comma[2]}`;
  return parseMajorAmount(t, currency);
}

/** "for example 25 or 12.50" in the payer's way of writing numbers (500 or 1000 without decimals). */
export function numberExamples(currency: string, tr: Translator): { whole: string; decimal: string } {
  return amountExamples(tr, currencyExponent(currency) > 0);
}

export function checkAmountInput(text: string, limits: AmountLimits, tr: Translator = english): AmountCheck {
  if (text.trim() === "") return { amount: null, error: tr.t("amount.empty") };
  const amount = parseAmountInput(text, limits.currency);
  if (amount === null) {
    return { amount: null, error: tr.t("amount.notNumber", numberExamples(limits.currency, tr)) };
  }
  return checkAmount(amount, limits, tr);
}

/** The server's rule (lib/payments/limits amountProblem), worded in the payer's language. */
export function checkAmount(amount: number, limits: AmountLimits, tr: Translator = english): AmountCheck {
  const range = { min: money(limits.min, limits.currency, tr), max: money(limits.max, limits.currency, tr) };
  if (!Number.isSafeInteger(amount) || amount < limits.min || amount > limits.max) {
    return { amount: null, error: tr.t("amount.outOfRange", range) };
  }
  if (amount % limits.step !== 0) {
    return { amount: null, error: tr.t("amount.notMultiple", { ...range, step: money(limits.step, limits.currency, tr) }) };
  }
  return { amount, error: null };
}

export function money(minor: number, currency: string, tr: Translator = english): string {
  return formatMoney(minor, currency, tr.locale);
}

/** "Between €5.00 and €1,000.00" */
export function rangeText(limits: AmountLimits, tr: Translator = english): string {
  return tr.t("checkout.range", { min: money(limits.min, limits.currency, tr), max: money(limits.max, limits.currency, tr) });
}
