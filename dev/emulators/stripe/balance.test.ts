import type Stripe from "stripe";
import { describe, expect, test } from "vitest";
import { call, useHarness } from "./test-helpers";

const h = useHarness();

const paid = (amount = 2500, extra: Partial<Stripe.PaymentIntentCreateParams> = {}) =>
  h.stripe.paymentIntents.create({ amount, currency: "usd", allowed_payment_method_types: ["card"], confirm: true, payment_method: "pm_card_visa", ...extra });

async function all(params: Stripe.BalanceTransactionListParams): Promise<Stripe.BalanceTransaction[]> {
  const out: Stripe.BalanceTransaction[] = [];
  for await (const txn of h.stripe.balanceTransactions.list(params)) out.push(txn);
  return out;
}

describe("balance transactions, disputes and payouts", () => {
  test("a charge, a partial capture, a refund, a failed refund and a dispute each move the balance with fee and net", async () => {
    const pi = await paid(10000);
    const charge = await h.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge.balance_transaction).toMatch(/^txn_/);
    const txn = await h.stripe.balanceTransactions.retrieve(charge.balance_transaction as string);
    expect(txn).toMatchObject({ object: "balance_transaction", type: "charge", reporting_category: "charge", amount: 10000, fee: 320, net: 9680, currency: "usd", source: charge.id, status: "available" });
    expect(txn.fee_details).toEqual([expect.objectContaining({ type: "stripe_fee", amount: 320 })]);

    const held = await paid(5000, { capture_method: "manual" });
    expect((await h.stripe.charges.retrieve(held.latest_charge as string)).balance_transaction).toBeNull();
    await h.stripe.paymentIntents.capture(held.id, { amount_to_capture: 4000 });
    const captured = await h.stripe.charges.retrieve(held.latest_charge as string, { expand: [] });
    const capTxn = await h.stripe.balanceTransactions.retrieve(captured.balance_transaction as string);
    expect(capTxn).toMatchObject({ type: "charge", amount: 4000, fee: 146, net: 3854 });

    const refund = await h.stripe.refunds.create({ payment_intent: pi.id, amount: 2500 });
    expect(refund.balance_transaction).toMatch(/^txn_/);
    expect(await h.stripe.balanceTransactions.retrieve(refund.balance_transaction as string)).toMatchObject({ type: "refund", amount: -2500, fee: 0, net: -2500, source: refund.id });
    const failed = h.emulator.failRefund(refund.id);
    expect(await h.stripe.balanceTransactions.retrieve(failed.failure_balance_transaction as string)).toMatchObject({ type: "refund_failure", amount: 2500, source: refund.id });

    const disputed = await paid(3000);
    const dispute = (await call(h.emulator, "POST", `/_emulator/charges/${disputed.latest_charge as string}/dispute`, { json: {} })).body as Stripe.Dispute;
    expect(dispute).toMatchObject({ object: "dispute", amount: 3000, charge: disputed.latest_charge, payment_intent: disputed.id, status: "needs_response" });
    expect(dispute.balance_transactions[0]).toMatchObject({ type: "adjustment", reporting_category: "dispute", amount: -3000, fee: 1500, net: -4500, source: dispute.id });
    expect((await h.stripe.disputes.retrieve(dispute.id)).charge).toBe(disputed.latest_charge);
    expect((await h.stripe.disputes.list({ payment_intent: disputed.id })).data.map((d) => d.id)).toEqual([dispute.id]);
    expect(h.emulator.events().map((e) => e.type)).toContain("charge.dispute.created");

    // Newest first, with the source expanded as Stripe expands it.
    const listed = await h.stripe.balanceTransactions.list({ limit: 100, expand: ["data.source"] });
    expect(listed.data.map((t) => t.type)).toEqual(["adjustment", "charge", "refund_failure", "refund", "charge", "charge"]);
    expect((listed.data[0]!.source as Stripe.Dispute).object).toBe("dispute");
    expect((listed.data[1]!.source as Stripe.Charge).payment_intent).toBe(disputed.id);
    expect((listed.data[3]!.source as Stripe.Refund).payment_intent).toBe(pi.id);
  });

  test("paging with created ranges, starting_after and the SDK's auto-pagination", async () => {
    for (let i = 0; i < 25; i++) await paid(1000 + i);
    const page1 = await h.stripe.balanceTransactions.list({ limit: 10, type: "charge" });
    expect(page1.data).toHaveLength(10);
    expect(page1.has_more).toBe(true);
    const page2 = await h.stripe.balanceTransactions.list({ limit: 10, type: "charge", starting_after: page1.data.at(-1)!.id });
    expect(page2.data[0]!.amount).toBe(page1.data.at(-1)!.amount - 1);
    const now = Math.floor(Date.now() / 1000);
    const everything = await all({ created: { gte: now - 60, lt: now + 60 }, limit: 7 });
    expect(everything).toHaveLength(25);
    expect(new Set(everything.map((t) => t.id)).size).toBe(25);
    expect(await all({ created: { gte: now + 60 } })).toEqual([]);
    await expect(h.stripe.balanceTransactions.list({ expand: ["data.fee_details"] })).rejects.toMatchObject({ statusCode: 400, param: "expand" });
  });

  test("a payout takes every transaction not yet paid out; the transactions inside it are listed by payout", async () => {
    const a = await paid(2000);
    const b = await paid(3000);
    await h.stripe.refunds.create({ payment_intent: b.id, amount: 500 });
    const arrival = Math.floor(Date.now() / 1000) + 2 * 86400;
    const { payouts } = (await call(h.emulator, "POST", "/_emulator/payouts", { json: { arrival_date: arrival } })).body as { payouts: Stripe.Payout[] };
    expect(payouts).toHaveLength(1);
    const payout = payouts[0]!;
    // 2000 − 88 fee + 3000 − 117 fee − 500 refund
    expect(payout).toMatchObject({ object: "payout", amount: 4295, currency: "usd", status: "paid", automatic: true, arrival_date: arrival });
    const inside = await all({ payout: payout.id, expand: ["data.source"] });
    expect(inside.map((t) => t.type).sort()).toEqual(["charge", "charge", "payout", "refund"]);
    expect(inside.filter((t) => t.type === "charge").map((t) => (t.source as Stripe.Charge).payment_intent).sort()).toEqual([a.id, b.id].sort());
    expect(inside.find((t) => t.type === "payout")).toMatchObject({ amount: -4295, source: { id: payout.id } });
    expect((await h.stripe.payouts.list({ arrival_date: { gte: arrival } })).data.map((p) => p.id)).toEqual([payout.id]);
    expect(await h.stripe.payouts.retrieve(payout.id)).toMatchObject({ id: payout.id, balance_transaction: inside.find((t) => t.type === "payout")!.id });
    // Nothing left to pay out.
    expect(((await call(h.emulator, "POST", "/_emulator/payouts", { json: {} })).body as { payouts: unknown[] }).payouts).toEqual([]);
    await expect(h.stripe.balanceTransactions.list({ payout: "po_missing" })).rejects.toMatchObject({ statusCode: 404, code: "resource_missing" });
  });
});
