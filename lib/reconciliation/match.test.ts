import { describe, expect, test } from "vitest";
import { matchBooks, type LedgerMovement, type LedgerPayment, type MatchInput } from "./match";
import type { NavixyEntry, StripeEntry } from "./sources";

const start = new Date("2026-12-06T00:00:00Z");
const end = new Date("2026-12-07T00:00:00Z");
const noon = new Date("2026-12-06T12:00:00Z");
const unix = (d: Date) => Math.floor(d.getTime() / 1000);

function txn(over: Partial<StripeEntry>): StripeEntry {
  return {
    id: `txn_${Math.random().toString(36).slice(2)}`,
    type: "charge",
    reportingCategory: "charge",
    amount: 2500,
    fee: 103,
    net: 2397,
    currency: "eur",
    created: unix(noon),
    sourceId: "ch_1",
    paymentIntentId: "pi_AAAAAAAA1",
    chargeId: "ch_1",
    refundId: null,
    disputeId: null,
    refundStatus: null,
    ...over,
  };
}

function movement(over: Partial<LedgerMovement>): LedgerMovement {
  return {
    id: `mv_${Math.random().toString(36).slice(2)}`,
    paymentId: "pay_1",
    paymentIntentId: "pi_AAAAAAAA1",
    kind: "credit",
    idempotencyKey: "credit:pi_AAAAAAAA1",
    state: "applied",
    amount: 2500,
    currency: "eur",
    navixyAmount: "25.00",
    reference: "pi_AAAAAAAA1",
    navixyUserId: 7,
    appliedAt: noon,
    lastError: null,
    ...over,
  };
}

function navixy(amount: string, text: string): NavixyEntry {
  return { userId: 7, timestamp: "2026-12-06 12:00:01", amount, text, ids: text.match(/\b(?:pi|re|dp)_[A-Za-z0-9]{8,}/g) ?? [] };
}

function input(over: Partial<MatchInput> & { movements?: LedgerMovement[] }): MatchInput {
  const movements = over.movements ?? [movement({})];
  const payment: LedgerPayment = { id: "pay_1", paymentIntentId: "pi_AAAAAAAA1", navixyUserId: 7, currency: "eur", amountReceived: 2500, movements };
  return {
    period: { start, end },
    dealerCurrency: "EUR",
    stripe: [txn({})],
    navixy: [navixy("25.00", "Balance top-up via Stripe, payment pi_AAAAAAAA1")],
    payments: new Map([["pi_AAAAAAAA1", payment]]),
    appliedInPeriod: movements.filter((m) => m.state === "applied"),
    appliedByReference: new Map(),
    stripeNow: { paymentIntents: new Map(), refunds: new Map() },
    ...over,
  };
}

describe("matching the books", () => {
  test("a paid, credited payment with its Navixy transaction is balanced", () => {
    const out = matchBooks(input({}));
    expect(out.differences).toEqual([]);
    expect(out.totals["eur"]).toMatchObject({ gross: 2500, fees: 103, net: 2397, credited: 2500, navixyCredited: 2500 });
  });

  test("a dispute won gives the money back: no difference, and the disputed total goes down", () => {
    const dispute = txn({ type: "adjustment", reportingCategory: "dispute", amount: -2500, fee: 1500, net: -4000, sourceId: "dp_1", disputeId: "dp_DDDDDDDD1" });
    const won = txn({ type: "adjustment", reportingCategory: "dispute_reversal", amount: 2500, fee: -1500, net: 4000, sourceId: "dp_1", disputeId: "dp_DDDDDDDD1" });
    const out = matchBooks(input({ stripe: [txn({}), dispute, won] }));
    expect(out.differences.map((d) => d.class)).toEqual(["refund_or_dispute_not_debited"]);
    expect(out.differences[0]!.amount).toBe(2500);
    expect(out.totals["eur"]).toMatchObject({ disputed: 0, net: 2397 });
  });

  test("payouts and their failures are not the payments' money", () => {
    const out = matchBooks(
      input({
        stripe: [txn({}), txn({ type: "payout", amount: -2397, fee: 0, net: -2397, sourceId: "po_1" }), txn({ type: "payout_failure", amount: 2397, fee: 0, net: 2397, sourceId: "po_1" })],
      }),
    );
    expect(out.differences).toEqual([]);
    expect(out.totals["eur"]!.net).toBe(2397);
  });

  test("a debit taken off a credit not yet sent is explained; a refund that failed before its debit was sent too", () => {
    const refund = txn({ type: "refund", reportingCategory: "refund", amount: -500, fee: 0, net: -500, sourceId: "re_RRRRRRRR1", refundId: "re_RRRRRRRR1" });
    const absorbed = movement({ kind: "debit", idempotencyKey: "debit:re_RRRRRRRR1", state: "canceled", amount: 500, reference: "re_RRRRRRRR1", appliedAt: null, lastError: "not debited: the credit had not been sent yet and was lowered by 500 instead" });
    const lowered = movement({ amount: 2000, navixyAmount: "20.00" });
    const out = matchBooks(input({ stripe: [txn({}), refund], movements: [lowered, absorbed], navixy: [navixy("20.00", "Balance top-up via Stripe, payment pi_AAAAAAAA1")] }));
    expect(out.differences).toEqual([]);

    const failed = { ...refund, refundStatus: "failed" };
    const voided = movement({ kind: "debit", idempotencyKey: "debit:re_RRRRRRRR1", state: "canceled", amount: 500, reference: "re_RRRRRRRR1", appliedAt: null, lastError: "refund failed at Stripe (unknown): ...; not debited" });
    expect(matchBooks(input({ stripe: [txn({}), failed], movements: [movement({}), voided] })).differences).toEqual([]);
  });

  test("a charge in another currency than its payment, and a credit of another amount", () => {
    const usd = matchBooks(input({ stripe: [txn({ currency: "usd" })] }));
    expect(usd.differences).toMatchObject([{ class: "amount_or_currency_mismatch", currency: "usd", otherCurrency: "eur" }]);
    const less = matchBooks(input({ movements: [movement({ amount: 2400, navixyAmount: "24.00" })], navixy: [navixy("24.00", "Balance top-up via Stripe, payment pi_AAAAAAAA1")] }));
    expect(less.differences).toMatchObject([{ class: "amount_or_currency_mismatch", amount: 2500, otherAmount: 2400 }]);
  });

  test("two Navixy transactions for one credit: the second is left over", () => {
    const text = "Balance top-up via Stripe, payment pi_AAAAAAAA1";
    const out = matchBooks(input({ navixy: [navixy("25.00", text), navixy("25.00", text)] }));
    expect(out.differences).toMatchObject([{ class: "navixy_without_movement", amount: 2500, paymentId: "pay_1" }]);
    expect(out.totals["eur"]!.navixyCredited).toBe(5000);
  });
});
