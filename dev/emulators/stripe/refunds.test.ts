import Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { call, eventTypes, useHarness } from "./test-helpers";

const h = useHarness();

const paid = (amount = 2500, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  h.stripe.paymentIntents.create({ amount, currency: "usd", allowed_payment_method_types: ["card"], confirm: true, payment_method: "pm_card_visa", ...extra });

describe("refunds", () => {
  test("full refund by payment_intent: succeeded at once, charge marked refunded, events", async () => {
    const pi = await paid();
    const refund = await h.stripe.refunds.create({ payment_intent: pi.id, reason: "requested_by_customer", metadata: { by: "support" } });
    expect(refund.id).toMatch(/^re_[A-Za-z0-9]{24}$/);
    expect(refund).toMatchObject({
      object: "refund",
      amount: 2500,
      currency: "usd",
      status: "succeeded",
      payment_intent: pi.id,
      charge: pi.latest_charge,
      reason: "requested_by_customer",
      metadata: { by: "support" },
    });
    const charge = await h.stripe.charges.retrieve(pi.latest_charge as string, { expand: ["refunds"] });
    expect(charge).toMatchObject({ amount_refunded: 2500, refunded: true });
    expect(charge.refunds?.data.map((r) => r.id)).toEqual([refund.id]);
    expect(await h.stripe.refunds.retrieve(refund.id)).toMatchObject({ id: refund.id, amount: 2500 });
    expect(eventTypes(h.emulator).slice(-2)).toEqual(["refund.created", "charge.refunded"]);
    const chargeRefunded = h.emulator.events().find((e) => e.type === "charge.refunded");
    expect(chargeRefunded?.data.object).toMatchObject({ object: "charge", id: pi.latest_charge, amount_refunded: 2500, refunded: true });
    // The PaymentIntent itself stays succeeded.
    expect((await h.stripe.paymentIntents.retrieve(pi.id)).status).toBe("succeeded");
  });

  test("partial refunds add up; the remainder is the default; over-refunds are refused", async () => {
    const pi = await paid(5000);
    const r1 = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    const r2 = await h.stripe.refunds.create({ charge: pi.latest_charge as string, amount: 1500 });
    expect(r2.payment_intent).toBe(pi.id);
    let charge = await h.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 2500, refunded: false });

    await expect(h.stripe.refunds.create({ payment_intent: pi.id, amount: 2600 })).rejects.toMatchObject({
      type: "StripeInvalidRequestError",
      statusCode: 400,
      code: "amount_too_large",
      param: "amount",
      message: "Refund amount ($26.00) is greater than unrefunded amount on charge ($25.00)",
    });
    const r3 = await h.stripe.refunds.create({ payment_intent: pi.id });
    expect(r3.amount).toBe(2500);
    charge = await h.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 5000, refunded: true });
    await expect(h.stripe.refunds.create({ payment_intent: pi.id, amount: 1 })).rejects.toMatchObject({
      code: "charge_already_refunded",
      message: `Charge ${pi.latest_charge} has already been refunded.`,
    });

    const list = await h.stripe.refunds.list({ payment_intent: pi.id });
    expect(list.data.map((r) => r.id)).toEqual([r3.id, r2.id, r1.id]);
    expect(list.url).toBe("/v1/refunds");
    const limited = await h.stripe.refunds.list({ payment_intent: pi.id, limit: 1, starting_after: r3.id });
    expect(limited.data.map((r) => r.id)).toEqual([r2.id]);
    expect(limited.has_more).toBe(true);
  });

  test("first over-refund message names the charge amount", async () => {
    const pi = await paid(2000);
    await expect(h.stripe.refunds.create({ payment_intent: pi.id, amount: 3000 })).rejects.toMatchObject({
      code: "amount_too_large",
      message: "Refund amount ($30.00) is greater than charge amount ($20.00)",
    });
  });

  test("a partially captured payment refunds at most what was captured", async () => {
    const pi = await paid(4000, { capture_method: "manual" });
    await h.stripe.paymentIntents.capture(pi.id, { amount_to_capture: 3000 });
    await expect(h.stripe.refunds.create({ payment_intent: pi.id, amount: 3500 })).rejects.toMatchObject({ code: "amount_too_large" });
    const refund = await h.stripe.refunds.create({ payment_intent: pi.id });
    expect(refund.amount).toBe(3000);
    expect(await h.stripe.charges.retrieve(pi.latest_charge as string)).toMatchObject({ amount_refunded: 4000, refunded: true });
  });

  test("unpaid or unknown payments cannot be refunded", async () => {
    const unpaid = await h.stripe.paymentIntents.create({ amount: 1000, currency: "usd" });
    await expect(h.stripe.refunds.create({ payment_intent: unpaid.id })).rejects.toMatchObject({ statusCode: 400 });
    const held = await paid(1000, { capture_method: "manual" });
    await expect(h.stripe.refunds.create({ payment_intent: held.id })).rejects.toMatchObject({ statusCode: 400 });
    await expect(h.stripe.refunds.create({ payment_intent: "pi_missing" })).rejects.toMatchObject({
      statusCode: 404,
      message: "No such payment_intent: 'pi_missing'",
    });
    await expect(h.stripe.refunds.create({ charge: "ch_missing" })).rejects.toMatchObject({ statusCode: 404, message: "No such charge: 'ch_missing'" });
    await expect(h.stripe.refunds.create({})).rejects.toMatchObject({ statusCode: 400 });
    await expect(h.stripe.refunds.retrieve("re_missing")).rejects.toMatchObject({ statusCode: 404, code: "resource_missing" });
    expect(h.emulator.refunds()).toHaveLength(0);
  });

  test("refunds are idempotent like every POST", async () => {
    const pi = await paid(3000);
    const a = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 1000 }, { idempotencyKey: "refund:1" });
    const b = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 1000 }, { idempotencyKey: "refund:1" });
    expect(b.id).toBe(a.id);
    expect(h.emulator.refunds()).toHaveLength(1);
    expect((await h.stripe.charges.retrieve(pi.latest_charge as string)).amount_refunded).toBe(1000);
  });

  test("charges list by payment_intent; refunds expand their charge", async () => {
    const pi = await paid();
    const charges = await h.stripe.charges.list({ payment_intent: pi.id });
    expect(charges.data.map((c) => c.id)).toEqual([pi.latest_charge]);
    const refund = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 100, expand: ["charge"] });
    expect((refund.charge as Stripe.Charge).amount_refunded).toBe(100);
    await expect(h.stripe.refunds.retrieve(refund.id, { expand: ["nope"] })).rejects.toMatchObject({
      message: "This property cannot be expanded (nope).",
    });
  });

  test("a succeeded refund can fail later, as Stripe's do: status, reason, the charge and the events", async () => {
    const pi = await paid(3000);
    const refund = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 2000 });
    const before = h.emulator.events().length;

    const failed = h.emulator.failRefund(refund.id, "lost_or_stolen_card");
    expect(failed).toMatchObject({ id: refund.id, status: "failed", failure_reason: "lost_or_stolen_card", amount: 2000 });
    expect(failed.failure_balance_transaction).toMatch(/^txn_/);
    // Read back through the real SDK: the refund is failed and the money counts as not refunded.
    expect(await h.stripe.refunds.retrieve(refund.id)).toMatchObject({ status: "failed", failure_reason: "lost_or_stolen_card" });
    expect((await h.stripe.refunds.list({ payment_intent: pi.id })).data.map((r) => [r.id, r.status])).toEqual([[refund.id, "failed"]]);
    expect(await h.stripe.charges.retrieve(pi.latest_charge as string)).toMatchObject({ amount_refunded: 0, refunded: false });
    const events = h.emulator.events().slice(before);
    expect(events.map((e) => e.type)).toEqual(["charge.refund.updated", "refund.updated", "refund.failed"]);
    for (const e of events) expect(e.data.object).toMatchObject({ object: "refund", id: refund.id, status: "failed", payment_intent: pi.id });

    // The amount can be refunded again; a failed refund cannot fail twice.
    expect((await h.stripe.refunds.create({ payment_intent: pi.id })).amount).toBe(3000);
    expect(() => h.emulator.failRefund(refund.id)).toThrow(/only a pending or succeeded refund can fail/);
  });

  test("the control fails a refund over HTTP, with Stripe's failure reasons only", async () => {
    const pi = await paid(1500);
    const refund = await h.stripe.refunds.create({ payment_intent: pi.id });
    const bad = await call(h.emulator, "POST", `/_emulator/refunds/${refund.id}/fail`, { json: { failure_reason: "bank_said_no" } });
    expect(bad.status).toBe(400);
    expect((await h.stripe.refunds.retrieve(refund.id)).status).toBe("succeeded");
    const ok = await call(h.emulator, "POST", `/_emulator/refunds/${refund.id}/fail`, { json: {} });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: refund.id, status: "failed", failure_reason: "unknown" });
    expect((await call(h.emulator, "POST", `/_emulator/refunds/${refund.id}/fail`, { json: {} })).status).toBe(400);
    expect((await call(h.emulator, "POST", "/_emulator/refunds/re_missing/fail", { json: {} })).status).toBe(404);
    expect(eventTypes(h.emulator, pi.id).slice(-3)).toEqual(["charge.refund.updated", "refund.updated", "refund.failed"]);
  });
});
