import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

/** A random id with a type prefix, e.g. "pay_7k2m...": 130 bits, unguessable, URL-safe. */
export function newId(prefix: "pay" | "mv"): string {
  const bytes = randomBytes(26);
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 31];
  return `${prefix}_${out}`;
}

export function isPaymentId(value: string): boolean {
  return /^pay_[0-9a-hjkmnp-tv-z]{26}$/.test(value);
}
