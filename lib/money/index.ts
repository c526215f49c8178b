// Money is an integer number of the currency's minor unit, as Stripe counts it. Conversions to and
// from decimal text are done on digits, never through floating point.

/** Stripe's zero-decimal currencies: the amount is in whole units (¥500 is 500). */
const ZERO_DECIMAL = new Set([
  "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
]);
/** Stripe's three-decimal currencies: amounts must end in 0 (Stripe rounds to two decimals for card payments). */
const THREE_DECIMAL = new Set(["BHD", "JOD", "KWD", "OMR", "TND"]);
/** Two-decimal in Stripe's API, but only whole units can be charged. */
const WHOLE_UNITS_ONLY = new Set(["ISK"]);

const knownCurrencies = new Set<string>(
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("currency") : [],
);

export function normalizeCurrency(currency: string): string {
  return currency.trim().toUpperCase();
}

export function isSupportedCurrency(currency: string): boolean {
  const c = normalizeCurrency(currency);
  return /^[A-Z]{3}$/.test(c) && (knownCurrencies.size === 0 || knownCurrencies.has(c));
}

/** Digits after the decimal point in Stripe's minor unit. */
export function currencyExponent(currency: string): 0 | 2 | 3 {
  const c = normalizeCurrency(currency);
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

/** The smallest chargeable step in minor units. */
export function amountStep(currency: string): number {
  const c = normalizeCurrency(currency);
  if (THREE_DECIMAL.has(c)) return 10;
  if (WHOLE_UNITS_ONLY.has(c)) return 100;
  return 1;
}

/**
 * "12.5" in EUR → 1250; "500" in JPY → 500. Returns null for anything that is not a plain
 * non-negative decimal or has more decimals than the currency allows.
 */
export function parseMajorAmount(text: string, currency: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const exp = currencyExponent(currency);
  const whole = m[1] ?? "0";
  const fraction = (m[2] ?? "").replace(/0+$/, "");
  if (fraction.length > exp) return null;
  const minor = Number(whole + fraction.padEnd(exp, "0"));
  return Number.isSafeInteger(minor) ? minor : null;
}

/** 1250 in EUR → "12.50"; 500 in JPY → "500"; 12340 in KWD → "12.340". */
export function toMajorString(minor: number, currency: string): string {
  assertMinor(minor);
  const exp = currencyExponent(currency);
  const sign = minor < 0 ? "-" : "";
  const digits = String(Math.abs(minor));
  if (exp === 0) return sign + digits;
  const padded = digits.padStart(exp + 1, "0");
  return `${sign}${padded.slice(0, -exp)}.${padded.slice(-exp)}`;
}

/**
 * The amount as Navixy's balance API takes it: signed, at most two decimals ("25.00", "-3.10", "500").
 * Throws when the amount cannot be written with two decimals (a three-decimal amount not ending in 0),
 * which payment validation rules out before any money moves.
 */
export function toNavixyAmount(minor: number, currency: string, sign: 1 | -1 = 1): string {
  assertMinor(minor);
  if (minor < 0) throw new RangeError("amount must not be negative; pass the sign separately");
  const exp = currencyExponent(currency);
  let text: string;
  if (exp === 3) {
    if (minor % 10 !== 0) throw new RangeError(`${minor} ${currency} has a third decimal Navixy cannot hold`);
    text = toMajorString(minor / 10, "EUR");
  } else {
    text = toMajorString(minor, currency);
  }
  return sign === -1 && minor !== 0 ? `-${text}` : text;
}

/** A Navixy balance as text, in parts: sign, integer digits without leading zeros, decimals as sent. */
function readNavixyDecimal(text: string): { negative: boolean; whole: string; fraction: string } | null {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const whole = (m[2] ?? "0").replace(/^0+(?=\d)/, "");
  const fraction = m[3] ?? "";
  const zero = whole === "0" && !/[1-9]/.test(fraction);
  return { negative: m[1] === "-" && !zero, whole, fraction };
}

/**
 * A Navixy balance as text ("12.50", "-0.3", "7", "12.3456") → minor units of the currency, rounded down (toward
 * minus infinity), or null when it is not a decimal or too large to be exact.
 *
 * Navixy keeps balances to 4 decimals (prorated daily fees), more than most currencies' minor unit. Rounding
 * down keeps comparisons with a whole number of minor units exact: floor(balance) < threshold exactly when
 * balance < threshold, so 12.3456 is below 12.35 and 12.3500 is not.
 */
export function parseNavixyBalance(text: string, currency: string): number | null {
  const d = readNavixyDecimal(text);
  if (!d) return null;
  const exp = currencyExponent(currency);
  const kept = d.fraction.slice(0, exp).padEnd(exp, "0");
  const cutOff = /[1-9]/.test(d.fraction.slice(exp));
  const magnitude = Number(d.whole + kept);
  // One more than the largest exact magnitude stays exact too (the negative side's step down).
  if (!Number.isSafeInteger(magnitude + 1)) return null;
  if (!d.negative) return magnitude;
  return -magnitude - (cutOff ? 1 : 0);
}

/**
 * A Navixy balance for people, exactly as Navixy holds it, with at least the currency's decimals: "12.3456" →
 * "12.3456 EUR", "800.0000" → "800.00 EUR", "500.0000" in JPY → "500 JPY". The text must be a decimal (see
 * parseNavixyBalance); anything else is shown as it came.
 */
export function formatNavixyBalance(text: string, currency: string): string {
  const code = normalizeCurrency(currency);
  const d = readNavixyDecimal(text);
  if (!d) return `${text} ${code}`;
  const exp = currencyExponent(code);
  const fraction = d.fraction.replace(/0+$/, "").padEnd(exp, "0");
  return `${d.negative ? "-" : ""}${d.whole}${fraction ? `.${fraction}` : ""} ${code}`;
}

/** "€12.50", "¥500", "12.340 KWD" in the given locale. */
export function formatMoney(minor: number, currency: string, locale = "en"): string {
  const exp = currencyExponent(currency);
  const text = toMajorString(minor, currency);
  const fractionDigits = exp === 0 || WHOLE_UNITS_ONLY.has(normalizeCurrency(currency)) ? 0 : exp;
  // Intl takes a decimal string exactly (no float rounding) when given as a string.
  return currencyFormat(locale, normalizeCurrency(currency), fractionDigits).format(text as unknown as number);
}

/** Building an Intl.NumberFormat costs ~50× a format() call, and the checkout formats every preset on each render. */
const formats = new Map<string, Intl.NumberFormat>();
function currencyFormat(locale: string, currency: string, fractionDigits: number): Intl.NumberFormat {
  const key = `${locale}|${currency}|${fractionDigits}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency, minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
    // A handful of locales and currencies in practice; the bound only guards against a caller passing anything.
    if (formats.size >= 256) formats.clear();
    formats.set(key, format);
  }
  return format;
}

function assertMinor(minor: number): void {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount must be an integer of minor units, got ${minor}`);
}
