/**
 * Identifier helpers. Stripe ids are a type prefix plus random base62
 * characters (24 for most objects), e.g. `pi_3QxYz...`.
 */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `length` random base62 characters (rejection sampling, no modulo bias). */
export function randomAlnum(length: number): string {
  let out = "";
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (const b of bytes) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

/** e.g. `newId("pi")` -> `pi_3Qf0mZ2eZvKYlo2C1xYzAbCd`. */
export function newId(prefix: string, length = 24): string {
  return `${prefix}_${randomAlnum(length)}`;
}

/** Request ids (`req_` + 14 characters) as in Stripe's `Request-Id` header. */
export function newRequestId(): string {
  return newId("req", 14);
}

/** Unix seconds from a millisecond clock. */
export function toUnix(ms: number): number {
  return Math.floor(ms / 1000);
}
