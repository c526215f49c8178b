// The console's signing secret in the database: made once however many instances start together, kept across
// restarts (sessions survive), replaced once when ADMIN_PASSWORD changes (every session ends), and stored with
// a salted scrypt hash of the password, never the password or a fast hash of it.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { createDb, type Db } from "../db/client";
import type { Services } from "../server/services";
import { SESSION_COOKIE, login, sessionFromCookie, signSessionId } from "./auth";
import { ADMIN_PASSWORD } from "../../dev/testing/admin-support";

const skip = databaseUnavailable();
const NEW_PASSWORD = "a brand new console password";

describe.skipIf(skip)("the console's signing secret", () => {
  let gw: Gateway;
  const opened: Db[] = [];
  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { ADMIN_PASSWORD } });
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.$disconnect()));
    await gw?.close();
  });

  /** Another instance of the gateway on the same database (its own connection and its own memory), started with `password`. */
  const instance = (password: string): Services => {
    const { db } = createDb(gw.services.config.databaseUrl);
    opened.push(db);
    return { ...gw.services, db, config: { ...gw.services.config, admin: { ...gw.services.config.admin, password } } };
  };
  const id = "s".repeat(43);
  const signAll = (instances: Services[]) => Promise.all(instances.map((i) => signSessionId(i, id)));
  const cookieOf = (setCookie: string) => setCookie.split(";")[0]!.slice(SESSION_COOKIE.length + 1);

  test("instances starting together make one secret and all sign with it", async () => {
    expect(await gw.services.db.serverSecret.count()).toBe(0);
    const signatures = await signAll(Array.from({ length: 6 }, () => instance(ADMIN_PASSWORD)));
    expect(new Set(signatures).size).toBe(1);
    const rows = await gw.services.db.serverSecret.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "admin-console", rotatedAt: null });
    expect(Buffer.from(rows[0]!.value, "base64url")).toHaveLength(32);
    // The password is kept only as a salted scrypt hash.
    expect(rows[0]!.passwordCheck).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(rows)).not.toContain(ADMIN_PASSWORD);
    expect(await signSessionId(gw.services, id)).toBe(signatures[0]);
  });

  test("a restart with the same password keeps the secret: sessions survive", async () => {
    const ok = await login(gw.services, { password: ADMIN_PASSWORD, ip: "192.0.2.60" });
    if (ok.kind !== "ok") throw new Error("login failed");
    const restarted = instance(ADMIN_PASSWORD);
    expect((await sessionFromCookie(restarted, cookieOf(ok.cookie)))?.id).toBe(ok.session.id);
    expect((await gw.services.db.serverSecret.findFirstOrThrow()).rotatedAt).toBeNull();
  });

  test("a new password replaces the secret once, however many instances start with it, and ends every session", async () => {
    const before = await gw.services.db.serverSecret.findFirstOrThrow();
    const ok = await login(gw.services, { password: ADMIN_PASSWORD, ip: "192.0.2.61" });
    if (ok.kind !== "ok") throw new Error("login failed");
    const cookie = cookieOf(ok.cookie);

    const instances = Array.from({ length: 5 }, () => instance(NEW_PASSWORD));
    const signatures = await signAll(instances);
    expect(new Set(signatures).size).toBe(1);
    expect(signatures[0]).not.toBe(await signSessionId(gw.services, id));
    const after = await gw.services.db.serverSecret.findFirstOrThrow();
    expect(after.value).not.toBe(before.value);
    expect(after.passwordCheck).not.toBe(before.passwordCheck);
    expect(after.rotatedAt).not.toBeNull();
    const changes = await gw.services.db.auditLog.findMany({ where: { action: "console.password_changed" } });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ actor: "system" });
    expect(changes[0]!.comment).toMatch(/2 sessions ended/);

    // The old cookie names nothing on the new instances, and its session is revoked in the table, so even an
    // instance still running with the old password and the old keys no longer accepts it.
    expect(await sessionFromCookie(instances[0]!, cookie)).toBeNull();
    expect(await gw.services.db.adminSession.count({ where: { revokedAt: null } })).toBe(0);
    expect(await sessionFromCookie(gw.services, cookie)).toBeNull();

    // Signing in with the new password works on every new instance.
    const fresh = await login(instances[1]!, { password: NEW_PASSWORD, ip: "192.0.2.62" });
    if (fresh.kind !== "ok") throw new Error("login with the new password failed");
    expect((await sessionFromCookie(instances[4]!, cookieOf(fresh.cookie)))?.id).toBe(fresh.session.id);

    // Going back to the old password is another change: the old cookie stays dead, and the new one too.
    const back = instance(ADMIN_PASSWORD);
    expect(await sessionFromCookie(back, cookie)).toBeNull();
    expect(await sessionFromCookie(back, cookieOf(fresh.cookie))).toBeNull();
    expect(await gw.services.db.auditLog.count({ where: { action: "console.password_changed" } })).toBe(2);
  });
});
