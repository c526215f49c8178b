// Payment method domains: register a domain for wallets, read each wallet's status, check it again.
import Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { call, useHarness, errorOf } from "./test-helpers";

const h = useHarness();

describe("payment method domains", () => {
  test("create, list by name, retrieve: a public domain has every wallet active", async () => {
    const pmd = await h.stripe.paymentMethodDomains.create({ domain_name: "Pay.Example.com" });
    expect(pmd).toMatchObject({
      object: "payment_method_domain",
      domain_name: "pay.example.com",
      enabled: true,
      livemode: false,
      apple_pay: { status: "active" },
      google_pay: { status: "active" },
      link: { status: "active" },
      paypal: { status: "active" },
    });
    expect(pmd.id).toMatch(/^pmd_/);
    await h.stripe.paymentMethodDomains.create({ domain_name: "shop.example.org" });
    const found = await h.stripe.paymentMethodDomains.list({ domain_name: "pay.example.com" });
    expect(found.data.map((d) => d.id)).toEqual([pmd.id]);
    expect((await h.stripe.paymentMethodDomains.list()).data.map((d) => d.domain_name)).toEqual(["shop.example.org", "pay.example.com"]);
    expect((await h.stripe.paymentMethodDomains.retrieve(pmd.id)).domain_name).toBe("pay.example.com");
    expect(h.emulator.paymentMethodDomains()).toHaveLength(2);
  });

  test.each([["https://pay.example.com"], ["pay.example.com/checkout"], ["pay.example.com:8443"], ["localhost"], ["127.0.0.1"], ["*.example.com"], [""]])(
    "%j is not a domain name",
    async (name) => {
      const err = await errorOf(h.stripe.paymentMethodDomains.create({ domain_name: name }));
      expect(err).toMatchObject({ statusCode: 400, param: "domain_name" });
      expect(h.emulator.paymentMethodDomains()).toEqual([]);
    },
  );

  test("one registration per domain name", async () => {
    await h.stripe.paymentMethodDomains.create({ domain_name: "pay.example.com" });
    expect(await errorOf(h.stripe.paymentMethodDomains.create({ domain_name: "pay.example.com" }))).toMatchObject({ statusCode: 400, code: "resource_already_exists" });
  });

  test("Apple Pay is inactive, with Stripe's reason, where Apple cannot reach the domain; the other wallets are active", async () => {
    const pmd = await h.stripe.paymentMethodDomains.create({ domain_name: "pay.dealer.test" });
    expect(pmd.apple_pay).toEqual({ status: "inactive", status_details: { error_message: expect.stringContaining("pay.dealer.test") } });
    expect(pmd.google_pay.status).toBe("active");
  });

  test("a wallet found inactive later is active again after validate; update turns the domain off", async () => {
    const pmd = await h.stripe.paymentMethodDomains.create({ domain_name: "pay.example.com" });
    const control = await call(h.emulator, "POST", `/_emulator/payment_method_domains/${pmd.id}`, { json: { apple_pay: "inactive", error_message: "Verification file missing" } });
    expect(control.status).toBe(200);
    expect((await h.stripe.paymentMethodDomains.retrieve(pmd.id)).apple_pay).toEqual({ status: "inactive", status_details: { error_message: "Verification file missing" } });
    expect((await h.stripe.paymentMethodDomains.validate(pmd.id)).apple_pay).toEqual({ status: "active" });
    const off = await h.stripe.paymentMethodDomains.update(pmd.id, { enabled: false });
    expect(off.enabled).toBe(false);
    expect((await h.stripe.paymentMethodDomains.list({ enabled: true })).data).toEqual([]);
    expect(await errorOf(h.stripe.paymentMethodDomains.validate("pmd_nope"))).toMatchObject({ statusCode: 404 });
    expect((await call(h.emulator, "POST", `/_emulator/payment_method_domains/${pmd.id}`, { json: { apple_pay: "broken" } })).status).toBe(400);
  });

  test("unknown parameters are refused", async () => {
    const raw = await call(h.emulator, "POST", "/v1/payment_method_domains", { key: "sk_test_emulator", form: { domain_name: "pay.example.com", apple_pay: "on" } });
    expect(raw.status).toBe(400);
    expect(raw.body.error).toMatchObject({ code: "parameter_unknown", param: "apple_pay" });
  });
});
