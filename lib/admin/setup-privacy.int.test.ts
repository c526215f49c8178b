// The Setup page of a dealer signed in with its own console login compares its Stripe account with the other
// dealers' of the deployment, and tells it only "another dealer of this deployment uses it": never another dealer's
// slug, status, Stripe account or the error its check ran into (which can carry a masked key). Loading the page
// writes nothing of another dealer (a write would restart that dealer's worker lane). The operator sees names.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { startNavixyEmulator, type NavixyEmulator } from "../../dev/emulators/navixy/server";
import { startStripeEmulator, type StripeEmulator } from "../../dev/emulators/stripe/server";
import { addDealerChecked, checkDealer } from "./dealers";
import { runSetupChecks, type SetupCheck } from "./setup";
import { findDealer, learnedFacts } from "../dealers/directory";
import { servicesForDealer, type Services } from "../server/services";

const skip = databaseUnavailable();

const SECRETS_KEY = `k1:${Buffer.alloc(32, 3).toString("base64")}`;
const OPERATOR = { actor: "test-operator", ip: null };
const ORCHID = { secret: "sk_test_orchid_account", publishable: "pk_test_orchid_account" };
const HERON = { secret: "sk_test_heron_account", publishable: "pk_test_heron_account" };
const LAPSED = { secret: "sk_test_lapsed_account", publishable: "pk_test_lapsed_account" };

const accountCheck = (checks: SetupCheck[]) => checks.find((c) => c.id === "stripe-account")!;

describe.skipIf(skip)("what a dealer's Setup page tells of the other dealers", () => {
  let gw: Gateway;
  let navixy: NavixyEmulator;
  const emulators: StripeEmulator[] = [];
  let orchid: StripeEmulator;
  let heron: StripeEmulator;

  const values = (stripe: { secret: string; publishable: string }, url: string, webhookSecret: string) => ({
    STRIPE_SECRET_KEY: stripe.secret,
    STRIPE_PUBLISHABLE_KEY: stripe.publishable,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_URL: url,
    NAVIXY_API_URL: navixy.apiUrl,
    NAVIXY_PANEL_LOGIN: navixy.credentials.login,
    NAVIXY_PANEL_PASSWORD: navixy.credentials.password,
  });
  const services = async (slug: string): Promise<Services> => (await servicesForDealer((await findDealer(gw.services.rootDb, slug))!.id))!;

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { SECRETS_KEY } });
    navixy = await startNavixyEmulator({ users: [{ id: 40001, firstName: "Ann", lastName: "Holm", balance: "0.00" }], currency: "EUR" });
    for (const keys of [ORCHID, ORCHID, HERON, LAPSED]) emulators.push(await startStripeEmulator({ secretKey: keys.secret, publishableKey: keys.publishable }));
    const [orchidEmulator, twinEmulator, heronEmulator, lapsedEmulator] = emulators as [StripeEmulator, StripeEmulator, StripeEmulator, StripeEmulator];
    orchid = orchidEmulator;
    heron = heronEmulator;

    // Live on an account of its own.
    expect((await addDealerChecked(OPERATOR, { slug: "orchid", name: "Orchid", values: values(ORCHID, orchid.url, "whsec_orchid_signing") })).dealer.status).toBe("active");
    // On orchid's account: stays in setup.
    expect((await addDealerChecked(OPERATOR, { slug: "twin-orchid", name: "Twin", values: values(ORCHID, twinEmulator.url, "whsec_twin_signing") })).dealer.status).toBe("setup");
    expect((await addDealerChecked(OPERATOR, { slug: "lapsed", name: "Lapsed", values: values(LAPSED, lapsedEmulator.url, "whsec_lapsed_signing") })).dealer.status).toBe("active");
    // A dealer on an account of its own, looking at its Setup page.
    await addDealerChecked(OPERATOR, { slug: "heron", name: "Heron", values: values(HERON, heron.url, "whsec_heron_signing") });
    // A key its Stripe refuses: its account is never known, and the error names the key, masked.
    const broken = await addDealerChecked(OPERATOR, { slug: "broken-key", name: "Broken", values: values({ ...HERON, secret: "sk_test_not_this_account_key" }, heron.url, "whsec_broken_signing") });
    expect(broken.dealer.status).toBe("setup");
    // Lapsed, live, loses its stored account (a row from before accounts were stored): it is read with its key when
    // another dealer's check compares with it.
    const row = (await findDealer(gw.services.rootDb, "lapsed"))!;
    const { learned: _learned, ...variables } = JSON.parse(row.settings) as Record<string, unknown>;
    await gw.services.rootDb.dealer.update({ where: { id: row.id }, data: { settings: JSON.stringify(variables) } });
  }, 90_000);

  afterAll(async () => {
    for (const e of emulators) await e.close();
    await navixy?.close();
    await gw?.close();
  });

  const OTHERS = /orchid|broken-key|lapsed|heron|"default"|\((active|setup|suspended)\)|sk_test_|\*\*\*/;

  // A dealer's view is what runSetupChecks gives unless the operator's is asked for.
  test("a dealer on another dealer's account is told only that another dealer of the deployment uses it", async () => {
    const checks = await runSetupChecks(await services("twin-orchid"));
    const check = accountCheck(checks);
    expect(check.state).toBe("failed");
    expect(check.detail).toContain(orchid.accountId); // its own account
    expect(check.detail).toContain("another dealer of this deployment");
    expect(check.detail.replace(orchid.accountId, "")).not.toMatch(OTHERS);
    expect(JSON.stringify(checks).replace(new RegExp(orchid.accountId, "g"), "")).not.toMatch(/orchid|broken-key|lapsed|heron|sk_test_/);
    // The operator, on the same dealer, is told which one.
    expect(accountCheck(await runSetupChecks(await services("twin-orchid"), { viewer: "operator" })).detail).toContain('dealer "orchid" (active)');
  });

  test("another dealer's error text (a masked key) and account ids never reach a dealer's page", async () => {
    const checks = await runSetupChecks(await services("heron"));
    const check = accountCheck(checks);
    // broken-key's account cannot be known; it is in setup, so it is compared when it goes live, not now.
    expect(check.state).toBe("ok");
    expect(check.detail).toContain(heron.accountId);
    expect(check.detail.replace(heron.accountId, "")).not.toMatch(OTHERS);
    const text = JSON.stringify(checks).replace(new RegExp(heron.accountId, "g"), "");
    expect(text).not.toMatch(/orchid|broken-key|lapsed|sk_test_|Invalid API Key/);
    for (const e of emulators) if (e !== heron) expect(text).not.toContain(e.accountId);
    // The operator is told which dealer is left for later.
    expect(accountCheck(await runSetupChecks(await services("heron"), { viewer: "operator" })).detail).toMatch(/dealer "broken-key" \(setup\) compared when it goes live/);
  });

  test("loading a dealer's Setup page, or checking a dealer, writes no other dealer's row", async () => {
    const before = (await findDealer(gw.services.rootDb, "lapsed"))!;
    expect(learnedFacts(before).stripeAccountId).toBeUndefined();
    await runSetupChecks(await services("heron"));
    await runSetupChecks(await services("twin-orchid"), { viewer: "operator" });
    await checkDealer(OPERATOR, "heron");
    const after = (await findDealer(gw.services.rootDb, "lapsed"))!;
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
    expect(after.settings).toBe(before.settings);
    // Its own check stores its own account again.
    await checkDealer(OPERATOR, "lapsed");
    expect(learnedFacts((await findDealer(gw.services.rootDb, "lapsed"))!).stripeAccountId).toBe(emulators[3]!.accountId);
  });
});
