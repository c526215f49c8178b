// Matching the three books of one period, in memory, once every source has been read: Stripe's balance transactions
// against the ledger's payments (by PaymentIntent, charge, refund, dispute), the ledger's applied movements against
// the Navixy transactions carrying their reference, and what is left of either side becomes a difference.
import { parseNavixyBalance } from "../money";
import { ABSORBED_NOTE } from "../payments/refunds";
import { navixyInstant, type NavixyEntry, type StripeEntry } from "./sources";
import { emptyTotals, type CurrencyTotals, type Difference } from "./types";

export interface LedgerMovement {
  id: string;
  paymentId: string;
  paymentIntentId: string | null;
  kind: string; // "credit" | "debit"
  idempotencyKey: string;
  state: string;
  amount: number;
  currency: string;
  navixyAmount: string;
  reference: string;
  navixyUserId: number;
  appliedAt: Date | null;
  lastError: string | null;
}

export interface LedgerPayment {
  id: string;
  paymentIntentId: string;
  navixyUserId: number;
  currency: string;
  amountReceived: number;
  movements: LedgerMovement[];
}

export interface MatchInput {
  period: { start: Date; end: Date };
  dealerCurrency: string;
  stripe: StripeEntry[];
  navixy: NavixyEntry[];
  /** The ledger's payments of every PaymentIntent in `stripe`. */
  payments: Map<string, LedgerPayment>;
  /** Movements applied during the period. */
  appliedInPeriod: LedgerMovement[];
  /** Applied movements, of any time, carrying a reference found in a Navixy transaction of the period. */
  appliedByReference: Map<string, LedgerMovement[]>;
  /** What Stripe says now of the PaymentIntents and refunds of applied movements that the period's transactions do not show. */
  stripeNow: {
    paymentIntents: Map<string, { captured: number; currency: string } | null>;
    refunds: Map<string, { status: string; amount: number } | null>;
  };
}

export interface MatchOutput {
  totals: Record<string, CurrencyTotals>;
  differences: Difference[];
}

const byHand = (m: LedgerMovement) => m.lastError?.startsWith("resolved by hand") ?? false;
const absorbed = (m: LedgerMovement) => m.state === "canceled" && (m.lastError?.startsWith(ABSORBED_NOTE) ?? false);
const navixyText = (t: NavixyEntry) => `${t.timestamp} ${t.amount} ${t.text}`;
/** Navixy amounts to hundredths, for comparing two decimal texts exactly. */
const hundredths = (text: string) => parseNavixyBalance(text, "EUR");

export function matchBooks(input: MatchInput): MatchOutput {
  const totals: Record<string, CurrencyTotals> = {};
  const t = (currency: string) => (totals[currency] ??= emptyTotals());
  const differences: Difference[] = [];
  const add = (d: Difference): void => {
    differences.push(d);
  };
  const startMs = input.period.start.getTime();
  const endMs = input.period.end.getTime();

  // Navixy transactions are consumed as they are explained, each at most once: a second transaction for one movement
  // is left over, and reported.
  const unexplained = new Set<NavixyEntry>(input.navixy);
  const byUser = new Map<number, NavixyEntry[]>();
  for (const tx of input.navixy) {
    const list = byUser.get(tx.userId);
    if (list) list.push(tx);
    else byUser.set(tx.userId, [tx]);
  }
  const navixyFor = (userId: number, reference: string, sign: 1 | -1): NavixyEntry | undefined => {
    for (const tx of byUser.get(userId) ?? []) {
      if (unexplained.has(tx) && tx.ids.includes(reference) && Math.sign(hundredths(tx.amount) ?? 0) === sign) {
        unexplained.delete(tx);
        return tx;
      }
    }
    return undefined;
  };
  const paymentRef = (p: LedgerPayment) => ({ paymentId: p.id, paymentIntentId: p.paymentIntentId, navixyUserId: p.navixyUserId });

  const chargedIntents = new Set<string>();
  const refundsSeen = new Set<string>();

  for (const e of input.stripe) {
    const tot = t(e.currency);
    const payment = e.paymentIntentId ? input.payments.get(e.paymentIntentId) : undefined;
    const foreign = (what: string): void =>
      add({
        class: "stripe_without_payment",
        amount: Math.abs(e.amount),
        currency: e.currency,
        stripeId: e.sourceId ?? e.id,
        ...(e.paymentIntentId ? { paymentIntentId: e.paymentIntentId } : {}),
        detail: `${what} ${e.sourceId ?? e.id} in Stripe${e.paymentIntentId ? ` (PaymentIntent ${e.paymentIntentId})` : ""} is not a payment of this gateway's ledger`,
        action: "Find who took it on this Stripe account (another tool, the Dashboard); credit the payer by hand if it was meant as a top-up, or refund it",
      });
    switch (e.type) {
      case "charge":
      case "payment": {
        tot.gross += e.amount;
        tot.fees += e.fee;
        tot.net += e.net;
        tot.payments += 1;
        if (!payment) {
          foreign("The charge");
          break;
        }
        chargedIntents.add(payment.paymentIntentId);
        if (payment.currency !== e.currency) {
          add({
            class: "amount_or_currency_mismatch",
            ...paymentRef(payment),
            stripeId: e.chargeId ?? e.id,
            amount: e.amount,
            currency: e.currency,
            otherAmount: payment.amountReceived,
            otherCurrency: payment.currency,
            detail: `Stripe charged ${e.currency.toUpperCase()}, the ledger's payment is in ${payment.currency.toUpperCase()}`,
            action: "Open the payment's timeline; correct the payer's Navixy balance by hand for the difference",
          });
          break;
        }
        const credit = payment.movements.find((m) => m.idempotencyKey === `credit:${payment.paymentIntentId}`);
        const absorbedRefunds = payment.movements.filter(absorbed).reduce((sum, m) => sum + m.amount, 0);
        if (!credit || credit.state !== "applied") {
          if (credit && credit.state === "canceled" && (byHand(credit) || credit.amount === 0)) break;
          add({
            class: "paid_not_credited",
            ...paymentRef(payment),
            ...(credit ? { movementId: credit.id } : {}),
            stripeId: e.chargeId ?? e.id,
            amount: e.amount,
            currency: e.currency,
            detail: credit ? `Stripe captured it; its credit is ${credit.state}${credit.lastError ? ` (${credit.lastError})` : ""}` : "Stripe captured it; the ledger owes no credit for it",
            action: credit ? "Open the payment: retry the credit, or resolve it by hand once checked in Navixy" : "Open the payment and sync it from Stripe (npm run payments -- sweep)",
          });
          break;
        }
        if (credit.amount + absorbedRefunds !== e.amount) {
          add({
            class: "amount_or_currency_mismatch",
            ...paymentRef(payment),
            movementId: credit.id,
            stripeId: e.chargeId ?? e.id,
            amount: e.amount,
            currency: e.currency,
            otherAmount: credit.amount + absorbedRefunds,
            otherCurrency: credit.currency,
            detail: `Stripe captured ${e.amount}, the ledger credited ${credit.amount}${absorbedRefunds ? ` (+${absorbedRefunds} refunded before the credit)` : ""}`,
            action: "Open the payment's timeline; correct the payer's Navixy balance by hand for the difference",
          });
        }
        break;
      }
      case "refund": {
        tot.refunded += -e.amount;
        tot.fees += e.fee;
        tot.net += e.net;
        if (e.refundId) refundsSeen.add(e.refundId);
        if (!payment) {
          foreign("The refund");
          break;
        }
        const debit = payment.movements.find((m) => m.idempotencyKey === `debit:${e.refundId}`);
        if (debit?.state === "applied") {
          if (debit.amount !== -e.amount) {
            add({
              class: "amount_or_currency_mismatch",
              ...paymentRef(payment),
              movementId: debit.id,
              stripeId: e.refundId ?? e.id,
              amount: -e.amount,
              currency: e.currency,
              otherAmount: debit.amount,
              otherCurrency: debit.currency,
              detail: `Stripe refunded ${-e.amount}, the ledger debited ${debit.amount}`,
              action: "Open the payment's timeline; correct the payer's Navixy balance by hand for the difference",
            });
          }
          break;
        }
        const voided = e.refundStatus === "failed" || e.refundStatus === "canceled";
        if (debit && debit.state === "canceled" && (absorbed(debit) || byHand(debit) || voided)) break;
        add({
          class: "refund_or_dispute_not_debited",
          ...paymentRef(payment),
          ...(debit ? { movementId: debit.id } : {}),
          stripeId: e.refundId ?? e.id,
          amount: -e.amount,
          currency: e.currency,
          detail: debit ? `Stripe refunded it; its debit is ${debit.state}${debit.lastError ? ` (${debit.lastError})` : ""}` : "Stripe refunded it; the ledger has no debit for it (its webhook never came?)",
          action: debit ? "Open the payment: retry the debit, or resolve it by hand" : "Sync the payment from Stripe (npm run payments -- sweep, or resync), which records the debit",
        });
        break;
      }
      case "refund_failure": {
        tot.net += e.net;
        tot.refunded -= e.amount;
        if (!payment) {
          foreign("The failed refund");
          break;
        }
        const debit = payment.movements.find((m) => m.idempotencyKey === `debit:${e.refundId}`);
        const reversal = payment.movements.find((m) => m.idempotencyKey === `refund-reversal:${e.refundId}`);
        if (debit?.state === "applied" && reversal?.state !== "applied" && !byHand(debit)) {
          add({
            class: "debit_without_refund",
            ...paymentRef(payment),
            movementId: reversal?.id ?? debit.id,
            stripeId: e.refundId ?? e.id,
            amount: e.amount,
            currency: e.currency,
            detail: `The refund failed and its money is back in Stripe, but what its debit took from the Navixy balance is ${reversal ? `a credit back still ${reversal.state}` : "not credited back (its failure was never received)"}`,
            action: reversal ? "Open the payment: retry the credit back, or resolve it by hand" : "Sync the payment from Stripe (npm run payments -- sweep, or resync), which credits it back",
          });
        }
        break;
      }
      case "adjustment": {
        tot.fees += e.fee;
        tot.net += e.net;
        if (e.reportingCategory !== "dispute" && e.reportingCategory !== "dispute_reversal" && !e.disputeId) break;
        tot.disputed += -e.amount;
        // A dispute won gives the money back to the Stripe balance: nothing is owed to or by the payer for it.
        if (e.amount >= 0) break;
        if (!payment) {
          foreign("The dispute");
          break;
        }
        // The gateway does not debit disputes itself; a person who does writes the dispute id into the Navixy text.
        if (e.disputeId && navixyFor(payment.navixyUserId, e.disputeId, -1)) break;
        add({
          class: "refund_or_dispute_not_debited",
          ...paymentRef(payment),
          stripeId: e.disputeId ?? e.id,
          amount: -e.amount,
          currency: e.currency,
          detail: `The payer's bank disputed the payment: ${-e.amount} and a ${e.fee} fee left the Stripe balance; the Navixy balance keeps the credit`,
          action: `Answer the dispute in the Stripe Dashboard; to take the money back, debit the user in Navixy by hand with ${e.disputeId ?? "the dispute id"} in the text`,
        });
        break;
      }
      default:
        // Payouts (and their failures and cancellations) move money between the balance and the bank: the books of
        // the payments do not change.
        if (e.type.startsWith("payout")) break;
        tot.fees += e.fee;
        tot.net += e.net;
    }
  }

  // The ledger's movements of the period, each against its Navixy transaction, and against Stripe when the period's
  // transactions do not show its money.
  for (const m of input.appliedInPeriod) {
    const tot = t(m.currency);
    if (m.kind === "credit") tot.credited += m.amount;
    else tot.debited += m.amount;
    const ref = { paymentId: m.paymentId, movementId: m.id, navixyUserId: m.navixyUserId, ...(m.paymentIntentId ? { paymentIntentId: m.paymentIntentId } : {}) };
    const tx = navixyFor(m.navixyUserId, m.reference, m.kind === "credit" ? 1 : -1);
    if (!tx) {
      add({
        class: m.kind === "credit" ? "credited_without_navixy" : "debited_without_navixy",
        ...ref,
        stripeId: m.reference,
        amount: m.amount,
        currency: m.currency,
        detail: `The ledger applied this ${m.kind} of ${m.navixyAmount}${byHand(m) ? " (resolved by hand as applied)" : ""}, but user ${m.navixyUserId}'s Navixy transactions show none with ${m.reference}`,
        action: `Check user ${m.navixyUserId}'s balance history in the Navixy Admin Panel; make the change by hand with ${m.reference} in the text if it is missing`,
      });
    } else if (hundredths(tx.amount) !== hundredths(m.navixyAmount)) {
      add({
        class: "amount_or_currency_mismatch",
        ...ref,
        stripeId: m.reference,
        amount: Math.abs(hundredths(m.navixyAmount) ?? 0),
        currency: input.dealerCurrency.toLowerCase(),
        otherAmount: Math.abs(hundredths(tx.amount) ?? 0),
        otherCurrency: input.dealerCurrency.toLowerCase(),
        navixyTransaction: navixyText(tx),
        detail: `The ledger's ${m.kind} is ${m.navixyAmount}, Navixy's transaction ${tx.amount}`,
        action: "Correct the user's Navixy balance by hand for the difference",
      });
    }
    if (m.idempotencyKey.startsWith("credit:") && m.paymentIntentId && !chargedIntents.has(m.paymentIntentId)) {
      const now = input.stripeNow.paymentIntents.get(m.paymentIntentId);
      if (now === null || (now && now.captured === 0)) {
        add({
          class: "credited_without_stripe_charge",
          ...ref,
          stripeId: m.paymentIntentId,
          amount: m.amount,
          currency: m.currency,
          detail: now === null ? `Stripe has no PaymentIntent ${m.paymentIntentId}` : `Stripe's PaymentIntent ${m.paymentIntentId} has captured nothing`,
          action: "Open the payment's timeline; debit the user by hand if no money came in",
        });
      }
    }
    if (m.idempotencyKey.startsWith("debit:") && !refundsSeen.has(m.reference)) {
      const now = input.stripeNow.refunds.get(m.reference);
      if (now === null || (now && (now.status === "failed" || now.status === "canceled"))) {
        add({
          class: "debit_without_refund",
          ...ref,
          stripeId: m.reference,
          amount: m.amount,
          currency: m.currency,
          detail: now === null ? `Stripe has no refund ${m.reference}` : `Stripe's refund ${m.reference} is ${now.status}; nothing went back to the payer`,
          action: "Credit the user back by hand in Navixy (with the refund id in the text), then resolve the movement",
        });
      }
    }
  }

  // What is left in Navixy: transactions of the period carrying our marker that no movement explains. Movements applied
  // outside the period explain their own transactions (a change that landed across midnight), each once.
  const usedElsewhere = new Set<string>();
  for (const tx of [...unexplained]) {
    const at = navixyInstant(tx.timestamp);
    if (!(at >= startMs && at < endMs)) continue;
    const cents = hundredths(tx.amount) ?? 0;
    const sign = Math.sign(cents);
    const explainedBy = tx.ids
      .flatMap((id) => input.appliedByReference.get(id) ?? [])
      .find(
        (m) =>
          m.navixyUserId === tx.userId &&
          (m.kind === "credit" ? 1 : -1) === sign &&
          !usedElsewhere.has(m.id) &&
          !(m.appliedAt && m.appliedAt.getTime() >= startMs && m.appliedAt.getTime() < endMs),
      );
    if (explainedBy) {
      usedElsewhere.add(explainedBy.id);
      unexplained.delete(tx);
      continue;
    }
    const payment = tx.ids.map((id) => input.payments.get(id)).find(Boolean);
    add({
      class: "navixy_without_movement",
      navixyUserId: tx.userId,
      ...(payment ? { paymentId: payment.id, paymentIntentId: payment.paymentIntentId } : {}),
      stripeId: tx.ids[0]!,
      amount: Math.abs(cents),
      currency: input.dealerCurrency.toLowerCase(),
      navixyTransaction: navixyText(tx),
      detail: `User ${tx.userId}'s Navixy balance changed by ${tx.amount} with "${tx.text}", which no applied movement of the ledger explains (a change by hand, or a second one)`,
      action: "Check who made it in the Navixy Admin Panel; reverse it by hand if it was not meant",
    });
  }
  // The period's Navixy transactions carrying our marker, explained or not.
  for (const tx of input.navixy) {
    const at = navixyInstant(tx.timestamp);
    if (!(at >= startMs && at < endMs)) continue;
    const cents = hundredths(tx.amount) ?? 0;
    const tot = t(input.dealerCurrency.toLowerCase());
    if (cents > 0) tot.navixyCredited += cents;
    else tot.navixyDebited += -cents;
  }
  return { totals, differences };
}
