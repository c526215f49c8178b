/** Currency rules Stripe enforces on amounts (minimums, zero-decimal currencies). */

export const ZERO_DECIMAL = new Set([
  "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf",
]);

/** Minimum charge amounts in the smallest unit (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). */
export const MINIMUM_AMOUNT: Record<string, number> = {
  usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30,
  hkd: 400, huf: 17500, inr: 50, jpy: 50, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200, ron: 200,
  sek: 300, sgd: 50, thb: 1000,
};

/** Stripe's cap for a single charge: 99999999 in the smallest unit (e.g. $999,999.99). */
export const MAXIMUM_AMOUNT = 99_999_999;

const SUPPORTED = new Set(
  (typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("currency") : ["USD", "EUR", "GBP"]).map((c) =>
    c.toLowerCase(),
  ),
);

export function isSupportedCurrency(c: string): boolean {
  return SUPPORTED.has(c);
}

const SYMBOLS: Record<string, string> = { usd: "$", eur: "€", gbp: "£", jpy: "¥", cad: "$", aud: "$", nzd: "$", sgd: "$", hkd: "$" };

/** `$12.34`, `€0.50`, `¥500` — the way Stripe formats amounts in error messages. */
export function formatAmount(amount: number, currency: string): string {
  const zero = ZERO_DECIMAL.has(currency);
  const value = zero ? String(amount) : (amount / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const symbol = SYMBOLS[currency];
  return symbol ? `${symbol}${value}` : `${value} ${currency.toUpperCase()}`;
}
