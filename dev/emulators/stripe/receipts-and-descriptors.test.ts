// Receipts (receipt_email on PaymentIntents and Charges, the Customer's preferred_locales), statement descriptor
// suffixes, radar_options and the account, each with Stripe's validation.
import Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { call, PUBLISHABLE_KEY, startHarness, useHarness, errorOf, sdk } from "./test-helpers";

const h = useHarness();

/** A succeeded card payment, confirmed as the payer's browser does (publishable key + client secret). */
async function paid(params: Partial<Stripe.PaymentIntentCreateParams> = {}): Promise<Stripe.PaymentIntent> {
  const pi = await h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", automatic_payment_methods: { enabled: true }, ...params });
  const res = await call(h.emulator, "POST", `/v1/payment_intents/${pi.id}/confirm`, {
    key: PUBLISHABLE_KEY,
    form: { client_secret: pi.client_secret ?? "", payment_method: "pm_card_visa", return_url: "https://pay.example.com/done" },
  });
  expect(res.body.status).toBe(params.capture_method === "manual" ? "requires_capture" : "succeeded");
  return h.stripe.paymentIntents.retrieve(pi.id);
}

describe("receipts", () => {
  test("receipt_email on the PaymentIntent: one receipt when the payment succeeds, and the payer's browser can read the address", async () => {
    const pi = await paid({ receipt_email: "payer@example.com" });
    expect(h.emulator.sentReceipts()).toEqual([
      expect.objectContaining({ charge: pi.latest_charge, paymentIntent: pi.id, email: "payer@example.com", locale: null, amount: 2500, currency: "eur" }),
    ]);
    // Stripe returns receipt_email to a publishable-key caller holding the client secret: why the gateway never sets it there.
    const asPayer = await call(h.emulator, "GET", `/v1/payment_intents/${pi.id}?client_secret=${pi.client_secret}`, { key: PUBLISHABLE_KEY });
    expect(asPayer.body.receipt_email).toBe("payer@example.com");
  });

  test("no receipt_email, no receipt; a new address on the paid charge sends one, in the Customer's language; the same address again does not", async () => {
    const customer = await h.stripe.customers.create({ description: "Navixy user 1", preferred_locales: ["de"] });
    const pi = await paid({ customer: customer.id });
    expect(h.emulator.sentReceipts()).toEqual([]);
    const charge = await h.stripe.charges.update(String(pi.latest_charge), { receipt_email: "owner@example.com" });
    expect(charge).toMatchObject({ id: pi.latest_charge, receipt_email: "owner@example.com" });
    expect(charge.receipt_number).toMatch(/^\d+-\d{4}$/);
    await h.stripe.charges.update(String(pi.latest_charge), { receipt_email: "owner@example.com" });
    expect(h.emulator.sentReceipts()).toEqual([expect.objectContaining({ charge: pi.latest_charge, email: "owner@example.com", locale: "de" })]);
    // Only the secret key reads a charge.
    const asPayer = await call(h.emulator, "GET", `/v1/charges/${pi.latest_charge}`, { key: PUBLISHABLE_KEY });
    expect(asPayer.status).toBe(401);
    expect((await h.stripe.paymentIntents.retrieve(pi.id)).receipt_email).toBeNull();
    expect(h.emulator.events().some((e) => e.type === "charge.updated")).toBe(true);
  });

  test("a manual capture: the receipt goes when the charge is captured, not at authorization", async () => {
    const pi = await paid({ capture_method: "manual" });
    await h.stripe.charges.update(String(pi.latest_charge), { receipt_email: "owner@example.com" });
    expect(h.emulator.sentReceipts()).toEqual([]);
    await h.stripe.paymentIntents.capture(pi.id);
    expect(h.emulator.sentReceipts()).toEqual([expect.objectContaining({ email: "owner@example.com", amount: 2500 })]);
  });

  test("a new receipt_email on a succeeded PaymentIntent reaches its charge and sends a receipt", async () => {
    const pi = await paid();
    await h.stripe.paymentIntents.update(pi.id, { receipt_email: "late@example.com" });
    expect(h.emulator.sentReceipts()).toEqual([expect.objectContaining({ email: "late@example.com" })]);
    expect((await h.stripe.charges.retrieve(String(pi.latest_charge))).receipt_email).toBe("late@example.com");
  });

  test("addresses are checked (email_invalid) on PaymentIntents, charges and customers", async () => {
    const bad = "not-an-address";
    for (const p of [
      h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", receipt_email: bad }),
      h.stripe.customers.create({ email: bad }),
    ]) {
      expect(await errorOf(p)).toMatchObject({ code: "email_invalid", statusCode: 400 });
    }
    const pi = await paid();
    expect(await errorOf(h.stripe.charges.update(String(pi.latest_charge), { receipt_email: "a@b" }))).toMatchObject({ code: "email_invalid", param: "receipt_email" });
    expect(await errorOf(h.stripe.charges.update(String(pi.latest_charge), { shipping: { name: "x", address: { line1: "y" } } }))).toMatchObject({ code: "parameter_unknown" });
  });
});

describe("customers: preferred_locales", () => {
  test("set at creation, changed by an update; bad tags are refused", async () => {
    const c = await h.stripe.customers.create({ description: "x", preferred_locales: ["en-GB"] });
    expect(c.preferred_locales).toEqual(["en-GB"]);
    expect((await h.stripe.customers.update(c.id, { preferred_locales: ["de", "en"] })).preferred_locales).toEqual(["de", "en"]);
    expect((await h.stripe.customers.retrieve(c.id)) as Stripe.Customer).toMatchObject({ preferred_locales: ["de", "en"], description: "x" });
    // The SDK sends nothing for an empty list: the locales stay.
    expect((await h.stripe.customers.update(c.id, { preferred_locales: [] })).preferred_locales).toEqual(["de", "en"]);
    expect(await errorOf(h.stripe.customers.update(c.id, { preferred_locales: ["german"] }))).toMatchObject({ param: "preferred_locales[0]" });
    expect(await errorOf(h.stripe.customers.update("cus_nope", { preferred_locales: ["de"] }))).toMatchObject({ statusCode: 404 });
  });
});

describe("statement descriptors", () => {
  test("the suffix follows the account's prefix on the charge, in capitals", async () => {
    const pi = await paid({ statement_descriptor_suffix: "Top up 42" });
    expect(pi.statement_descriptor_suffix).toBe("Top up 42");
    const charge = await h.stripe.charges.retrieve(String(pi.latest_charge));
    expect(charge).toMatchObject({ statement_descriptor_suffix: "Top up 42", calculated_statement_descriptor: "EMULATOR* TOP UP 42" });
    const plain = await paid();
    expect((await h.stripe.charges.retrieve(String(plain.latest_charge))).calculated_statement_descriptor).toBe("STRIPE EMULATOR");
  });

  test.each([
    ["longer than 22 characters", "A".repeat(23)],
    ["a forbidden character", "TOP*UP"],
    ["a quote", "DEALER'S"],
    ["no letter", "12345"],
    ["a non-Latin letter", "ПОПОЛНЕНИЕ"],
  ])("a suffix with %s is refused", async (_what, suffix) => {
    const err = await errorOf(h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", statement_descriptor_suffix: suffix }));
    expect(err).toMatchObject({ statusCode: 400, param: "statement_descriptor_suffix" });
    expect(h.emulator.paymentIntents()).toHaveLength(0);
  });

  test("statement_descriptor is refused for a payment cards can pay (use the suffix)", async () => {
    const err = await errorOf(h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", statement_descriptor: "DEALER TOPUP" }));
    expect(err).toMatchObject({ statusCode: 400, param: "statement_descriptor" });
  });

  test("the account reports its prefix; a longer prefix makes a combination that is cut at 22 characters", async () => {
    const account = await h.stripe.accounts.retrieveCurrent();
    expect(account.settings?.card_payments?.statement_descriptor_prefix).toBe("EMULATOR");
    const other = await startHarness({ statementDescriptorPrefix: "LONGDEALER" });
    try {
      expect((await other.stripe.accounts.retrieveCurrent()).settings?.card_payments?.statement_descriptor_prefix).toBe("LONGDEALER");
      const pi = await other.stripe.paymentIntents.create({
        amount: 2500,
        currency: "eur",
        allowed_payment_method_types: ["card"],
        confirm: true,
        payment_method: "pm_card_visa",
        statement_descriptor_suffix: "BALANCE TOP UP",
      });
      const charge = await other.stripe.charges.retrieve(String(pi.latest_charge));
      expect(charge.calculated_statement_descriptor).toBe("LONGDEALER* BALANCE TO");
    } finally {
      await other.close();
    }
    const control = await call(h.emulator, "POST", "/_emulator/account", { json: { statement_descriptor_prefix: "X" } });
    expect(control.status).toBe(400);
  });
});

describe("the account's id", () => {
  test("one account per secret key: the same key is the same account, another key another; reset keeps it", async () => {
    const account = await h.stripe.accounts.retrieveCurrent();
    expect(account.id).toMatch(/^acct_[0-9a-f]{16}$/);
    expect(account.id).toBe(h.emulator.accountId);
    expect((await h.stripe.accounts.retrieve(null)).id).toBe(account.id);
    const sameKey = await startHarness();
    const otherKey = await startHarness({ secretKey: "sk_test_other_dealer", publishableKey: "pk_test_other_dealer" });
    const named = await startHarness({ accountId: "acct_1DealerNamed" });
    try {
      expect((await sameKey.stripe.accounts.retrieveCurrent()).id).toBe(account.id);
      const other = await sdk(otherKey.emulator, "sk_test_other_dealer").accounts.retrieveCurrent();
      expect(other.id).toMatch(/^acct_[0-9a-f]{16}$/);
      expect(other.id).not.toBe(account.id);
      expect((await named.stripe.accounts.retrieveCurrent()).id).toBe("acct_1DealerNamed");
    } finally {
      await Promise.all([sameKey.close(), otherKey.close(), named.close()]);
    }
    h.emulator.reset();
    expect((await h.stripe.accounts.retrieveCurrent()).id).toBe(account.id);
  });
});

describe("radar_options on create", () => {
  test("session and referrer are accepted; anything else is refused", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", radar_options: { session: "rse_123", referrer: "https://navixy.example.com/" } });
    expect(pi.status).toBe("requires_payment_method");
    const raw = await call(h.emulator, "POST", "/v1/payment_intents", {
      key: "sk_test_emulator",
      form: { amount: "2500", currency: "eur", "radar_options[ip_address]": "203.0.113.9" },
    });
    expect(raw.status).toBe(400);
    expect(raw.body.error).toMatchObject({ code: "parameter_unknown", param: "radar_options[ip_address]" });
    expect(await errorOf(h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", radar_options: { referrer: "not a url" } }))).toMatchObject({ param: "radar_options[referrer]" });
  });
});
