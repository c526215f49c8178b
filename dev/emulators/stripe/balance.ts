/**
 * The account's books: balance transactions (what each charge, refund, failed refund, dispute and payout did to
 * the balance, with Stripe's fee and the net), disputes and payouts, listed as Stripe lists them.
 *
 * - A captured charge gets a `charge` transaction: amount captured, fee (the emulator's schedule: 2.9% + 30 minor
 *   units, 2.9% for zero-decimal currencies), net; the charge's `balance_transaction` names it.
 * - A refund gets a `refund` transaction (−amount, no fee: Stripe keeps the charge's fee); a refund that fails later
 *   a `refund_failure` (+amount), named by its `failure_balance_transaction`.
 * - A dispute (`disputeCharge`, `POST /_emulator/charges/:id/dispute`) withdraws the disputed amount and a 15.00
 *   dispute fee: an `adjustment` transaction (reporting category `dispute`) whose source is the dispute.
 * - A payout (`payOut`, `POST /_emulator/payouts`) pays every transaction not yet paid out, per currency, as an
 *   automatic payout does: the payout's own `payout` transaction takes the sum off the balance, and
 *   `GET /v1/balance_transactions?payout=po_...` lists the transactions inside it.
 * Funds are available at once (`available_on` = `created`): the emulator plays test mode without its waiting days.
 */
import type Stripe from "stripe";
import type { Ctx } from "./context";
import { ZERO_DECIMAL } from "./currency";
import { invalidRequest, resourceMissing } from "./errors";
import type { ParamObject } from "./form";
import { newId } from "./ids";
import { assertAllowed, createdFilter, expandParam, listParams, optEnum, optString, optStringArray } from "./params";
import { paginate, renderCharge, renderRefund, type ListPage } from "./render";
import { snapshot, type Store } from "./store";

export const DISPUTE_FEE = 1500;

export function stripeFee(amount: number, currency: string): number {
  return Math.round((amount * 29) / 1000) + (ZERO_DECIMAL.has(currency) ? 0 : 30);
}

interface Books {
  transactions: Map<string, { txn: Stripe.BalanceTransaction; payoutId: string | null }>;
  payouts: Map<string, Stripe.Payout>;
  disputes: Map<string, Stripe.Dispute>;
}

const BOOKS = new WeakMap<Store, Books>();

function books(store: Store): Books {
  let b = BOOKS.get(store);
  if (!b) {
    b = { transactions: new Map(), payouts: new Map(), disputes: new Map() };
    BOOKS.set(store, b);
  }
  return b;
}

export function resetBooks(store: Store): void {
  BOOKS.delete(store);
}

function addTransaction(
  ctx: Ctx,
  t: { type: string; reportingCategory: string; amount: number; fee: number; feeDescription?: string; currency: string; source: string; description: string | null; id?: string },
): Stripe.BalanceTransaction {
  const created = ctx.now();
  const txn = {
    id: t.id ?? newId("txn"),
    object: "balance_transaction",
    amount: t.amount,
    available_on: created,
    balance_type: "payments",
    created,
    currency: t.currency,
    description: t.description,
    exchange_rate: null,
    fee: t.fee,
    fee_details: t.fee > 0 ? [{ amount: t.fee, application: null, currency: t.currency, description: t.feeDescription ?? "Stripe processing fees", type: "stripe_fee" }] : [],
    net: t.amount - t.fee,
    reporting_category: t.reportingCategory,
    source: t.source,
    status: "available",
    type: t.type,
  } as unknown as Stripe.BalanceTransaction;
  books(ctx.store).transactions.set(txn.id, { txn, payoutId: null });
  return txn;
}

/** A charge was captured (at once, or later with its captured amount). */
export function recordCharge(ctx: Ctx, charge: Stripe.Charge): void {
  if (!charge.captured || charge.status !== "succeeded" || charge.balance_transaction) return;
  const amount = charge.amount_captured;
  const txn = addTransaction(ctx, {
    type: "charge",
    reportingCategory: "charge",
    amount,
    fee: stripeFee(amount, charge.currency),
    currency: charge.currency,
    source: charge.id,
    description: charge.description,
  });
  charge.balance_transaction = txn.id;
}

export function recordRefund(ctx: Ctx, refund: Stripe.Refund): void {
  const txn = addTransaction(ctx, {
    type: "refund",
    reportingCategory: "refund",
    amount: -refund.amount,
    fee: 0,
    currency: refund.currency,
    source: refund.id,
    description: "REFUND FOR PAYMENT",
  });
  refund.balance_transaction = txn.id;
}

export function recordRefundFailure(ctx: Ctx, refund: Stripe.Refund): void {
  const txn = addTransaction(ctx, {
    type: "refund_failure",
    reportingCategory: "refund_failure",
    amount: refund.amount,
    fee: 0,
    currency: refund.currency,
    source: refund.id,
    description: "REFUND FAILURE",
  });
  refund.failure_balance_transaction = txn.id;
}

/** The payer's bank disputes a captured charge: the amount and the dispute fee leave the balance at once. */
export function disputeCharge(ctx: Ctx, chargeId: string, opts: { amount?: number; reason?: string } = {}): Stripe.Dispute {
  const charge = ctx.store.charges.get(chargeId);
  if (!charge) throw resourceMissing("charge", chargeId, "id");
  if (!charge.captured || charge.status !== "succeeded") throw invalidRequest(`Charge ${chargeId} was not captured, so it cannot be disputed.`);
  if (charge.disputed) throw invalidRequest(`Charge ${chargeId} is already disputed.`);
  const amount = opts.amount ?? charge.amount_captured - charge.amount_refunded;
  if (!Number.isInteger(amount) || amount <= 0 || amount > charge.amount_captured) throw invalidRequest("A dispute's amount must be between 1 and the captured amount.", { param: "amount" });
  const id = newId("dp");
  const txn = addTransaction(ctx, {
    type: "adjustment",
    reportingCategory: "dispute",
    amount: -amount,
    fee: DISPUTE_FEE,
    feeDescription: "Dispute fee",
    currency: charge.currency,
    source: id,
    description: `Chargeback withdrawal for ${charge.id}`,
  });
  const dispute = {
    id,
    object: "dispute",
    amount,
    balance_transactions: [snapshot(txn)],
    charge: charge.id,
    created: ctx.now(),
    currency: charge.currency,
    evidence: {},
    evidence_details: { due_by: ctx.now() + 7 * 86400, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: opts.reason ?? "fraudulent",
    status: "needs_response",
  } as unknown as Stripe.Dispute;
  books(ctx.store).disputes.set(id, dispute);
  charge.disputed = true;
  ctx.emit("charge.dispute.created", dispute);
  ctx.emit("charge.dispute.funds_withdrawn", dispute);
  return dispute;
}

/** An automatic payout of everything not yet paid out, one per currency. */
export function payOut(ctx: Ctx, opts: { arrivalDate?: number } = {}): Stripe.Payout[] {
  const b = books(ctx.store);
  const byCurrency = new Map<string, { sum: number; ids: string[] }>();
  for (const [id, rec] of b.transactions) {
    if (rec.payoutId !== null || rec.txn.type === "payout") continue;
    const entry = byCurrency.get(rec.txn.currency) ?? { sum: 0, ids: [] };
    entry.sum += rec.txn.net;
    entry.ids.push(id);
    byCurrency.set(rec.txn.currency, entry);
  }
  const payouts: Stripe.Payout[] = [];
  for (const [currency, { sum, ids }] of byCurrency) {
    const id = newId("po");
    const txn = addTransaction(ctx, { type: "payout", reportingCategory: "payout", amount: -sum, fee: 0, currency, source: id, description: "STRIPE PAYOUT" });
    const payout = {
      id,
      object: "payout",
      amount: sum,
      application_fee: null,
      application_fee_amount: null,
      arrival_date: opts.arrivalDate ?? ctx.now(),
      automatic: true,
      balance_transaction: txn.id,
      created: ctx.now(),
      currency,
      description: "STRIPE PAYOUT",
      destination: "ba_emulator",
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      livemode: false,
      metadata: {},
      method: "standard",
      original_payout: null,
      reconciliation_status: "completed",
      reversed_by: null,
      source_type: "card",
      statement_descriptor: null,
      status: "paid",
      type: "bank_account",
    } as unknown as Stripe.Payout;
    b.payouts.set(id, payout);
    for (const txId of [...ids, txn.id]) b.transactions.get(txId)!.payoutId = id;
    payouts.push(snapshot(payout));
    ctx.emit("payout.created", payout);
    ctx.emit("payout.paid", payout);
  }
  return payouts;
}

function renderSource(ctx: Ctx, source: string): unknown {
  const store = ctx.store;
  const b = books(store);
  if (source.startsWith("ch_") || source.startsWith("py_")) {
    const charge = store.charges.get(source);
    return charge ? renderCharge(store, charge) : source;
  }
  if (source.startsWith("re_")) {
    const refund = store.refunds.get(source);
    return refund ? renderRefund(store, refund) : source;
  }
  if (source.startsWith("dp_")) return snapshot(b.disputes.get(source)) ?? source;
  if (source.startsWith("po_")) return snapshot(b.payouts.get(source)) ?? source;
  return source;
}

function renderTransaction(ctx: Ctx, txn: Stripe.BalanceTransaction, expandSource: boolean): Stripe.BalanceTransaction {
  const out = snapshot(txn);
  if (expandSource && typeof txn.source === "string") (out as { source: unknown }).source = renderSource(ctx, txn.source);
  return out;
}

const TRANSACTION_TYPES = ["charge", "payment", "refund", "refund_failure", "adjustment", "payout", "stripe_fee"] as const;

export function listBalanceTransactions(ctx: Ctx, params: ParamObject): ListPage<Stripe.BalanceTransaction> {
  assertAllowed(params, ["limit", "starting_after", "ending_before", "created", "currency", "payout", "source", "type", "expand"]);
  const expand = optStringArray(params, "expand") ?? [];
  for (const path of expand) if (path !== "data.source") throw invalidRequest(`This property cannot be expanded (${path}).`, { param: "expand" });
  const page = listParams(params);
  const created = createdFilter(params);
  const currency = optString(params, "currency");
  const payout = optString(params, "payout");
  const source = optString(params, "source");
  const type = optEnum(params, "type", TRANSACTION_TYPES);
  const b = books(ctx.store);
  if (payout !== undefined && !b.payouts.has(payout)) throw resourceMissing("payout", payout, "payout");
  const items = [...b.transactions.values()]
    .reverse()
    .filter(
      (r) =>
        created(r.txn.created) &&
        (currency === undefined || r.txn.currency === currency) &&
        (payout === undefined || r.payoutId === payout) &&
        (source === undefined || r.txn.source === source) &&
        (type === undefined || r.txn.type === type),
    )
    .map((r) => r.txn);
  const result = paginate(items, page, "/v1/balance_transactions", (id) => resourceMissing("balance_transaction", id, "starting_after"));
  return { ...result, data: result.data.map((t) => renderTransaction(ctx, t, expand.length > 0)) };
}

export function retrieveBalanceTransaction(ctx: Ctx, id: string, params: ParamObject): Stripe.BalanceTransaction {
  assertAllowed(params, ["expand"]);
  const expand = expandParam(params, ["source"]);
  const rec = books(ctx.store).transactions.get(id);
  if (!rec) throw resourceMissing("balance_transaction", id, "id");
  return renderTransaction(ctx, rec.txn, expand.length > 0);
}

export function listPayouts(ctx: Ctx, params: ParamObject): ListPage<Stripe.Payout> {
  assertAllowed(params, ["limit", "starting_after", "ending_before", "created", "arrival_date", "status", "destination", "expand"]);
  expandParam(params, []);
  const page = listParams(params);
  const created = createdFilter(params);
  const arrival = createdFilter(params, "arrival_date");
  const status = optString(params, "status");
  const items = [...books(ctx.store).payouts.values()].reverse().filter((p) => created(p.created) && arrival(p.arrival_date) && (status === undefined || p.status === status));
  const result = paginate(items, page, "/v1/payouts", (id) => resourceMissing("payout", id, "starting_after"));
  return { ...result, data: result.data.map((p) => snapshot(p)) };
}

export function retrievePayout(ctx: Ctx, id: string, params: ParamObject): Stripe.Payout {
  assertAllowed(params, ["expand"]);
  expandParam(params, []);
  const payout = books(ctx.store).payouts.get(id);
  if (!payout) throw resourceMissing("payout", id, "id");
  return snapshot(payout);
}

export function listDisputes(ctx: Ctx, params: ParamObject): ListPage<Stripe.Dispute> {
  assertAllowed(params, ["limit", "starting_after", "ending_before", "created", "charge", "payment_intent", "expand"]);
  expandParam(params, []);
  const page = listParams(params);
  const created = createdFilter(params);
  const charge = optString(params, "charge");
  const pi = optString(params, "payment_intent");
  const items = [...books(ctx.store).disputes.values()]
    .reverse()
    .filter((d) => created(d.created) && (charge === undefined || d.charge === charge) && (pi === undefined || d.payment_intent === pi));
  const result = paginate(items, page, "/v1/disputes", (id) => resourceMissing("dispute", id, "starting_after"));
  return { ...result, data: result.data.map((d) => snapshot(d)) };
}

export function retrieveDispute(ctx: Ctx, id: string, params: ParamObject): Stripe.Dispute {
  assertAllowed(params, ["expand"]);
  expandParam(params, []);
  const dispute = books(ctx.store).disputes.get(id);
  if (!dispute) throw resourceMissing("dispute", id, "id");
  return snapshot(dispute);
}
