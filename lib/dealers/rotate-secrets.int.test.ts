// Rotating SECRETS_KEY (`npm run dealers -- rotate-secrets`): every dealer secret is resealed under the newest key,
// and the command says the older keys may go only once every stored value opens with the newest key alone. A
// dealer change landing between the reseal's read and its conditional write (another instance, still on the old
// key, changing a setting) makes that write match nothing: it is not counted, the row is read again and retried,
// and while anything is still under an older key the command says so and exits non-zero.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import type { Db } from "../db/client";
import type { Config } from "../config";
import { addDealer, dealerValues, resealDealerSecrets, secretContext, updateDealerValues, type DealerRow } from "./directory";
import { openSecret, parseSecretsKey, sealSecret } from "./secret-box";

const skip = databaseUnavailable();

const OLD = `k1:${randomBytes(32).toString("base64")}`;
const NEW = `k2:${randomBytes(32).toString("base64")}`;
const ROTATED = `${NEW},${OLD}`;

const SECRET_VALUES = { STRIPE_SECRET_KEY: "sk_test_rotation_dealer", STRIPE_WEBHOOK_SECRET: "whsec_rotation_dealer", NAVIXY_PANEL_PASSWORD: "navixy-rotation-password" };
const VALUES = {
  ...SECRET_VALUES,
  STRIPE_PUBLISHABLE_KEY: "pk_test_rotation_dealer",
  NAVIXY_API_URL: "http://127.0.0.1:9/v2",
  NAVIXY_PANEL_LOGIN: "rotation-dealer",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `db` whose dealer.updateMany on `dealerId` first lets `change` land (at most `times` times): a change made between
 * the reseal's read of the row and its conditional write.
 */
function racing(db: Db, dealerId: string, change: () => Promise<void>, times: number): Db {
  let left = times;
  const dealer = new Proxy(db.dealer, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (prop !== "updateMany") return typeof value === "function" ? value.bind(target) : value;
      return async (args: { where?: { id?: string } }) => {
        if (args.where?.id === dealerId && left-- > 0) await change();
        return target.updateMany(args as Parameters<typeof target.updateMany>[0]);
      };
    },
  });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "dealer") return dealer;
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe.skipIf(skip)("rotating SECRETS_KEY", () => {
  let gw: Gateway;
  let rootDb: Db;
  const withKey = (secretsKey: string): Config => ({ ...gw.services.config, secretsKey });

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { SECRETS_KEY: OLD } });
    rootDb = gw.services.rootDb;
  }, 60_000);

  afterAll(async () => {
    process.env.SECRETS_KEY = OLD;
    await gw?.close();
  });

  beforeEach(async () => {
    process.env.SECRETS_KEY = OLD;
    await rootDb.dealer.deleteMany({});
  });

  const add = (slug: string) => addDealer(rootDb, withKey(OLD), process.env, { slug, name: `Dealer ${slug}`, values: VALUES });

  /** Another instance, still on the old SECRETS_KEY alone, changes one of the dealer's settings (its secrets are sealed again, under k1). */
  const changeOnOldInstance = (id: string, max: string) => async () => {
    await sleep(5); // a later updatedAt than the one the reseal read
    const row = await rootDb.dealer.findUniqueOrThrow({ where: { id } });
    await updateDealerValues(rootDb, withKey(OLD), process.env, row, { PAYMENT_MAX_AMOUNT: max });
  };

  /** Each stored secret of the row opened with a ring of `key` alone (null when it does not open). */
  function openedWith(row: DealerRow, key: string): Record<string, string | null> {
    const ring = parseSecretsKey(key);
    const sealed = JSON.parse(row.secrets) as Record<string, string>;
    return Object.fromEntries(
      Object.entries(sealed).map(([name, value]) => {
        try {
          return [name, openSecret(ring, value, secretContext(row.id, name))];
        } catch {
          return [name, null];
        }
      }),
    );
  }

  test("a change between the read and the write makes the write match nothing: it is not counted, and the row is resealed again", async () => {
    const dealer = await add("rotation-a");
    const db = racing(rootDb, dealer.id, changeOnOldInstance(dealer.id, "600"), 1);

    const report = await resealDealerSecrets(db, withKey(ROTATED));

    // Every stored value opens with the newest key alone: the old one may really go.
    const after = await rootDb.dealer.findUniqueOrThrow({ where: { id: dealer.id } });
    expect(openedWith(after, NEW)).toEqual(SECRET_VALUES);
    // The concurrent change is kept, not overwritten with the values read before it.
    expect(dealerValues(after, parseSecretsKey(NEW)).PAYMENT_MAX_AMOUNT).toBe("600");
    // Counted once, as written on the retry; nothing left under an older key.
    expect(report).toEqual({ newestKey: "k2", resealed: 3, remaining: [], checked: 3 });
  });

  test("a change on every attempt: nothing counted as resealed, every value still under k1 named, and the old key still opens them", async () => {
    const dealer = await add("rotation-b");
    let n = 0;
    const db = racing(rootDb, dealer.id, () => changeOnOldInstance(dealer.id, String(500 + ++n))(), Infinity);

    const report = await resealDealerSecrets(db, withKey(ROTATED));

    expect(report.resealed).toBe(0);
    expect(report.remaining.map((r) => [r.dealer, r.variable])).toEqual([
      ["rotation-b", "NAVIXY_PANEL_PASSWORD"],
      ["rotation-b", "STRIPE_SECRET_KEY"],
      ["rotation-b", "STRIPE_WEBHOOK_SECRET"],
    ]);
    expect(report.remaining.every((r) => r.problem.includes("'k1'"))).toBe(true);
    const after = await rootDb.dealer.findUniqueOrThrow({ where: { id: dealer.id } });
    expect(openedWith(after, OLD)).toEqual(SECRET_VALUES);
    expect(dealerValues(after, parseSecretsKey(OLD)).PAYMENT_MAX_AMOUNT).toBe(String(500 + n));
    expect(n).toBeGreaterThan(1); // it was retried
  });

  const cli = (secretsKey: string) =>
    promisify(execFile)(process.execPath, ["--import", "tsx", "lib/ops/dealers-cli.ts", "rotate-secrets"], {
      cwd: process.cwd(),
      env: { ...process.env, SECRETS_KEY: secretsKey, LOG_LEVEL: "silent" },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
    );

  test("the command: done only when every stored value opens with the newest key; a value no key opens is named, exit 1, the others resealed", async () => {
    // A value sealed under a key SECRETS_KEY no longer has (k0 dropped too early): no rotation can move it.
    const lost = await add("rotation-lost");
    const k0 = parseSecretsKey(`k0:${randomBytes(32).toString("base64")}`);
    const secrets = JSON.parse(lost.secrets) as Record<string, string>;
    secrets.NAVIXY_PANEL_PASSWORD = sealSecret(k0, "navixy-rotation-password", secretContext(lost.id, "NAVIXY_PANEL_PASSWORD"));
    await rootDb.dealer.update({ where: { id: lost.id }, data: { secrets: JSON.stringify(secrets) } });
    const fine = await add("rotation-fine");

    const failed = await cli(ROTATED);
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stderr).toContain("rotation-lost NAVIXY_PANEL_PASSWORD");
    expect(failed.stderr).toContain("'k0'");
    expect(failed.stderr).toMatch(/keep every key of SECRETS_KEY/i);
    expect(failed.stdout + failed.stderr).not.toMatch(/can now leave/);
    // The rest was still resealed: the good dealer, and the lost dealer's other values.
    expect(openedWith(await rootDb.dealer.findUniqueOrThrow({ where: { id: fine.id } }), NEW)).toEqual(SECRET_VALUES);
    expect(openedWith(await rootDb.dealer.findUniqueOrThrow({ where: { id: lost.id } }), NEW)).toEqual({ ...SECRET_VALUES, NAVIXY_PANEL_PASSWORD: null });

    // With the lost value entered again (as the message advises), the next run finds everything under k2 and says
    // the old keys may go.
    const row = await rootDb.dealer.findUniqueOrThrow({ where: { id: lost.id } });
    await updateDealerValues(rootDb, withKey(ROTATED), process.env, row, { NAVIXY_PANEL_PASSWORD: "navixy-rotation-password" });
    const done = await cli(ROTATED);
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.stdout).toContain("0 secret value(s) resealed");
    expect(done.stdout).toContain("every stored secret (6) opens with the newest key 'k2'");
    expect(done.stdout).toContain("the older keys can now leave SECRETS_KEY");
  });
});
