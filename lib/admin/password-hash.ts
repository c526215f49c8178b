// Salted scrypt hashes of console passwords: the stored check of ADMIN_PASSWORD (./console-secret.ts) and each
// dealer's own console password (Dealer.consolePasswordHash). The format names its parameters, so they can be
// raised later without breaking what is stored: scrypt$<log2 N>$<r>$<p>$<salt>$<hash>.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

// Made once per password change and checked once per sign-in or process: N = 2^15, r = 8 (32 MB, about 0.1 s).
const PARAMS = { log2N: 15, r: 8, p: 1 };

/** Longer input can never be a password anyone typed; bounding it bounds the work an attacker can ask for. */
const MAX_LENGTH = 1024;

function scryptHash(password: string, salt: Buffer, o: { log2N: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** o.log2N;
  const options: ScryptOptions = { N, r: o.r, p: o.p, maxmem: 256 * N * o.r };
  return new Promise((resolve, reject) =>
    scrypt(Buffer.from(password.slice(0, MAX_LENGTH), "utf8"), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptHash(password, salt, PARAMS);
  return ["scrypt", PARAMS.log2N, PARAMS.r, PARAMS.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/**
 * Whether `password` matches a stored hash. With no hash (an unknown dealer, no password set) the same work is
 * done against a throwaway one, so the answer's timing does not tell which it was.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const m = FORMAT.exec(stored ?? "");
  if (!m) {
    await scryptHash(password, randomBytes(16), PARAMS);
    return false;
  }
  const [log2N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (log2N < 10 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5]!, "base64url");
  const actual = await scryptHash(password, Buffer.from(m[4]!, "base64url"), { log2N, r, p });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
