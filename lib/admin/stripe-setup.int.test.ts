// The setup page's Stripe details: PUBLIC_URL's domain with Stripe's payment method domains API (Apple Pay,
// Google Pay, Link), registered by a console action that is audit-logged, and the statement descriptor checked
// against the account's real prefix.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, type Gateway } from "../../dev/testing/harness";
import { WHO } from "../../dev/testing/admin-support";
import { consoleFormAction } from "./form-actions";
import { readWalletDomain, registerWalletDomain, runSetupChecks, walletDomainCheck, type SetupCheck } from "./setup";
import type { AdminRequest } from "./http";

const skip = databaseUnavailable();

const check = async (gw: Gateway, id: string): Promise<SetupCheck> => (await runSetupChecks(gw.services)).find((c) => c.id === id)!;

async function setPrefix(gw: Gateway, prefix: string | null): Promise<void> {
  const res = await fetch(`${gw.stripeEmulator.url}/_emulator/account`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ statement_descriptor_prefix: prefix }),
  });
  expect(res.status).toBe(200);
}

describe.skipIf(skip)("setup: wallets and the statement descriptor (https PUBLIC_URL)", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { PUBLIC_URL: "https://pay.example.com", STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: "Top up now 24/7" } });
  });
  afterAll(async () => gw?.close());

  test("not registered: the check fails and says how to fix it", async () => {
    const c = await check(gw, "wallet-domain");
    expect(c).toMatchObject({ state: "failed", label: "Wallets on pay.example.com (Apple Pay, Google Pay)" });
    expect(c.detail).toMatch(/not registered with Stripe/);
    expect(c.parts).toBeUndefined();
  });

  test("the button registers the domain once, then asks Stripe to check it again; both in the audit log", async () => {
    const created = await registerWalletDomain(gw.services, WHO);
    expect(created).toMatchObject({ kind: "created", status: { domain: "pay.example.com" } });
    if (created.kind === "refused") return;
    expect(gw.stripeEmulator.paymentMethodDomains()).toEqual([expect.objectContaining({ id: created.domainId, domain_name: "pay.example.com", enabled: true })]);
    const ok = await check(gw, "wallet-domain");
    expect(ok.state).toBe("ok");
    expect(ok.parts).toEqual([
      { label: "Apple Pay", state: "ok", detail: "active" },
      { label: "Google Pay", state: "ok", detail: "active" },
      { label: "Link", state: "ok", detail: "active" },
    ]);

    // Stripe later finds Apple Pay inactive: the check shows which wallet and Stripe's reason.
    gw.stripeEmulator.setWalletStatus(created.domainId, "apple_pay", "inactive", "The domain association file could not be verified.");
    const inactive = await check(gw, "wallet-domain");
    expect(inactive.state).toBe("failed");
    expect(inactive.detail).toMatch(/not active: Apple Pay/);
    expect(inactive.parts?.[0]).toEqual({ label: "Apple Pay", state: "failed", detail: "inactive: The domain association file could not be verified." });

    // The same button again validates the existing registration (never a second one).
    const form: AdminRequest = { services: gw.services, who: WHO, ip: WHO.ip ?? "", form: new FormData(), session: {} as AdminRequest["session"] };
    const notice = await consoleFormAction("register-wallet-domain")!(gw.services, form);
    expect(notice).toBe(`pay.example.com was checked again by Stripe (${created.domainId}): Apple Pay active, Google Pay active, Link active.`);
    expect(gw.stripeEmulator.paymentMethodDomains()).toHaveLength(1);
    expect((await check(gw, "wallet-domain")).state).toBe("ok");

    const rows = await gw.services.db.auditLog.findMany({ where: { action: "stripe.payment_method_domain.register" }, orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.actor, r.target, JSON.parse(r.after ?? "{}").outcome])).toEqual([
      [WHO.actor, created.domainId, "created"],
      [WHO.actor, created.domainId, "validated"],
    ]);
    expect(JSON.parse(rows[0]!.after ?? "{}")).toMatchObject({ domain: "pay.example.com", wallets: { apple_pay: "active", google_pay: "active", link: "active" } });
  });

  test("a domain turned off in Stripe is a failed check", async () => {
    const [pmd] = gw.stripeEmulator.paymentMethodDomains();
    await gw.stripe.paymentMethodDomains.update(pmd!.id, { enabled: false });
    try {
      const c = await check(gw, "wallet-domain");
      expect(c.state).toBe("failed");
      expect(c.detail).toMatch(/disabled in Stripe/);
    } finally {
      await gw.stripe.paymentMethodDomains.update(pmd!.id, { enabled: true });
    }
  });

  test("the statement descriptor is checked with the account's own prefix", async () => {
    await setPrefix(gw, "NVX");
    try {
      expect(await check(gw, "statement-descriptor")).toMatchObject({ state: "ok", detail: 'statements show "NVX* TOP UP NOW 24/7" (20 of 22 characters)' });
      await setPrefix(gw, "EMULATOR");
      const tooLong = await check(gw, "statement-descriptor");
      expect(tooLong.state).toBe("failed");
      expect(tooLong.detail).toBe(
        '"EMULATOR* TOP UP NOW 24/7" is 25 characters, more than the 22 a statement shows: shorten STRIPE_STATEMENT_DESCRIPTOR_SUFFIX to 12 characters or the prefix "EMULATOR"',
      );
      // No prefix of its own: Stripe uses the account's descriptor, cut to 10 characters.
      await setPrefix(gw, null);
      expect((await check(gw, "statement-descriptor")).detail).toMatch(/^"STRIPE EMU\* TOP UP NOW 24\/7" is 27 characters/);
    } finally {
      await setPrefix(gw, "EMULATOR");
    }
  });

  test("Stripe refusing the registration is a refusal the console shows, audit-logged", async () => {
    await gw.stripeEmulator.close(); // Stripe unreachable
    const outcome = await registerWalletDomain(gw.services, WHO);
    expect(outcome.kind).toBe("refused");
    const status = await readWalletDomain(gw.services);
    expect(walletDomainCheck(status)).toMatchObject({ state: "failed", detail: expect.stringMatching(/^Stripe could not be asked/) });
    const last = await gw.services.db.auditLog.findFirst({ where: { action: "stripe.payment_method_domain.register" }, orderBy: { id: "desc" } });
    expect(JSON.parse(last?.after ?? "{}")).toMatchObject({ outcome: "refused", domain: "pay.example.com" });
  });
});

describe.skipIf(skip)("setup: a PUBLIC_URL wallets cannot appear on", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false });
  });
  afterAll(async () => gw?.close());

  test("an IP address or http: the check says why, without asking Stripe; no suffix set is fine", async () => {
    const c = await check(gw, "wallet-domain");
    expect(c.state).toBe("unknown");
    expect(c.detail).toMatch(/127\.0\.0\.1 is not a public domain name/);
    expect(gw.stripeEmulator.paymentMethodDomains()).toEqual([]);
    expect(await check(gw, "statement-descriptor")).toMatchObject({ state: "ok", detail: expect.stringMatching(/is not set/) });
    const refused = await registerWalletDomain(gw.services, WHO);
    expect(refused).toMatchObject({ kind: "refused", message: expect.stringMatching(/^Stripe refused: Invalid domain_name: 127\.0\.0\.1/) });
  });
});
