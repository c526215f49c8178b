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
import { hkdfSync, randomBytes } from "node:crypto";
import { isUniqueViolation, transaction, type Db } from "../db/client";
import type { Services } from "../server/services";
import { audit } from "./audit";
import { hashPassword, verifyPassword } from "./password-hash";

const NAME = "admin-console";

export interface ConsoleKeys {
  cookie: Buffer;
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
        await db.serverSecret.create({ data: { name: NAME, value, passwordCheck: await hashPassword(password) } });
        return value;
      } catch (error) {
        if (isUniqueViolation(error)) continue;
        throw error;
      }
    }
    if (row.passwordCheck && (await verifyPassword(password, row.passwordCheck))) return row.value;
    const value = newSecret();
    const check = await hashPassword(password);
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
      return { cookie: key("session-cookie/v2") };
    });
    byPassword.set(password, keys);
    keys.catch(() => byPassword.delete(password));
  }
  return keys;
}
