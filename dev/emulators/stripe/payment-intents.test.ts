import Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { call, eventTypes, PUBLISHABLE_KEY, SECRET_KEY, sdk, startHarness, useHarness } from "./test-helpers";

const h = useHarness();

/** A card-only PaymentIntent (no return_url needed to confirm from the server). */
const cardIntent = (extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", allowed_payment_method_types: ["card"], ...extra });

async function cardErrorOf(p: Promise<unknown>): Promise<Stripe.errors.StripeCardError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
  return err as Stripe.errors.StripeCardError;
}

describe("create and retrieve", () => {
  test("a new PaymentIntent looks like Stripe's", async () => {
    const pi = await h.stripe.paymentIntents.create({
      amount: 2500,
      currency: "EUR",
      automatic_payment_methods: { enabled: true },
      capture_method: "automatic",
      description: "Navixy balance top-up",
      metadata: { payment_id: "pay_1" },
    });
    expect(pi.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_[A-Za-z0-9]+$`));
    expect(pi).toMatchObject({
      object: "payment_intent",
      amount: 2500,
      currency: "eur",
      status: "requires_payment_method",
      amount_received: 0,
      amount_capturable: 0,
      automatic_payment_methods: { enabled: true, allow_redirects: "always" },
      capture_method: "automatic",
      confirmation_method: "automatic",
      livemode: false,
      latest_charge: null,
      last_payment_error: null,
      next_action: null,
      payment_method: null,
      metadata: { payment_id: "pay_1" },
    });
    expect(Math.abs(pi.created - Date.now() / 1000)).toBeLessThan(5);
    expect(pi.lastResponse.requestId).toMatch(/^req_/);

    const again = await h.stripe.paymentIntents.retrieve(pi.id);
    expect(JSON.parse(JSON.stringify(again))).toEqual(JSON.parse(JSON.stringify(pi)));
    expect(eventTypes(h.emulator)).toEqual(["payment_intent.created"]);
  });

  test("defaults as in API 2026: automatic payment methods on, capture automatic_async", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    expect(pi.automatic_payment_methods).toEqual({ allow_redirects: "always", enabled: true });
    expect(pi.capture_method).toBe("automatic_async");
    expect(pi.payment_method_types).toContain("card");
  });

  test("payment_method_types is gone in API 2026-09-30.endive; allowed_payment_method_types excludes automatic_payment_methods", async () => {
    const old = await call(h.emulator, "POST", "/v1/payment_intents", {
      key: SECRET_KEY,
      form: { amount: "1000", currency: "usd", "payment_method_types[0]": "card" },
    });
    expect(old.status).toBe(400);
    expect(old.body.error).toMatchObject({ code: "payment_method_types_no_longer_supported", param: "payment_method_types" });
    await expect(
      h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", automatic_payment_methods: { enabled: true }, allowed_payment_method_types: ["card"] }),
    ).rejects.toMatchObject({ type: "StripeInvalidRequestError", code: "parameters_exclusive" });
    const allowed = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", allowed_payment_method_types: ["card"] });
    expect(allowed).toMatchObject({ allowed_payment_method_types: ["card"], payment_method_types: ["card"], automatic_payment_methods: null });
    const excluded = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd", excluded_payment_method_types: ["card"] });
    expect(excluded.payment_method_types).toEqual([]);
    await expect(h.stripe.paymentIntents.confirm(excluded.id, { payment_method: "pm_card_visa", return_url: "https://x.test" })).rejects.toMatchObject({
      code: "payment_intent_incompatible_payment_method",
    });
  });

  test("404 has Stripe's shape", async () => {
    const res = await call(h.emulator, "GET", "/v1/payment_intents/pi_x", { key: SECRET_KEY });
    expect(res.status).toBe(404);
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(res.body.error).toMatchObject({
      type: "invalid_request_error",
      code: "resource_missing",
      message: "No such payment_intent: 'pi_x'",
      param: "intent",
      doc_url: "https://stripe.com/docs/error-codes/resource-missing",
    });
    await expect(h.stripe.paymentIntents.retrieve("pi_x")).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 404,
      code: "resource_missing",
    });
    const route = await call(h.emulator, "GET", "/v1/nothing_here", { key: SECRET_KEY });
    expect(route.status).toBe(404);
    expect(route.body.error.message).toMatch(/^Unrecognized request URL \(GET: \/v1\/nothing_here\)/);
  });

  test("update amount / metadata / description while unpaid; amount is frozen once succeeded", async () => {
    const pi = await cardIntent({ metadata: { a: "1" } });
    const updated = await h.stripe.paymentIntents.update(pi.id, { amount: 3000, description: "new", metadata: { b: "2" } });
    expect(updated).toMatchObject({ amount: 3000, description: "new", metadata: { a: "1", b: "2" }, status: "requires_payment_method" });
    await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    await expect(h.stripe.paymentIntents.update(pi.id, { amount: 100 })).rejects.toMatchObject({
      code: "payment_intent_unexpected_state",
      param: "amount",
    });
    // Stripe still lets metadata change after success.
    const meta = await h.stripe.paymentIntents.update(pi.id, { metadata: { credited: "yes" } });
    expect(meta.metadata).toMatchObject({ credited: "yes" });
  });

  test("list: newest first, limit, starting_after, created filter", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await cardIntent({ amount: 1000 + i })).id);
    const first = await h.stripe.paymentIntents.list({ limit: 2 });
    expect(first.object).toBe("list");
    expect(first.url).toBe("/v1/payment_intents");
    expect(first.data.map((p) => p.id)).toEqual([ids[4], ids[3]]);
    expect(first.has_more).toBe(true);
    const next = await h.stripe.paymentIntents.list({ limit: 2, starting_after: ids[3] });
    expect(next.data.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    const all: string[] = [];
    for await (const p of h.stripe.paymentIntents.list({ limit: 2 })) all.push(p.id);
    expect(all).toEqual([...ids].reverse());
    const before = await h.stripe.paymentIntents.list({ limit: 10, ending_before: ids[2] });
    expect(before.data.map((p) => p.id)).toEqual([ids[4], ids[3]]);
    const created = await h.stripe.paymentIntents.list({ created: { gte: Math.floor(Date.now() / 1000) + 60 } });
    expect(created.data).toEqual([]);
  });

  test("search by metadata and status", async () => {
    const a = await cardIntent({ metadata: { payment_id: "pay_a" } });
    await cardIntent({ metadata: { payment_id: "pay_b" } });
    await h.stripe.paymentIntents.confirm(a.id, { payment_method: "pm_card_visa" });
    const found = await h.stripe.paymentIntents.search({ query: "metadata['payment_id']:'pay_a' AND status:'succeeded'" });
    expect(found.data.map((p) => p.id)).toEqual([a.id]);
    const big = await h.stripe.paymentIntents.search({ query: "amount>=2500 AND currency:'eur'" });
    expect(big.data).toHaveLength(2);
  });
});

describe("idempotency", () => {
  const params = { amount: 2500, currency: "eur", metadata: { payment_id: "pay_1" } };

  test("same key and params replays the first response byte for byte", async () => {
    const first = await h.stripe.paymentIntents.create(params, { idempotencyKey: "payment:pay_1:create" });
    const second = await h.stripe.paymentIntents.create(params, { idempotencyKey: "payment:pay_1:create" });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers["idempotent-replayed"]).toBe("true");
    expect(first.lastResponse.headers["idempotent-replayed"]).toBeUndefined();
    expect(h.emulator.paymentIntents()).toHaveLength(1);

    const form = { amount: "2500", currency: "eur", "metadata[payment_id]": "pay_2" };
    const raw1 = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form, headers: { "idempotency-key": "raw" } });
    const raw2 = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form, headers: { "idempotency-key": "raw" } });
    expect(raw2.text).toBe(raw1.text);
    expect(raw2.status).toBe(raw1.status);
    expect(raw2.headers.get("original-request")).toBe(raw1.headers.get("request-id"));
  });

  test("same key with other parameters or another endpoint is an idempotency_error", async () => {
    await h.stripe.paymentIntents.create(params, { idempotencyKey: "k-mismatch" });
    const err = await h.stripe.paymentIntents.create({ ...params, amount: 9999 }, { idempotencyKey: "k-mismatch" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^Keys for idempotent requests can only be used with the same parameters they were first used with/),
    });
    const other = await call(h.emulator, "POST", "/v1/refunds", { key: SECRET_KEY, form: { payment_intent: "pi_x" }, headers: { "idempotency-key": "k-mismatch" } });
    expect(other.status).toBe(400);
    expect(other.body.error).toMatchObject({ type: "idempotency_error" });
    expect(other.body.error.message).toMatch(/same endpoint/);
    expect(h.emulator.paymentIntents()).toHaveLength(1);
  });

  test("concurrent requests with one key create one PaymentIntent", async () => {
    const results = await Promise.all(
      Array.from({ length: 25 }, () => h.stripe.paymentIntents.create(params, { idempotencyKey: "k-concurrent" })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(h.emulator.paymentIntents()).toHaveLength(1);
    expect(eventTypes(h.emulator)).toEqual(["payment_intent.created"]);
  });

  test("validation errors are not saved; declines are replayed", async () => {
    const bad = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form: { amount: "x", currency: "eur" }, headers: { "idempotency-key": "k-bad" } });
    expect(bad.status).toBe(400);
    const fixed = await call(h.emulator, "POST", "/v1/payment_intents", { key: SECRET_KEY, form: { amount: "500", currency: "eur" }, headers: { "idempotency-key": "k-bad" } });
    expect(fixed.status).toBe(200);

    const pi = await cardIntent();
    const declined1 = await cardErrorOf(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_chargeDeclined" }, { idempotencyKey: "k-confirm" }));
    const declined2 = await cardErrorOf(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_chargeDeclined" }, { idempotencyKey: "k-confirm" }));
    expect(declined2.charge).toBe(declined1.charge);
    expect(h.emulator.charges()).toHaveLength(1);
  });

  test("keys expire after 24 hours", async () => {
    let now = Date.now();
    const local = await startHarness({ now: () => now });
    try {
      const a = await local.stripe.paymentIntents.create(params, { idempotencyKey: "k-ttl" });
      now += 24 * 3600 * 1000 + 1;
      const b = await local.stripe.paymentIntents.create({ ...params, amount: 3000 }, { idempotencyKey: "k-ttl" });
      expect(b.id).not.toBe(a.id);
    } finally {
      await local.close();
    }
  });
});

describe("confirm", () => {
  test("a successful card: succeeded, charge kept, events", async () => {
    const pi = await cardIntent({ metadata: { payment_id: "pay_1" } });
    const done = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    expect(done).toMatchObject({ status: "succeeded", amount_received: 2500, last_payment_error: null, next_action: null });
    expect(done.payment_method).toMatch(/^pm_[A-Za-z0-9]{24}$/);
    expect(done.latest_charge).toMatch(/^ch_/);
    const charge = await h.stripe.charges.retrieve(done.latest_charge as string);
    expect(charge).toMatchObject({
      object: "charge",
      amount: 2500,
      amount_captured: 2500,
      amount_refunded: 0,
      captured: true,
      paid: true,
      refunded: false,
      status: "succeeded",
      payment_intent: pi.id,
      currency: "eur",
      metadata: { payment_id: "pay_1" },
      payment_method_details: { type: "card", card: { brand: "visa", last4: "4242" } },
    });
    const expanded = await h.stripe.paymentIntents.retrieve(pi.id, { expand: ["latest_charge", "payment_method"] });
    expect((expanded.latest_charge as Stripe.Charge).id).toBe(charge.id);
    expect((expanded.payment_method as Stripe.PaymentMethod).card?.last4).toBe("4242");
    expect(eventTypes(h.emulator)).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]);
    const succeeded = h.emulator.events().find((e) => e.type === "payment_intent.succeeded");
    expect(succeeded?.data.object).toMatchObject({ id: pi.id, status: "succeeded", amount_received: 2500 });
    await expect(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" })).rejects.toMatchObject({
      code: "payment_intent_unexpected_state",
    });
  });

  test("raw card details (payment_method_data), any Luhn-valid number succeeds", async () => {
    const pi = await cardIntent();
    const res = await call(h.emulator, "POST", `/v1/payment_intents/${pi.id}/confirm`, {
      key: SECRET_KEY,
      form: {
        "payment_method_data[type]": "card",
        "payment_method_data[card][number]": "5555 5555 5555 4444",
        "payment_method_data[card][exp_month]": "12",
        "payment_method_data[card][exp_year]": String(new Date().getFullYear() + 2),
        "payment_method_data[card][cvc]": "123",
        "payment_method_data[billing_details][name]": "Jane Smith",
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("succeeded");
    const charge = h.emulator.charges()[0];
    expect(charge?.payment_method_details?.card).toMatchObject({ brand: "mastercard", last4: "4444" });
    expect(charge?.billing_details.name).toBe("Jane Smith");

    const pi2 = await cardIntent();
    const bad = await call(h.emulator, "POST", `/v1/payment_intents/${pi2.id}/confirm`, {
      key: SECRET_KEY,
      form: { "payment_method_data[type]": "card", "payment_method_data[card][number]": "4242424242424241", "payment_method_data[card][exp_month]": "1", "payment_method_data[card][exp_year]": "2099" },
    });
    expect(bad.status).toBe(402);
    expect(bad.body.error).toMatchObject({ type: "card_error", code: "incorrect_number" });
  });

  test("decline: 402 card_error with the PaymentIntent; back to requires_payment_method", async () => {
    const pi = await cardIntent();
    const err = await cardErrorOf(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_chargeDeclined" }));
    expect(err).toMatchObject({ statusCode: 402, code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." });
    expect(err.payment_intent).toMatchObject({ id: pi.id, status: "requires_payment_method" });
    expect(err.charge).toMatch(/^ch_/);
    const after = await h.stripe.paymentIntents.retrieve(pi.id);
    expect(after).toMatchObject({
      status: "requires_payment_method",
      payment_method: null,
      amount_received: 0,
      last_payment_error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." },
    });
    expect(after.last_payment_error?.payment_method?.id).toMatch(/^pm_/);
    const charge = await h.stripe.charges.retrieve(after.latest_charge as string);
    expect(charge).toMatchObject({ status: "failed", paid: false, captured: false, failure_code: "card_declined" });
    expect(eventTypes(h.emulator)).toEqual(["payment_intent.created", "charge.failed", "payment_intent.payment_failed"]);

    // A retry with a good card succeeds and clears the error.
    const ok = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    expect(ok).toMatchObject({ status: "succeeded", last_payment_error: null });
  });

  test("insufficient funds (token and raw number)", async () => {
    const pi = await cardIntent();
    const err = await cardErrorOf(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_chargeDeclinedInsufficientFunds" }));
    expect(err).toMatchObject({ code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." });
    const raw = await call(h.emulator, "POST", `/v1/payment_intents/${pi.id}/confirm`, {
      key: SECRET_KEY,
      form: { "payment_method_data[type]": "card", "payment_method_data[card][number]": "4000000000009995", "payment_method_data[card][exp_month]": "12", "payment_method_data[card][exp_year]": "2099" },
    });
    expect(raw.status).toBe(402);
    expect(raw.body.error).toMatchObject({ type: "card_error", code: "card_declined", decline_code: "insufficient_funds", payment_intent: { id: pi.id } });
  });

  test("create with confirm=true: success, and decline still creates the PaymentIntent", async () => {
    const ok = await cardIntent({ confirm: true, payment_method: "pm_card_visa" });
    expect(ok.status).toBe("succeeded");
    const err = await cardErrorOf(cardIntent({ confirm: true, payment_method: "pm_card_chargeDeclined" }));
    expect(h.emulator.paymentIntents().find((p) => p.id === err.payment_intent?.id)?.status).toBe("requires_payment_method");
  });

  test("automatic payment methods need a return_url when confirmed from the server", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", automatic_payment_methods: { enabled: true } });
    await expect(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" })).rejects.toMatchObject({
      param: "return_url",
      message: expect.stringMatching(/^A `return_url` must be specified/),
    });
    const ok = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa", return_url: "https://gw.test/done" });
    expect(ok.status).toBe("succeeded");
    const never = await h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", automatic_payment_methods: { enabled: true, allow_redirects: "never" } });
    expect((await h.stripe.paymentIntents.confirm(never.id, { payment_method: "pm_card_visa" })).status).toBe("succeeded");
  });

  test("confirm without a payment method is a state error", async () => {
    const pi = await cardIntent();
    await expect(h.stripe.paymentIntents.confirm(pi.id)).rejects.toMatchObject({ code: "payment_intent_unexpected_state" });
    await expect(h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_does_not_exist" })).rejects.toMatchObject({
      statusCode: 404,
      code: "resource_missing",
      message: "No such PaymentMethod: 'pm_does_not_exist'",
    });
  });
});

describe("3-D Secure", () => {
  const authenticate = (id: string, outcome: string) =>
    call(h.emulator, "POST", `/_emulator/payment_intents/${id}/authenticate`, { json: { outcome } });

  test("requires_action with a redirect, then complete -> succeeded", async () => {
    const pi = await cardIntent();
    const pending = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_authenticationRequired", return_url: "https://gw.test/return" });
    expect(pending.status).toBe("requires_action");
    expect(pending.next_action).toMatchObject({
      type: "redirect_to_url",
      redirect_to_url: { url: expect.stringContaining(`${h.emulator.url}/_emulator/3ds/${pi.id}`), return_url: "https://gw.test/return" },
    });
    expect(eventTypes(h.emulator)).toContain("payment_intent.requires_action");
    const res = await authenticate(pi.id, "complete");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: pi.id, status: "succeeded", amount_received: 2500, next_action: null });
    const charge = await h.stripe.charges.retrieve(res.body.latest_charge);
    expect(charge.payment_method_details?.card?.three_d_secure).toMatchObject({ result: "authenticated" });
    const succeeded = h.emulator.events().find((e) => e.type === "payment_intent.succeeded");
    expect(succeeded?.request).toEqual({ id: null, idempotency_key: null });
  });

  test("without return_url the next action is use_stripe_sdk; fail -> payment_intent_authentication_failure", async () => {
    const pi = await cardIntent();
    const pending = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_threeDSecure2Required" });
    expect(pending.next_action?.type).toBe("use_stripe_sdk");
    const res = await authenticate(pi.id, "fail");
    expect(res.body).toMatchObject({
      status: "requires_payment_method",
      payment_method: null,
      last_payment_error: { code: "payment_intent_authentication_failure", type: "invalid_request_error" },
    });
    expect(eventTypes(h.emulator).at(-1)).toBe("payment_intent.payment_failed");
    const again = await authenticate(pi.id, "complete");
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("payment_intent_unexpected_state");
  });

  test("raw 3DS card number, manual capture: complete -> requires_capture", async () => {
    const pi = await cardIntent({ capture_method: "manual" });
    const res = await call(h.emulator, "POST", `/v1/payment_intents/${pi.id}/confirm`, {
      key: SECRET_KEY,
      form: { "payment_method_data[type]": "card", "payment_method_data[card][number]": "4000002760003184", "payment_method_data[card][exp_month]": "12", "payment_method_data[card][exp_year]": "2099" },
    });
    expect(res.body.status).toBe("requires_action");
    expect((await authenticate(pi.id, "complete")).body).toMatchObject({ status: "requires_capture", amount_capturable: 2500 });
  });

  test("4000002500003155: requires_action on-session, authentication_required decline off-session", async () => {
    const onSession = await cardIntent();
    const pending = await h.stripe.paymentIntents.confirm(onSession.id, { payment_method: "pm_card_authenticationRequiredOnSetup" });
    expect(pending.status).toBe("requires_action");

    const offSession = await cardIntent();
    const res = await call(h.emulator, "POST", `/v1/payment_intents/${offSession.id}/confirm`, {
      key: SECRET_KEY,
      form: { off_session: "true", "payment_method_data[type]": "card", "payment_method_data[card][number]": "4000002500003155", "payment_method_data[card][exp_month]": "12", "payment_method_data[card][exp_year]": "2099" },
    });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ type: "card_error", code: "authentication_required", decline_code: "authentication_required" });
    expect(res.body.error.payment_intent.status).toBe("requires_payment_method");
  });
});

describe("manual capture and cancel", () => {
  test("partial capture: amount_received is what was captured, the rest is released", async () => {
    const pi = await cardIntent({ capture_method: "manual" });
    const held = await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    expect(held).toMatchObject({ status: "requires_capture", amount_capturable: 2500, amount_received: 0 });
    expect(await h.stripe.charges.retrieve(held.latest_charge as string)).toMatchObject({ captured: false, amount_captured: 0, status: "succeeded" });
    expect(eventTypes(h.emulator)).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.amount_capturable_updated"]);

    await expect(h.stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 })).rejects.toMatchObject({ param: "amount_to_capture" });
    const captured = await h.stripe.paymentIntents.capture(pi.id, { amount_to_capture: 1500 });
    expect(captured).toMatchObject({ status: "succeeded", amount_received: 1500, amount_capturable: 0 });
    expect(await h.stripe.charges.retrieve(held.latest_charge as string)).toMatchObject({
      captured: true,
      amount_captured: 1500,
      amount_refunded: 1000,
      refunded: false,
    });
    expect(eventTypes(h.emulator).slice(-2)).toEqual(["charge.captured", "payment_intent.succeeded"]);
    await expect(h.stripe.paymentIntents.capture(pi.id)).rejects.toMatchObject({ code: "payment_intent_unexpected_state" });
  });

  test("full capture by default", async () => {
    const pi = await cardIntent({ capture_method: "manual", confirm: true, payment_method: "pm_card_visa" });
    expect((await h.stripe.paymentIntents.capture(pi.id)).amount_received).toBe(2500);
  });

  test("cancel: unpaid and authorised intents; not once succeeded", async () => {
    const unpaid = await cardIntent();
    const canceled = await h.stripe.paymentIntents.cancel(unpaid.id, { cancellation_reason: "abandoned" });
    expect(canceled).toMatchObject({ status: "canceled", cancellation_reason: "abandoned" });
    expect(canceled.canceled_at).toBeGreaterThan(0);

    const held = await cardIntent({ capture_method: "manual", confirm: true, payment_method: "pm_card_visa" });
    const released = await h.stripe.paymentIntents.cancel(held.id);
    expect(released).toMatchObject({ status: "canceled", amount_capturable: 0 });
    expect(await h.stripe.charges.retrieve(released.latest_charge as string)).toMatchObject({ refunded: true, amount_refunded: 2500 });

    const paid = await cardIntent({ confirm: true, payment_method: "pm_card_visa" });
    await expect(h.stripe.paymentIntents.cancel(paid.id)).rejects.toMatchObject({ code: "payment_intent_unexpected_state" });
    await expect(h.stripe.paymentIntents.confirm(unpaid.id, { payment_method: "pm_card_visa" })).rejects.toMatchObject({
      code: "payment_intent_unexpected_state",
    });
    expect(eventTypes(h.emulator, unpaid.id)).toEqual(["payment_intent.created", "payment_intent.canceled"]);
  });
});

describe("API keys", () => {
  test("missing or wrong key -> 401", async () => {
    const none = await call(h.emulator, "GET", "/v1/payment_intents", { key: null });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ type: "invalid_request_error", message: expect.stringMatching(/^You did not provide an API key/) });
    const wrong = await call(h.emulator, "GET", "/v1/payment_intents", { key: "sk_test_wrong0000key" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe("Invalid API Key provided: sk_test_********0key");
    await expect(sdk(h.emulator, "sk_test_nope").paymentIntents.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  test("publishable key: retrieve and confirm with the client_secret only", async () => {
    const pi = await cardIntent({ metadata: { secret: "x" } });
    const asPayer = (method: string, path: string, form?: Record<string, string>) => call(h.emulator, method, path, { key: PUBLISHABLE_KEY, form });

    const noSecret = await asPayer("GET", `/v1/payment_intents/${pi.id}`);
    expect(noSecret.status).toBe(401);
    const wrongSecret = await asPayer("GET", `/v1/payment_intents/${pi.id}?client_secret=${pi.id}_secret_wrong`);
    expect(wrongSecret.status).toBe(400);
    expect(wrongSecret.body.error.param).toBe("client_secret");

    const seen = await asPayer("GET", `/v1/payment_intents/${pi.id}?client_secret=${encodeURIComponent(pi.client_secret ?? "")}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id: pi.id, status: "requires_payment_method", amount: 2500, client_secret: pi.client_secret });
    expect(seen.body.metadata).toBeUndefined(); // Stripe hides these from publishable keys

    const confirmNoSecret = await asPayer("POST", `/v1/payment_intents/${pi.id}/confirm`, { payment_method: "pm_card_visa" });
    expect(confirmNoSecret.status).toBe(401);
    const confirmed = await asPayer("POST", `/v1/payment_intents/${pi.id}/confirm`, { payment_method: "pm_card_visa", client_secret: pi.client_secret ?? "" });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("succeeded");

    // Stripe.js style: the key as a parameter instead of a header.
    const viaParam = await call(h.emulator, "GET", `/v1/payment_intents/${pi.id}?key=${PUBLISHABLE_KEY}&client_secret=${encodeURIComponent(pi.client_secret ?? "")}`, { key: null });
    expect(viaParam.body.status).toBe("succeeded");

    for (const [method, path] of [
      ["GET", "/v1/payment_intents"],
      ["POST", "/v1/payment_intents"],
      ["POST", `/v1/payment_intents/${pi.id}`],
      ["POST", `/v1/payment_intents/${pi.id}/cancel`],
      ["POST", "/v1/refunds"],
      ["GET", "/v1/events"],
    ] as const) {
      const res = await asPayer(method, path, method === "POST" ? { amount: "100", currency: "eur" } : undefined);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error.message).toMatch(/cannot be made with a publishable API key/);
    }
  });

  test("publishable key can create a PaymentMethod and see declines", async () => {
    const pm = await call(h.emulator, "POST", "/v1/payment_methods", {
      key: PUBLISHABLE_KEY,
      form: { type: "card", "card[number]": "4000000000000002", "card[exp_month]": "12", "card[exp_year]": "2099", "card[cvc]": "123" },
    });
    expect(pm.status).toBe(200);
    expect(pm.body).toMatchObject({ object: "payment_method", type: "card", card: { last4: "0002", brand: "visa" } });
    const pi = await cardIntent();
    const res = await call(h.emulator, "POST", `/v1/payment_intents/${pi.id}/confirm`, {
      key: PUBLISHABLE_KEY,
      form: { payment_method: pm.body.id, client_secret: pi.client_secret ?? "" },
    });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ type: "card_error", code: "card_declined", payment_intent: { id: pi.id, status: "requires_payment_method" } });
  });
});
