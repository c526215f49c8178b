import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case, as lib/ids.ts

/** "atr_..." (rule) or "atc_..." (charge): 130 random bits. */
export function newAutoTopUpId(prefix: "atr" | "atc"): string {
  let out = "";
  for (const b of randomBytes(26)) out += ALPHABET[b & 31];
  return `${prefix}_${out}`;
}

export function isRuleId(value: string): boolean {
  return /^atr_[0-9a-hjkmnp-tv-z]{26}$/.test(value);
}
