// The custom amount the payer types, checked the way the server checks it (lib/payments/limits), so the
// payer sees the same sentence before and after pressing Pay. Pure: no DOM, no Node APIs.
import { currencyExponent, formatMoney, parseMajorAmount } from "@/lib/money";
import { amountProblem, type AmountLimits } from "@/lib/payments/limits";

export const LOCALE = "en";

export type AmountCheck = { amount: number; error: null } | { amount: null; error: string };

/**
 * "25", "12.50", " 12,5 " → minor units, or null. A comma is taken as the decimal mark only when it is
 * followed by one or two digits (so "1,000" is never read as 1.000); spaces are ignored.
 */
export function parseAmountInput(text: string, currency: string): number | null {
  let t = text.replace(/[\s\u00a0\u202f]/g, "");
  const exp = currencyExponent(currency);
  const comma = /^(\d+),(\d{1,2})$/.exec(t);
  if (comma && (comma[2] ?? "").length <= exp) t = `${comma[1]}.${comma[2]}`;
  return parseMajorAmount(t, currency);
}

export function checkAmountInput(text: string, limits: AmountLimits): AmountCheck {
  if (text.trim() === "") return { amount: null, error: "Enter an amount." };
  const amount = parseAmountInput(text, limits.currency);
  if (amount === null) {
    const example = currencyExponent(limits.currency) === 0 ? "for example 500" : "for example 25 or 12.50";
    return { amount: null, error: `Enter the amount as a number, ${example}.` };
  }
  return checkAmount(amount, limits);
}

export function checkAmount(amount: number, limits: AmountLimits): AmountCheck {
  const problem = amountProblem(amount, limits, LOCALE);
  return problem ? { amount: null, error: problem } : { amount, error: null };
}

export function money(minor: number, currency: string): string {
  return formatMoney(minor, currency, LOCALE);
}

/** "Between €5.00 and €1,000.00" */
export function rangeText(limits: AmountLimits): string {
  return `Between ${money(limits.min, limits.currency)} and ${money(limits.max, limits.currency)}`;
}
