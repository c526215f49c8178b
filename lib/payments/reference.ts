// The short reference a payer quotes to support: the last 8 characters of our payment id, upper case, in two
// groups ("7QK2-M9XD"). They are random (lib/ids.ts: 80 random bits end every id), so two payments of one dealer
// share a reference about once in a trillion; the console's search finds the payment by it. Pure: the return page
// computes it in the browser from the payment id it already has.

const ALPHABET = /^[0-9a-hjkmnp-tv-z]{8}$/;

/** "pay_01kbc4m7x2...7qk2m9xd" → "7QK2-M9XD" */
export function paymentReference(paymentId: string): string {
  const tail = paymentId.slice(-8).toUpperCase();
  return `${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/**
 * What a person typed as a reference ("7QK2-M9XD", "7qk2 m9xd", "7QK2M9XD") → the end of the payment id it names
 * ("7qk2m9xd"), or null when it cannot be one. Letters people confuse are read as Crockford's base32 reads them.
 */
export function paymentIdTailOfReference(text: string): string | null {
  const compact = text.trim().replace(/[\s-]/g, "").toLowerCase().replace(/[il]/g, "1").replace(/o/g, "0");
  return ALPHABET.test(compact) ? compact : null;
}
