/** Exact money for the emulator: integer hundredths in, decimal text out. */

const MAX_INT_DIGITS = 13; // keeps cents a safe integer

/**
 * Parses an amount given as a JSON number or as text (form/query params) into integer cents.
 * Returns null when it is not a finite decimal with at most 2 decimals.
 * A JSON number arrives as a double: its shortest text form (String(n)) is exactly the literal for any amount
 * with ≤ 15 significant digits, so "25.1", "25.10" and "25.100" all read as 2510 while 25.123 is rejected.
 */
export function parseCents(v: unknown): number | null {
  let s: string;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return null;
    s = String(v);
  } else if (typeof v === "string") s = v.trim();
  else return null;
  const m = /^([+-])?(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const intPart = (m[2] ?? "").replace(/^0+(?=\d)/, "");
  if (intPart.length > MAX_INT_DIGITS) return null;
  const cents = Number(intPart) * 100 + Number((m[3] ?? "").padEnd(2, "0"));
  return m[1] === "-" && cents !== 0 ? -cents : cents; // never -0
}

export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new Error(`not an integer amount of cents: ${cents}`);
  const abs = Math.abs(cents);
  return `${cents < 0 ? "-" : ""}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/**
 * Navixy keeps balances to 4 decimals (prorated daily fees leave "12.3456"), while amounts of balance changes
 * have at most 2. A balance here is an integer of ten-thousandths; one cent is this many of them.
 */
export const BALANCE_UNITS_PER_CENT = 100;

/** A balance as text ("12.3456", "-0.30", "800.0000") → integer ten-thousandths, or null (at most 4 decimals). */
export function parseBalance(v: string): number | null {
  const m = /^([+-])?(\d+)(?:\.(\d{1,4}))?$/.exec(v.trim());
  if (!m) return null;
  const intPart = (m[2] ?? "").replace(/^0+(?=\d)/, "");
  if (intPart.length > MAX_INT_DIGITS - 2) return null;
  const units = Number(intPart) * 10_000 + Number((m[3] ?? "").padEnd(4, "0"));
  return m[1] === "-" && units !== 0 ? -units : units;
}

/** Ten-thousandths → "12.50" when a whole number of cents (as most balances are), else "12.3456". */
export function formatBalance(units: number): string {
  if (!Number.isSafeInteger(units)) throw new Error(`not an integer amount of ten-thousandths: ${units}`);
  if (units % BALANCE_UNITS_PER_CENT === 0) return formatCents(units / BALANCE_UNITS_PER_CENT);
  const abs = Math.abs(units);
  return `${units < 0 ? "-" : ""}${Math.floor(abs / 10_000)}.${String(abs % 10_000).padStart(4, "0")}`;
}
