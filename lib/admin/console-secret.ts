// The dealer console's signing keys: HKDF of a random secret kept in the ServerSecret table, never of the
// password. Anything keyed by the password would let whoever holds a signed value test password guesses
// offline, at HMAC speed, past scrypt and the login limit.
//
// The secret is made on first use by whichever instance gets there first (an insert on the primary key: the
// others' inserts fail and they read the winner's). It is stored with a salted scrypt hash of ADMIN_PASSWORD;
// an instance that finds the hash no longer matches its password replaces the secret (a conditional update,
// so instances starting together replace it once) and revokes every session: a password change ends them all,
// as it did when the keys came from the password. Each process reads the row once per password and keeps the
// keys in memory; instances still running with the old password keep the old keys until they restart, and
// their sessions are revoked in the table.
import { hkdfSync, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { isUniqueViolation, transaction, type Db } from "../db/client";
import type { Services } from "../server/services";
import { audit } from "./audit";

const NAME = "admin-console";

export interface ConsoleKeys {
  cookie: Buffer;
  flash: Buffer;
}

// The stored hash is made once per password change and checked once per process, so it can cost more than
// a sign-in's: N = 2^15, r = 8 (32 MB, about 0.1 s).
const CHECK = { log2N: 15, r: 8, p: 1 };

function scryptHash(password: string, salt: Buffer, o: { log2N: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** o.log2N;
  const options: ScryptOptions = { N, r: o.r, p: o.p, maxmem: 256 * N * o.r };
  return new Promise((resolve, reject) =>
    scrypt(Buffer.from(password, "utf8"), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

async function passwordCheck(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptHash(password, salt, CHECK);
  return ["scrypt", CHECK.log2N, CHECK.r, CHECK.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

async function matchesCheck(password: string, check: string | null): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(check ?? "");
  if (!m) return false;
  const [log2N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (log2N < 10 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const expected = Buffer.from(m[5]!, "base64url");
  const actual = await scryptHash(password, Buffer.from(m[4]!, "base64url"), { log2N, r, p });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const newSecret = () => randomBytes(32).toString("base64url");

/** The secret this password may sign with: made if missing, replaced (ending every session) if the password changed. */
async function loadSecret(db: Db, password: string): Promise<string> {
  // Each pass either returns or lost a race to another instance, whose row the next pass reads.
  for (let attempt = 1; attempt <= 5; attempt++) {
    const row = await db.serverSecret.findUnique({ where: { name: NAME } });
    if (!row) {
      const value = newSecret();
      try {
        await db.serverSecret.create({ data: { name: NAME, value, passwordCheck: await passwordCheck(password) } });
        return value;
      } catch (error) {
        if (isUniqueViolation(error)) continue;
        throw error;
      }
    }
    if (await matchesCheck(password, row.passwordCheck)) return row.value;
    const value = newSecret();
    const check = await passwordCheck(password);
    const replaced = await transaction(db, async (tx) => {
      const now = new Date();
      const { count } = await tx.serverSecret.updateMany({ where: { name: NAME, value: row.value }, data: { value, passwordCheck: check, rotatedAt: now } });
      if (count === 0) return false;
      const ended = await tx.adminSession.updateMany({ where: { revokedAt: null, expiresAt: { gt: now } }, data: { revokedAt: now } });
      await audit(tx, {
        actor: "system",
        action: "console.password_changed",
        comment: `ADMIN_PASSWORD changed: the console's signing secret was replaced and ${ended.count} session${ended.count === 1 ? "" : "s"} ended`,
      });
      return true;
    });
    if (replaced) return value;
  }
  throw new Error("The console's signing secret keeps changing under this instance: do the instances have different ADMIN_PASSWORD settings?");
}

// One load per database client and password, shared by every bundle of the process (the client lives on
// globalThis, and so does this cache). A failed load is forgotten, so the next request tries again.
const cache: WeakMap<Db, Map<string, Promise<ConsoleKeys>>> = ((globalThis as { __consoleKeys?: WeakMap<Db, Map<string, Promise<ConsoleKeys>>> }).__consoleKeys ??=
  new WeakMap());

export function consoleKeys(services: Pick<Services, "config" | "db">): Promise<ConsoleKeys> {
  const password = services.config.admin.password;
  if (!password) return Promise.reject(new Error("The dealer console is switched off (ADMIN_PASSWORD is not set)."));
  const byPassword = cache.get(services.db) ?? new Map<string, Promise<ConsoleKeys>>();
  cache.set(services.db, byPassword);
  let keys = byPassword.get(password);
  if (!keys) {
    keys = loadSecret(services.db, password).then((secret) => {
      const ikm = Buffer.from(secret, "base64url");
      const key = (info: string) => Buffer.from(hkdfSync("sha256", ikm, "navixy-gateway/admin", info, 32));
      return { cookie: key("session-cookie/v2"), flash: key("flash-message/v2") };
    });
    byPassword.set(password, keys);
    keys.catch(() => byPassword.delete(password));
  }
  return keys;
}
