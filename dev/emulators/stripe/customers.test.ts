import Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { call, eventTypes, PUBLISHABLE_KEY, useHarness, errorOf } from "./test-helpers";

const h = useHarness();

const authenticate = (id: string, outcome: "complete" | "fail") =>
  call(h.emulator, "POST", `/_emulator/payment_intents/${id}/authenticate`, { json: { outcome } });

/** A card PaymentMethod from raw details, as Stripe.js creates it. */
async function cardPm(number: string): Promise<string> {
  const res = await call(h.emulator, "POST", "/v1/payment_methods", {
    key: PUBLISHABLE_KEY,
    form: { type: "card", "card[number]": number, "card[exp_month]": "12", "card[exp_year]": String(new Date().getUTCFullYear() + 2), "card[cvc]": "123" },
  });
  expect(res.status).toBe(200);
  return res.body.id as string;
}

/** The payer pays on-session with `setup_future_usage: off_session` (3-D Secure completed when asked). */
async function enrol(customer: string, number: string): Promise<{ pi: Stripe.PaymentIntent; pm: string }> {
  const created = await h.stripe.paymentIntents.create({
    amount: 2500,
    currency: "eur",
    customer,
    setup_future_usage: "off_session",
    automatic_payment_methods: { enabled: true },
    metadata: { navixy_user_id: "1" },
  });
  const pm = await cardPm(number);
  const confirmed = await call(h.emulator, "POST", `/v1/payment_intents/${created.id}/confirm`, {
    key: PUBLISHABLE_KEY,
    form: { client_secret: created.client_secret!, payment_method: pm, return_url: "https://example.test/done" },
  });
  expect(confirmed.status).toBe(200);
  if (confirmed.body.status === "requires_action") expect((await authenticate(created.id, "complete")).status).toBe(200);
  const pi = await h.stripe.paymentIntents.retrieve(created.id);
  expect(pi.status).toBe("succeeded");
  return { pi, pm };
}

const offSession = (customer: string, pm: string, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  h.stripe.paymentIntents.create({
    amount: 1000,
    currency: "eur",
    customer,
    payment_method: pm,
    off_session: true,
    confirm: true,
    ...extra,
  });

describe("customers", () => {
  test("create and retrieve; unknown ids are 404", async () => {
    const c = await h.stripe.customers.create({ metadata: { navixy_user_id: "10001" }, description: "Navixy user 10001" });
    expect(c.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(c).toMatchObject({ object: "customer", metadata: { navixy_user_id: "10001" }, description: "Navixy user 10001", livemode: false });
    expect(await h.stripe.customers.retrieve(c.id)).toMatchObject({ id: c.id, metadata: { navixy_user_id: "10001" } });
    const missing = await errorOf(h.stripe.customers.retrieve("cus_nope"));
    expect(missing).toMatchObject({ statusCode: 404, code: "resource_missing" });
    expect(eventTypes(h.emulator)).toContain("customer.created");
  });

  test("an idempotency key returns the same customer", async () => {
    const a = await h.stripe.customers.create({ metadata: { navixy_user_id: "7" } }, { idempotencyKey: "customer:navixy-user:7" });
    const b = await h.stripe.customers.create({ metadata: { navixy_user_id: "7" } }, { idempotencyKey: "customer:navixy-user:7" });
    expect(b.id).toBe(a.id);
  });

  test("a PaymentIntent for an unknown customer is refused", async () => {
    const err = await errorOf(h.stripe.paymentIntents.create({ amount: 1000, currency: "eur", customer: "cus_unknown" }));
    expect(err).toMatchObject({ statusCode: 404, code: "resource_missing", param: "customer" });
  });
});

describe("saving a card with setup_future_usage", () => {
  test("a successful payment attaches its PaymentMethod to the customer", async () => {
    const c = await h.stripe.customers.create({});
    const { pi, pm } = await enrol(c.id, "4242424242424242");
    expect(pi).toMatchObject({ customer: c.id, setup_future_usage: "off_session", payment_method: pm });
    expect(await h.stripe.paymentMethods.retrieve(pm)).toMatchObject({ id: pm, customer: c.id });
    const list = await h.stripe.paymentMethods.list({ customer: c.id, type: "card" });
    expect(list.data.map((p) => p.id)).toEqual([pm]);
    const viaCustomer = await h.stripe.customers.listPaymentMethods(c.id, { type: "card" });
    expect(viaCustomer.data.map((p) => p.id)).toEqual([pm]);
    expect(eventTypes(h.emulator)).toContain("payment_method.attached");
  });

  test("without setup_future_usage nothing is saved; a declined payment saves nothing", async () => {
    const c = await h.stripe.customers.create({});
    const plain = await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur", customer: c.id, payment_method: "pm_card_visa", confirm: true, allowed_payment_method_types: ["card"] });
    expect(plain.status).toBe("succeeded");
    const declined = await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur", customer: c.id, setup_future_usage: "off_session", allowed_payment_method_types: ["card"] });
    await errorOf(h.stripe.paymentIntents.confirm(declined.id, { payment_method: "pm_card_chargeDeclined" }));
    expect((await h.stripe.paymentMethods.list({ customer: c.id, type: "card" })).data).toEqual([]);
  });

  test("listing needs a customer", async () => {
    const err = await errorOf(h.stripe.paymentMethods.list({ type: "card" }));
    expect(err).toMatchObject({ statusCode: 400, param: "customer" });
  });

  test("attach and detach", async () => {
    const c = await h.stripe.customers.create({});
    const other = await h.stripe.customers.create({});
    const pm = await cardPm("4242424242424242");
    expect(await h.stripe.paymentMethods.attach(pm, { customer: c.id })).toMatchObject({ customer: c.id });
    expect(await errorOf(h.stripe.paymentMethods.attach(pm, { customer: other.id }))).toMatchObject({ statusCode: 400 });
    expect(await h.stripe.paymentMethods.detach(pm)).toMatchObject({ customer: null });
    expect((await h.stripe.paymentMethods.list({ customer: c.id, type: "card" })).data).toEqual([]);
  });
});

describe("off-session charges with a saved card", () => {
  test("4242 succeeds, again and again with the same PaymentMethod id", async () => {
    const c = await h.stripe.customers.create({});
    const { pm } = await enrol(c.id, "4242424242424242");
    for (let i = 0; i < 3; i++) {
      const pi = await offSession(c.id, pm, { metadata: { round: String(i) } });
      expect(pi).toMatchObject({ status: "succeeded", amount_received: 1000, payment_method: pm, customer: c.id });
    }
    expect(await h.stripe.paymentMethods.retrieve(pm)).toMatchObject({ customer: c.id });
  });

  test("a card that always needs 3-D Secure (4000 0027 6000 3184) declines off-session with authentication_required", async () => {
    const c = await h.stripe.customers.create({});
    const { pm } = await enrol(c.id, "4000002760003184");
    const err = await errorOf(offSession(c.id, pm));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err).toMatchObject({ statusCode: 402, code: "authentication_required", decline_code: "authentication_required" });
    const pi = err.payment_intent!;
    expect(pi.status).toBe("requires_payment_method");
    expect(pi.last_payment_error).toMatchObject({ code: "authentication_required", payment_method: { id: pm } });
    // The payer comes back on-session: the same saved card, confirmed with the client secret, then 3-D Secure.
    const again = await call(h.emulator, "POST", `/v1/payment_intents/${pi.id}/confirm`, {
      key: PUBLISHABLE_KEY,
      form: { client_secret: pi.client_secret!, payment_method: pm },
    });
    expect(again.body.status).toBe("requires_action");
    await authenticate(pi.id, "complete");
    expect(await h.stripe.paymentIntents.retrieve(pi.id)).toMatchObject({ status: "succeeded", payment_method: pm });
  });

  test("4000 0025 0000 3155, once set up for off-session use, is charged off-session without authentication", async () => {
    const c = await h.stripe.customers.create({});
    const { pm } = await enrol(c.id, "4000002500003155");
    expect(await offSession(c.id, pm)).toMatchObject({ status: "succeeded" });
    // Not set up (only attached): authentication is still required.
    const attached = await cardPm("4000002500003155");
    await h.stripe.paymentMethods.attach(attached, { customer: c.id });
    expect(await errorOf(offSession(c.id, attached))).toMatchObject({ code: "authentication_required" });
  });

  test.each([
    ["4000000000009995", "card_declined", "insufficient_funds"],
    ["4000000000000069", "expired_card", "expired_card"],
    ["4000000000009979", "card_declined", "stolen_card"],
    ["4000000000009987", "card_declined", "lost_card"],
    ["4000000000000002", "card_declined", "generic_decline"],
  ])("%s declines off-session with %s / %s, and the saved card stays valid", async (number, code, declineCode) => {
    const c = await h.stripe.customers.create({});
    const pm = await cardPm(number);
    await h.stripe.paymentMethods.attach(pm, { customer: c.id });
    for (let i = 0; i < 2; i++) {
      const err = await errorOf(offSession(c.id, pm));
      expect(err).toMatchObject({ statusCode: 402, code, decline_code: declineCode });
      expect(err.payment_intent).toMatchObject({ status: "requires_payment_method", payment_method: null, last_payment_error: { code, decline_code: declineCode } });
    }
    expect(await h.stripe.paymentMethods.retrieve(pm)).toMatchObject({ customer: c.id });
  });

  test("a saved card is only used with its own customer", async () => {
    const c = await h.stripe.customers.create({});
    const other = await h.stripe.customers.create({});
    const { pm } = await enrol(c.id, "4242424242424242");
    expect(await errorOf(offSession(other.id, pm))).toMatchObject({ statusCode: 400, code: "payment_method_unexpected_state" });
    const noCustomer = await errorOf(
      h.stripe.paymentIntents.create({ amount: 1000, currency: "eur", payment_method: pm, off_session: true, confirm: true }),
    );
    expect(noCustomer).toMatchObject({ statusCode: 400, code: "payment_method_unexpected_state" });
  });

  test("an off-session confirmation with automatic payment methods needs no return_url", async () => {
    const c = await h.stripe.customers.create({});
    const { pm } = await enrol(c.id, "4242424242424242");
    const pi = await offSession(c.id, pm, { automatic_payment_methods: { enabled: true } });
    expect(pi.status).toBe("succeeded");
  });
});
