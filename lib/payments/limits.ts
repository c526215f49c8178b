// What a payer may pay, in the payment currency's minor units, from the configured major amounts.
import type { Config } from "../config";
import { amountStep, formatMoney, parseMajorAmount } from "../money";

export interface AmountLimits {
  currency: string;
  min: number;
  max: number;
  step: number;
  presets: number[];
}

export function amountLimits(config: Pick<Config["payments"], "minAmount" | "maxAmount" | "presets">, currency: string): AmountLimits {
  const step = amountStep(currency);
  const toMinor = (text: string) => parseMajorAmount(text, currency);
  const roundUp = (v: number) => Math.ceil(v / step) * step;
  const min = roundUp(Math.max(toMinor(config.minAmount) ?? step, step));
  const max = Math.floor((toMinor(config.maxAmount) ?? min) / step) * step;
  const presets = config.presets
    .map(toMinor)
    .filter((v): v is number => v !== null && v >= min && v <= max && v % step === 0);
  return { currency, min, max: Math.max(max, min), step, presets: [...new Set(presets)].sort((a, b) => a - b) };
}

/** Null when the amount may be charged, else a sentence a payer understands. */
export function amountProblem(amount: number, limits: AmountLimits, locale = "en"): string | null {
  const range = `between ${formatMoney(limits.min, limits.currency, locale)} and ${formatMoney(limits.max, limits.currency, locale)}`;
  if (!Number.isSafeInteger(amount) || amount < limits.min || amount > limits.max) {
    return `The amount must be ${range}.`;
  }
  if (amount % limits.step !== 0) {
    return `The amount must be a multiple of ${formatMoney(limits.step, limits.currency, locale)}, ${range}.`;
  }
  return null;
}
