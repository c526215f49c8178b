// One Stripe account, one dealer: Stripe sends each account's events to every endpoint of that account, so two
// dealers on one account would each get the other's events (recorded as foreign: shared-stripe-account.int.test.ts
// in lib/dealers) and see the other's payments in Stripe. A dealer whose Stripe account is another dealer's (the
// environment's own included, and a suspended one, whose webhook still runs) does not go live; the check names that
// dealer to the operator. The comparison uses the account id each dealer's checks stored, not the other dealers' keys.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, TEST_KEYS, type Gateway } from "../../dev/testing/harness";
import { startNavixyEmulator, type NavixyEmulator } from "../../dev/emulators/navixy/server";
import { startStripeEmulator, type StripeEmulator } from "../../dev/emulators/stripe/server";
import { addDealerChecked, changeDealer, checkDealer, suspendDealer, type DealerCheckReport } from "./dealers";
import { runSetupChecks } from "./setup";
import { findDealer, learnedFacts } from "../dealers/directory";

const skip = databaseUnavailable();

const SECRETS_KEY = `k1:${Buffer.alloc(32, 9).toString("base64")}`;
const OPERATOR = { actor: "test-operator", ip: null };
const ONE = { secret: "sk_test_dealer_one", publishable: "pk_test_dealer_one" };
const TWO = { secret: "sk_test_dealer_two", publishable: "pk_test_dealer_two" };

const accountCheck = (r: DealerCheckReport) => r.checks.find((c) => c.id === "stripe-account");

describe.skipIf(skip)("two dealers never share one Stripe account", () => {
  let gw: Gateway;
  let navixy: NavixyEmulator;
  let stripeOne: StripeEmulator;
  let stripeTwo: StripeEmulator;
  let defaultAccount: string;

  /** A hosted dealer's variables: its own Navixy login, and the Stripe account (key and API) given. */
  const values = (stripe: { secret: string; publishable: string; url: string }, webhookSecret: string) => ({
    STRIPE_SECRET_KEY: stripe.secret,
    STRIPE_PUBLISHABLE_KEY: stripe.publishable,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_API_URL: stripe.url,
    NAVIXY_API_URL: navixy.apiUrl,
    NAVIXY_PANEL_LOGIN: navixy.credentials.login,
    NAVIXY_PANEL_PASSWORD: navixy.credentials.password,
    NAVIXY_TIMEOUT_MS: "1000",
  });

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { SECRETS_KEY } });
    navixy = await startNavixyEmulator({ users: [{ id: 30001, firstName: "Ida", lastName: "Lund", balance: "0.00" }], currency: "EUR" });
    stripeOne = await startStripeEmulator({ secretKey: ONE.secret, publishableKey: ONE.publishable });
    stripeTwo = await startStripeEmulator({ secretKey: TWO.secret, publishableKey: TWO.publishable });
    defaultAccount = (await gw.stripe.accounts.retrieveCurrent()).id;
  }, 60_000);

  afterAll(async () => {
    await stripeOne?.close();
    await stripeTwo?.close();
    await navixy?.close();
    await gw?.close();
  });

  test("the emulator has one account per key: GET /v1/account names it", async () => {
    expect(stripeOne.accountId).toMatch(/^acct_\w{8,}$/);
    expect(stripeOne.accountId).not.toBe(stripeTwo.accountId);
    expect(defaultAccount).toBe(gw.stripeEmulator.accountId);
    expect(defaultAccount).not.toBe(stripeOne.accountId);
    // Another emulator with the same key is the same account.
    const again = await startStripeEmulator({ secretKey: ONE.secret, publishableKey: ONE.publishable });
    try {
      expect(again.accountId).toBe(stripeOne.accountId);
    } finally {
      await again.close();
    }
  });

  test("a dealer on the environment's own Stripe account stays in setup, and the check names the default dealer", async () => {
    const report = await addDealerChecked(OPERATOR, {
      slug: "twin",
      name: "Twin of the default",
      values: values({ secret: TEST_KEYS.secret, publishable: TEST_KEYS.publishable, url: gw.stripeEmulator.url }, "whsec_twin_signing_secret"),
    });
    expect(report.dealer.status).toBe("setup");
    expect(report.blocking.map((c) => c.id)).toEqual(["stripe-account"]);
    const check = accountCheck(report)!;
    expect(check.state).toBe("failed");
    expect(check.detail).toContain(defaultAccount);
    expect(check.detail).toContain('"default"');
    // Checked again: still refused.
    expect((await checkDealer(OPERATOR, "twin")).dealer.status).toBe("setup");
  });

  test("a dealer with its own Stripe account goes live; its account id is stored with its settings", async () => {
    const report = await addDealerChecked(OPERATOR, { slug: "one", name: "Dealer One", values: values({ ...ONE, url: stripeOne.url }, "whsec_one_signing_secret") });
    expect(report.blocking).toEqual([]);
    expect(report.dealer.status).toBe("active");
    expect(accountCheck(report)).toMatchObject({ state: "ok" });
    expect(accountCheck(report)!.detail).toContain(stripeOne.accountId);
    const row = await findDealer(gw.services.rootDb, "one");
    expect(learnedFacts(row!).stripeAccountId).toBe(stripeOne.accountId);
    // Its variables are what they were: the stored account is not one of them.
    expect(Object.keys(JSON.parse(row!.settings))).not.toContain("STRIPE_ACCOUNT_ID");
  });

  test("a dealer on another hosted dealer's account is refused by name, from the stored id alone", async () => {
    // Dealer one's Stripe is out of reach: the comparison does not need its key.
    await stripeOne.close();
    const sameAccount = await startStripeEmulator({ secretKey: ONE.secret, publishableKey: ONE.publishable });
    try {
      const report = await addDealerChecked(OPERATOR, { slug: "two", name: "Dealer Two", values: values({ ...ONE, url: sameAccount.url }, "whsec_two_signing_secret") });
      expect(report.dealer.status).toBe("setup");
      expect(report.blocking.map((c) => c.id)).toEqual(["stripe-account"]);
      const detail = accountCheck(report)!.detail;
      expect(detail).toContain(stripeOne.accountId);
      expect(detail).toContain('"one"');
      expect(detail).not.toContain('"default"');

      // Suspended, dealer one still counts: its webhook keeps taking events for money in flight.
      await suspendDealer(OPERATOR, "one", "contract ended");
      const again = await checkDealer(OPERATOR, "two");
      expect(again.dealer.status).toBe("setup");
      expect(accountCheck(again)!.detail).toContain('"one"');
    } finally {
      await sameAccount.close();
    }

    // Given its own account, it goes live.
    const fixed = await changeDealer(OPERATOR, "two", { STRIPE_SECRET_KEY: TWO.secret, STRIPE_PUBLISHABLE_KEY: TWO.publishable, STRIPE_API_URL: stripeTwo.url });
    expect(fixed.blocking).toEqual([]);
    expect(fixed.dealer.status).toBe("active");
    expect(learnedFacts((await findDealer(gw.services.rootDb, "two"))!).stripeAccountId).toBe(stripeTwo.accountId);
  });

  test("a dealer in setup whose Stripe account cannot be read keeps no other dealer from going live; it is compared when it goes live itself", async () => {
    const THREE = { secret: "sk_test_dealer_three", publishable: "pk_test_dealer_three" };
    const stripeThree = await startStripeEmulator({ secretKey: THREE.secret, publishableKey: THREE.publishable });
    try {
      // A key its Stripe does not know (a typo): in setup, its account never read.
      const broken = await addDealerChecked(OPERATOR, {
        slug: "typo",
        name: "Dealer Typo",
        values: values({ secret: "sk_test_not_a_key_stripe_knows", publishable: TWO.publishable, url: stripeTwo.url }, "whsec_typo_signing_secret"),
      });
      expect(broken.dealer.status).toBe("setup");
      expect(learnedFacts((await findDealer(gw.services.rootDb, "typo"))!).stripeAccountId).toBeUndefined();

      const three = await addDealerChecked(OPERATOR, { slug: "three", name: "Dealer Three", values: values({ ...THREE, url: stripeThree.url }, "whsec_three_signing_secret") });
      expect(three.blocking).toEqual([]);
      expect(three.dealer.status).toBe("active");
      expect(accountCheck(three)).toMatchObject({ state: "ok" });

      // Its key corrected to dealer three's account: it stays in setup, and its check names dealer three.
      const corrected = await changeDealer(OPERATOR, "typo", { STRIPE_SECRET_KEY: THREE.secret, STRIPE_PUBLISHABLE_KEY: THREE.publishable, STRIPE_API_URL: stripeThree.url });
      expect(corrected.dealer.status).toBe("setup");
      expect(corrected.blocking.map((c) => c.id)).toEqual(["stripe-account"]);
      expect(accountCheck(corrected)!.detail).toContain('"three"');
    } finally {
      await stripeThree.close();
    }
  });

  test("the environment's own dealer's setup page names a hosted dealer on its account", async () => {
    const check = (await runSetupChecks(gw.services, { viewer: "operator" })).find((c) => c.id === "stripe-account")!;
    expect(check.state).toBe("failed");
    expect(check.detail).toContain('"twin"');
    expect(check.detail).not.toContain('"one"');
  });
});
