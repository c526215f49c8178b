import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case
const TIME_CHARS = 10; // 50 bits of milliseconds: enough until the year 37,000
const RANDOM_CHARS = 16; // 80 random bits

/**
 * Our row ids, e.g. "pay_01kbc4m7x2...": a type prefix, the creation time in milliseconds (10 base32
 * characters) and 80 random bits (16), so 26 characters in all.
 *
 * Time first because these ids key the ledger's tables and many of its indexes (a movement's payment, a
 * call's movement...): new rows then land in the same few pages at one end of each index instead of on
 * a random page of a B-tree of millions, which keeps a large ledger's writes as cheap as a small one's.
 * The random part keeps an id unguessable; the time in it is the row's createdAt, nothing secret.
 */
export function newId(prefix: "pay" | "mv" | "atr" | "atc", at: number = Date.now()): string {
  let time = "";
  let ms = Math.max(0, Math.floor(at));
  for (let i = 0; i < TIME_CHARS; i++) {
    time = ALPHABET[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  let random = "";
  for (const b of randomBytes(RANDOM_CHARS)) random += ALPHABET[b & 31];
  return `${prefix}_${time}${random}`;
}

export function isPaymentId(value: string): boolean {
  return /^pay_[0-9a-hjkmnp-tv-z]{26}$/.test(value);
}

export function isRuleId(value: string): boolean {
  return /^atr_[0-9a-hjkmnp-tv-z]{26}$/.test(value);
}
