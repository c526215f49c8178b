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
export function newId(prefix: "pay" | "mv" | "atr" | "atc" | "rec" | "inc" | "ald" | "msg", at: number = Date.now()): string {
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

export function isPaymentId(value: string): value is PaymentId {
  return /^pay_[0-9a-hjkmnp-tv-z]{26}$/.test(value);
}

export function isRuleId(value: string): boolean {
  return /^atr_[0-9a-hjkmnp-tv-z]{26}$/.test(value);
}

// ---- ids the compiler tells apart
// Each id is a plain string or number at run time; the brand makes passing a PaymentIntent id where a payment
// id is expected (or a movement id, or any number for a Navixy user) a compile error. Values get a brand where
// they enter: parsed from a request or a command line, read from the ledger, or received from Stripe.

declare const BRAND: unique symbol;
export type Branded<T, Name extends string> = T & { readonly [BRAND]: Name };

/** Our payment: "pay_" + 26 characters (newId). */
export type PaymentId = Branded<string, "PaymentId">;
/** A balance movement owed to Navixy: "mv_" + 26 characters. */
export type MovementId = Branded<string, "MovementId">;
/** Stripe's PaymentIntent: "pi_...". */
export type PaymentIntentId = Branded<string, "PaymentIntentId">;
/** The end user's id in Navixy (unsigned: never proof of identity). */
export type NavixyUserId = Branded<number, "NavixyUserId">;

/** Ids read from our own ledger rows or Stripe's objects: already valid, now named. */
export const asPaymentId = (id: string) => id as PaymentId;
export const asMovementId = (id: string) => id as MovementId;
export const asPaymentIntentId = (id: string) => id as PaymentIntentId;
export const asNavixyUserId = (id: number) => id as NavixyUserId;

export function isMovementId(value: string): value is MovementId {
  return /^mv_[0-9a-hjkmnp-tv-z]{26}$/.test(value);
}

export function isPaymentIntentId(value: string): value is PaymentIntentId {
  return /^pi_[A-Za-z0-9]{1,250}$/.test(value);
}

export function isNavixyUserId(value: number): value is NavixyUserId {
  return Number.isSafeInteger(value) && value > 0 && value <= 2_147_483_647;
}

export const newPaymentId = (at?: number) => newId("pay", at) as PaymentId;
export const newMovementId = (at?: number) => newId("mv", at) as MovementId;
