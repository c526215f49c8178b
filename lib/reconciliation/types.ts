// What a reconciliation finds: per currency totals of the three books, and each difference with its class, the
// amounts, the ids to follow it and what to do. Amounts are integer minor units of `currency`.

/** Every class of difference; `assertNeverClass` keeps each switch over them exhaustive. */
export const DIFFERENCE_CLASSES = [
  /** Money in Stripe (a charge, or a refund or dispute of one) whose PaymentIntent our ledger does not hold. */
  "stripe_without_payment",
  /** Stripe captured the payment, the ledger holds it, but its credit is not applied (owed, failing, unknown, canceled). */
  "paid_not_credited",
  /** A credit applied in the ledger whose PaymentIntent Stripe shows no captured money for. */
  "credited_without_stripe_charge",
  /** A credit applied in the ledger with no Navixy transaction carrying its reference. */
  "credited_without_navixy",
  /** A debit applied in the ledger with no Navixy transaction carrying its reference. */
  "debited_without_navixy",
  /** A Navixy transaction carrying a Stripe id (our marker) that no applied movement explains: a hand change, a double. */
  "navixy_without_movement",
  /** The same money with another amount or currency in two of the books. */
  "amount_or_currency_mismatch",
  /** A Stripe refund or dispute whose money was not taken off the Navixy balance. */
  "refund_or_dispute_not_debited",
  /** A debit applied in the ledger with no Stripe refund behind it (none, or one that failed without a credit back). */
  "debit_without_refund",
] as const;

export type DifferenceClass = (typeof DIFFERENCE_CLASSES)[number];

export function assertNeverClass(value: never): never {
  throw new Error(`unknown difference class ${String(value)}`);
}

export interface Difference {
  class: DifferenceClass;
  /** Minor units of `currency`: the money concerned (positive). */
  amount: number;
  currency: string;
  /** The other book's amount, where they disagree (amount_or_currency_mismatch). */
  otherAmount?: number;
  otherCurrency?: string;
  paymentId?: string;
  paymentIntentId?: string;
  /** The Stripe object: ch_, re_, dp_ or the balance transaction. */
  stripeId?: string;
  movementId?: string;
  navixyUserId?: number;
  /** The Navixy transaction as read: "<timestamp> <amount> <text>". */
  navixyTransaction?: string;
  /** What was found, in a sentence. */
  detail: string;
  /** What to do about it. */
  action: string;
}

export interface CurrencyTotals {
  /** Captured charges (Stripe). */
  gross: number;
  /** Stripe's fees: processing and dispute fees. */
  fees: number;
  /** What the period added to the Stripe balance: charges, refunds, refund failures and disputes with their fees. */
  net: number;
  refunded: number;
  disputed: number;
  /** Charges in Stripe. */
  payments: number;
  /** Applied in the ledger during the period (credits: payments and refund reversals; debits: refunds). */
  credited: number;
  debited: number;
  /** Navixy transactions carrying our marker, read for the users touched. */
  navixyCredited: number;
  navixyDebited: number;
}

export interface ReconciliationResult {
  runId: string;
  dealerId: string;
  /** "2026-12-06", or "2026-12-01..2026-12-31". */
  label: string;
  timeZone: string;
  periodStart: string;
  periodEnd: string;
  balanced: boolean;
  totals: Record<string, CurrencyTotals>;
  differences: Difference[];
  /** How much each source gave: balance transactions, ledger movements, Navixy users and marked transactions. */
  read: { stripeTransactions: number; ledgerMovements: number; navixyUsers: number; navixyTransactions: number };
  finishedAt: string;
}

export function emptyTotals(): CurrencyTotals {
  return { gross: 0, fees: 0, net: 0, refunded: 0, disputed: 0, payments: 0, credited: 0, debited: 0, navixyCredited: 0, navixyDebited: 0 };
}
