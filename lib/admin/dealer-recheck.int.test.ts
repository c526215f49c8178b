// A live dealer's checks run again after it went live: when the operator checks it (`npm run dealers -- check`, the
// console) or changes it, and in the worker's periodic pass over the live dealers. A definite failure takes it back
// out of service (setup: its page takes no new payments, the money it took is still credited), with an audit entry
// under that dealer: its Stripe account is now another live dealer's (the environment's own included), or Stripe
// refuses its key. A transient failure (Stripe unreachable) changes nothing, and neither does a dealer still in setup
// on its account: that one stays out, the live one stays live.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, waitFor, TEST_KEYS, type Gateway } from "../../dev/testing/harness";
import { startNavixyEmulator, type NavixyEmulator } from "../../dev/emulators/navixy/server";
import { startStripeEmulator, type StripeEmulator } from "../../dev/emulators/stripe/server";
import { DEALER_RECHECK_INTERVAL_MS, addDealerChecked, changeDealer, checkDealer, recheckLiveDealers, scheduleDealerRechecks } from "./dealers";
import { findDealer } from "../dealers/directory";
import type { LedgerWorker } from "../payments/worker/ledger-worker";
import { createWorker } from "../server/start";

const skip = databaseUnavailable();

const SECRETS_KEY = `k1:${Buffer.alloc(32, 4).toString("base64")}`;
const OPERATOR = { actor: "test-operator", ip: null };
const key = (name: string) => ({ secret: `sk_test_${name}_account`, publishable: `pk_test_${name}_account` });

describe.skipIf(skip)("a live dealer's checks after go-live", () => {
  let gw: Gateway;
  let navixy: NavixyEmulator;
  const emulators: StripeEmulator[] = [];

  async function stripeFor(name: string): Promise<StripeEmulator> {
    const { secret, publishable } = key(name);
    const emulator = await startStripeEmulator({ secretKey: secret, publishableKey: publishable });
    emulators.push(emulator);
    return emulator;
  }

  const values = (stripe: { url: string; secret: string; publishable: string }, slug: string) => ({
    STRIPE_SECRET_KEY: stripe.secret,
    STRIPE_PUBLISHABLE_KEY: stripe.publishable,
    STRIPE_WEBHOOK_SECRET: `whsec_${slug.replace(/-/g, "_")}_signing`,
    STRIPE_API_URL: stripe.url,
    NAVIXY_API_URL: navixy.apiUrl,
    NAVIXY_PANEL_LOGIN: navixy.credentials.login,
    NAVIXY_PANEL_PASSWORD: navixy.credentials.password,
    PAYMENT_MIN_AMOUNT: "2",
  });

  /** Adds a dealer on an emulator of its own (or the one given, with its keys) and expects it live. */
  async function liveDealer(slug: string, on?: { emulator: StripeEmulator; name: string }) {
    const emulator = on?.emulator ?? (await stripeFor(slug));
    const report = await addDealerChecked(OPERATOR, { slug, name: slug, values: values({ url: emulator.url, ...key(on?.name ?? slug) }, slug) });
    expect(report.dealer.status, JSON.stringify(report.blocking)).toBe("active");
    return { emulator, dealer: report.dealer };
  }

  const statusOf = async (slug: string) => (await findDealer(gw.services.rootDb, slug))!.status;
  const outOfService = async (slug: string) =>
    gw.services.rootDb.auditLog.findMany({ where: { dealerId: (await findDealer(gw.services.rootDb, slug))!.id, action: "dealer.out_of_service" } });

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { SECRETS_KEY } });
    navixy = await startNavixyEmulator({ users: [{ id: 50001, firstName: "Lea", lastName: "Rask", balance: "0.00" }], currency: "EUR" });
  }, 60_000);

  afterAll(async () => {
    for (const e of emulators) await e.close();
    await navixy?.close();
    await gw?.close();
  });

  test("checked by the operator after Stripe refused its key: out of service, audited under the dealer", async () => {
    const { emulator } = await liveDealer("kestrel");
    emulator.expireSecretKey();
    const report = await checkDealer(OPERATOR, "kestrel");
    expect(report.dealer.status).toBe("setup");
    expect(report.blocking.map((c) => c.id)).toContain("stripe-key");
    const [entry, ...more] = await outOfService("kestrel");
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ actor: "test-operator", target: "kestrel" });
    expect(JSON.parse(entry!.before!)).toEqual({ status: "active" });
    expect(JSON.parse(entry!.after!)).toMatchObject({ status: "setup", failed: [{ check: "stripe-key", detail: expect.stringContaining("Expired API Key provided") }] });
    // Checked again: still out, and no second entry.
    expect((await checkDealer(OPERATOR, "kestrel")).dealer.status).toBe("setup");
    expect(await outOfService("kestrel")).toHaveLength(1);
  });

  test("the periodic pass: Stripe unreachable changes nothing; a key Stripe refuses takes the dealer out, once", async () => {
    const { emulator: unreachable } = await liveDealer("plover");
    const { emulator: rolled } = await liveDealer("wren");
    await unreachable.close();
    rolled.expireSecretKey();
    await recheckLiveDealers();
    expect(await statusOf("plover")).toBe("active");
    expect(await outOfService("plover")).toEqual([]);
    expect(await statusOf("wren")).toBe("setup");
    const entries = await outOfService("wren");
    expect(entries.map((e) => e.actor)).toEqual(["system"]);
    await recheckLiveDealers();
    expect(await outOfService("wren")).toHaveLength(1);
  });

  test("each live dealer's check is a due row of its own: scheduled at go-live, run by the worker when due, removed once the dealer is out of service", async () => {
    const { emulator, dealer } = await liveDealer("grebe");
    const task = await gw.services.rootDb.dealerTask.findUniqueOrThrow({ where: { dealerId_kind: { dealerId: dealer.id, kind: "recheck" } } });
    // About an hour away, spread by dealer over a tenth of the interval.
    const inMs = task.dueAt.getTime() - Date.now();
    expect(inMs).toBeGreaterThan(DEALER_RECHECK_INTERVAL_MS - 60_000);
    expect(inMs).toBeLessThanOrEqual(DEALER_RECHECK_INTERVAL_MS * 1.1);
    // Not due: the worker leaves it alone, whatever happens to the key meanwhile.
    emulator.expireSecretKey();
    const worker = createWorker(gw.services);
    worker.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await statusOf("grebe")).toBe("active");
      // Due: one worker runs it; the refused key takes the dealer out, and its task goes with it.
      await gw.services.rootDb.dealerTask.update({ where: { dealerId_kind: { dealerId: dealer.id, kind: "recheck" } }, data: { dueAt: new Date(Date.now() - 1000) } });
      worker.wake();
    } finally {
      await waitFor(async () => (await statusOf("grebe")) === "setup", { what: "grebe out of service by its periodic check", timeoutMs: 90_000 }).finally(() => worker.stop());
    }
    expect((await outOfService("grebe")).map((e) => e.actor)).toEqual(["system"]);
  }, 120_000);

  test("live dealers from before checks were due rows get theirs when the worker starts; then it is one query", async () => {
    const { dealer } = await liveDealer("stilt");
    await gw.services.rootDb.dealerTask.deleteMany({ where: { dealerId: dealer.id } });
    expect(await scheduleDealerRechecks(gw.services.rootDb)).toBe(1);
    expect(await gw.services.rootDb.dealerTask.count({ where: { dealerId: dealer.id, kind: "recheck" } })).toBe(1);
    expect(await scheduleDealerRechecks(gw.services.rootDb)).toBe(0);
  });

  test("the periodic pass compares with the environment's own dealer: a hosted dealer live on its account is taken out; its money already taken is still credited", async () => {
    // Live before accounts were compared (or made live by hand): the check now keeps it in setup.
    const report = await addDealerChecked(OPERATOR, {
      slug: "stray",
      name: "stray",
      values: values({ url: gw.stripeEmulator.url, secret: TEST_KEYS.secret, publishable: TEST_KEYS.publishable }, "stray"),
    });
    expect(report.blocking.map((c) => c.id)).toEqual(["stripe-account"]);
    await gw.services.rootDb.dealer.update({ where: { id: report.dealer.id }, data: { status: "active" } });
    gw.stripeEmulator.setWebhookEndpoints([
      { url: `${gw.url}/api/stripe/webhook`, secret: TEST_KEYS.webhookSecret },
      { url: report.webhookUrl, secret: "whsec_stray_signing" },
    ]);
    const worker = createWorker(gw.services);
    worker.start();
    try {
      // A payer of stray's pays, then the pass runs before the webhooks arrive.
      gw.stripeEmulator.pauseDeliveries(true, "hold");
      const created = await waitFor(
        async () => {
          const res = await gw.request("POST", "/d/stray/api/payments", { userId: 50001, amount: 1200 });
          return res.status === 201 ? res.body : null;
        },
        { what: "stray taking payments", timeoutMs: 8_000 },
      );
      const piId = String(created.clientSecret).split("_secret_")[0]!;
      expect((await gw.confirmAsPayer(piId, created.clientSecret)).status).toBe(200);

      await recheckLiveDealers();
      expect(await statusOf("stray")).toBe("setup");
      const [entry] = await outOfService("stray");
      expect(JSON.parse(entry!.after!).failed.map((f: { check: string }) => f.check)).toEqual(["stripe-account"]);
      // Its page takes no new payment; the one it took is credited.
      await waitFor(async () => (await gw.request("POST", "/d/stray/api/payments", { userId: 50001, amount: 500 })).status === 404, {
        what: "stray's page refusing payments",
        timeoutMs: 8_000,
      });
      gw.stripeEmulator.pauseDeliveries(false);
      await waitFor(() => navixy.balanceCents(50001) === 1200, { what: "stray's payment credited", timeoutMs: 10_000 });
    } finally {
      gw.stripeEmulator.pauseDeliveries(false);
      await worker.stop();
    }
  }, 60_000);

  test("two hosted dealers live on one account: the one added later is taken out, the first stays live", async () => {
    const { emulator } = await liveDealer("older");
    const added = await addDealerChecked(OPERATOR, { slug: "newer", name: "newer", values: values({ url: emulator.url, ...key("older") }, "newer") });
    expect(added.dealer.status).toBe("setup");
    await gw.services.rootDb.dealer.update({ where: { id: added.dealer.id }, data: { status: "active" } });
    await recheckLiveDealers();
    expect(await statusOf("newer")).toBe("setup");
    expect(await statusOf("older")).toBe("active");
    // The first, checked by the operator, stays live: its account is shared only with one out of service.
    expect((await checkDealer(OPERATOR, "older")).dealer.status).toBe("active");
    await recheckLiveDealers();
    expect(await statusOf("older")).toBe("active");
    expect(await outOfService("older")).toEqual([]);
  });

  test("a dealer in setup on a live dealer's account does not take the live one out", async () => {
    const { emulator } = await liveDealer("heron");
    const twin = await addDealerChecked(OPERATOR, { slug: "twin-heron", name: "twin", values: values({ url: emulator.url, ...key("heron") }, "twin-heron") });
    expect(twin.dealer.status).toBe("setup");
    const report = await checkDealer(OPERATOR, "heron");
    expect(report.checks.find((c) => c.id === "stripe-account")?.state).toBe("failed");
    expect(report.dealer.status).toBe("active");
    await recheckLiveDealers();
    expect(await statusOf("heron")).toBe("active");
    expect(await outOfService("heron")).toEqual([]);
  });

  test("a live dealer changed to another live dealer's account is taken out, even the one added first", async () => {
    await liveDealer("finch");
    const { emulator: gulls } = await liveDealer("gull");
    const report = await changeDealer(OPERATOR, "finch", { STRIPE_SECRET_KEY: key("gull").secret, STRIPE_PUBLISHABLE_KEY: key("gull").publishable, STRIPE_API_URL: gulls.url });
    expect(report.dealer.status).toBe("setup");
    expect(await statusOf("gull")).toBe("active");
    expect(await outOfService("finch")).toHaveLength(1);
  });
});
