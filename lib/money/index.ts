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

function fractionDigitsOf(currency: string): number {
  const exp = currencyExponent(currency);
  return exp === 0 || WHOLE_UNITS_ONLY.has(normalizeCurrency(currency)) ? 0 : exp;
}

/**
 * "€12.50", "¥500", "12.340 KWD" in the given locale. Where a page registered the server's way of writing this
 * currency in this language (registerMoneyTemplate), that way: a browser whose Intl lacks the language (Kazakh in
 * some builds) writes money exactly as the server did, so the page and the automatic top-up mandate read the same.
 */
export function formatMoney(minor: number, currency: string, locale = "en"): string {
  assertMinor(minor);
  const code = normalizeCurrency(currency);
  const template = templates.get(`${locale}|${code}`);
  if (template) return renderMoneyTemplate(template, minor);
  const text = toMajorString(minor, currency);
  // Intl takes a decimal string exactly (no float rounding) when given as a string.
  return currencyFormat(locale, code, fractionDigitsOf(code)).format(text as unknown as number);
}

/**
 * How one language writes one currency, learnt from the server's Intl: the order of the parts, the separators, the
 * digits, and from how many integer digits groups are separated. Plain data, so a server page can hand it to the
 * browser.
 */
export interface MoneyTemplate {
  locale: string;
  currency: string;
  fractionDigits: number;
  /** Parts in order: "#" stands for the integer, "." for the decimal separator, "0" for the fraction; any other text as it is. */
  positive: string[];
  negative: string[];
  group: string;
  decimal: string;
  /** The digits 0 to 9 in the locale's numbering system. */
  digits: string[];
  /** The fewest integer digits that get a group separator (4 in English: 1,000; 5 in Spanish: 1000 but 10.000). */
  groupFrom: number;
}

function templateParts(parts: Intl.NumberFormatPart[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p.type === "integer" || p.type === "group") {
      if (out.at(-1) !== "#") out.push("#");
    } else if (p.type === "decimal") out.push(".");
    else if (p.type === "fraction") out.push("0");
    else out.push(p.value);
  }
  return out;
}

/** The server's way of writing `currency` in `locale`, for registerMoneyTemplate in the browser. */
export function moneyTemplate(locale: string, currency: string): MoneyTemplate {
  const code = normalizeCurrency(currency);
  const fractionDigits = fractionDigitsOf(code);
  const format = currencyFormat(locale, code, fractionDigits);
  const sample = format.formatToParts(1234567.5);
  const plain = new Intl.NumberFormat(locale, { useGrouping: false, maximumFractionDigits: 0 });
  const digits = "0123456789".split("").map((d) => plain.format(Number(d)));
  const groupFrom = [4, 5, 6, 7].find((n) => format.formatToParts(10 ** (n - 1)).some((p) => p.type === "group")) ?? Infinity;
  return {
    locale,
    currency: code,
    fractionDigits,
    positive: templateParts(sample),
    negative: templateParts(format.formatToParts(-1234567.5)),
    group: sample.find((p) => p.type === "group")?.value ?? "",
    decimal: sample.find((p) => p.type === "decimal")?.value ?? ".",
    digits,
    groupFrom: Number.isFinite(groupFrom) ? groupFrom : 99,
  };
}

/** Writes an amount with a template: the same characters the server's Intl writes (lib/money/money.test.ts). */
export function renderMoneyTemplate(t: MoneyTemplate, minor: number): string {
  // The digits to show, rounded half away from zero as Intl rounds (ISK has decimals in the API, none on paper).
  const [major = "0", minorDigits = ""] = toMajorString(Math.abs(minor), t.currency).split(".");
  let scaled = BigInt(major + minorDigits);
  const drop = minorDigits.length - t.fractionDigits;
  if (drop > 0) {
    const unit = 10n ** BigInt(drop);
    scaled = scaled / unit + (2n * (scaled % unit) >= unit ? 1n : 0n);
  } else if (drop < 0) scaled *= 10n ** BigInt(-drop);
  const digitsText = scaled.toString().padStart(t.fractionDigits + 1, "0");
  const whole = t.fractionDigits > 0 ? digitsText.slice(0, -t.fractionDigits) : digitsText;
  const fractionText = t.fractionDigits > 0 ? digitsText.slice(-t.fractionDigits) : "";
  const localDigits = (s: string) => s.replace(/[0-9]/g, (d) => t.digits[Number(d)] ?? d);
  let grouped = whole;
  if (t.group && whole.length >= t.groupFrom) {
    const groups: string[] = [];
    for (let end = whole.length; end > 0; end -= 3) groups.unshift(whole.slice(Math.max(0, end - 3), end));
    grouped = groups.join("\u0000");
  }
  const integer = localDigits(grouped).split("\u0000").join(t.group);
  const pattern = minor < 0 ? t.negative : t.positive;
  return pattern.map((p) => (p === "#" ? integer : p === "." ? t.decimal : p === "0" ? localDigits(fractionText) : p)).join("");
}

const templates = new Map<string, MoneyTemplate>();

/**
 * From now on, formatMoney writes this currency in this language with the template (a page registers the server's
 * before it renders any amount). Registering the same template again changes nothing.
 */
export function registerMoneyTemplate(template: MoneyTemplate | null | undefined): void {
  if (!template) return;
  if (templates.size >= 64) templates.clear();
  templates.set(`${template.locale}|${normalizeCurrency(template.currency)}`, template);
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

export type TypedAmount = { ok: true; minor: number } | { ok: false; problem: string };

/**
 * An amount a person typed into the dealer console, whose language is English, read in `currency`'s minor units.
 * Both decimal marks are taken where only one reading exists: "30.5", "30,5", "1,234.50", "1.234,50", "1 234,50".
 * Text with two readings is refused with both named rather than guessed: "1,234" (1234 in English, 1.234 with a
 * decimal comma) and "1.234", except in a currency without decimals (JPY: 1234). Never through floating point.
 */
export function parseConsoleAmount(text: string, currency: string): TypedAmount {
  const code = normalizeCurrency(currency);
  const shown = text.trim();
  // A space (or NBSP, narrow NBSP, apostrophe) between thousands: "1 234,50".
  const typed = shown.replace(/(?<=\d)[\s\u00a0\u202f'](?=\d{3}(?!\d))/g, "");
  const notAmount: TypedAmount = { ok: false, problem: `"${shown}" is not an amount in ${code}: write it like 30.50` };
  if (!/^\d[\d.,]*$/.test(typed) || /[.,]$/.test(typed)) return notAmount;
  const exp = currencyExponent(code);
  const read = (whole: string, fraction: string): TypedAmount => {
    const digits = fraction.replace(/0+$/, "");
    if (digits.length > exp) {
      return { ok: false, problem: exp === 0 ? `"${shown}": ${code} amounts have no decimals` : `"${shown}": ${code} amounts have at most ${exp} decimals` };
    }
    const minor = Number(whole.replace(/^0+(?=\d)/, "") + digits.padEnd(exp, "0"));
    return Number.isSafeInteger(minor) && whole.length <= 12 ? { ok: true, minor } : notAmount;
  };
  /** "1,234,567" with `mark` between groups of three: the whole number's digits, or null. */
  const grouped = (whole: string, mark: string): string | null => {
    const groups = whole.split(mark);
    return /^\d{1,3}$/.test(groups[0]!) && groups.slice(1).every((g) => /^\d{3}$/.test(g)) ? groups.join("") : null;
  };
  const dots = typed.split(".").length - 1;
  const commas = typed.split(",").length - 1;
  if (dots === 0 && commas === 0) return read(typed, "");
  if (dots > 0 && commas > 0) {
    // Both marks: the last one is the decimal mark, the other separates thousands ("1,234.50", "1.234,50").
    const decimal = typed.lastIndexOf(".") > typed.lastIndexOf(",") ? "." : ",";
    const thousands = decimal === "." ? "," : ".";
    const at = typed.lastIndexOf(decimal);
    const whole = grouped(typed.slice(0, at), thousands);
    const fraction = typed.slice(at + 1);
    if (whole === null || fraction.includes(thousands) || typed.split(decimal).length > 2) return notAmount;
    return read(whole, fraction);
  }
  const mark = dots > 0 ? "." : ",";
  const count = dots + commas;
  if (count > 1) {
    // Several of one mark: only thousands ("1,234,567").
    const whole = grouped(typed, mark);
    return whole === null ? notAmount : read(whole, "");
  }
  const [whole, fraction] = typed.split(mark) as [string, string];
  if (fraction.length === 3 && /^[1-9]\d{0,2}$/.test(whole)) {
    // "1,234": thousands in English, a decimal comma elsewhere ("1.234" the other way round). A currency without
    // decimals has one reading; any other is asked again rather than guessed.
    if (exp === 0) return read(whole + fraction, "");
    return {
      ok: false,
      problem: `"${shown}" could mean ${whole}${fraction} or ${whole}.${fraction} ${code}: write ${whole}${fraction} without a separator, or the decimals after a point`,
    };
  }
  return read(whole, fraction);
}
