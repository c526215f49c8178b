// The idempotency keys of balance movements, derived from Stripe's ids. Their uniqueness in the database is
// what makes each movement exist at most once, however many events, syncs or workers ask for it.

/** The payment's own credit: what its PaymentIntent received. */
export const creditKey = (paymentIntentId: string) => `credit:${paymentIntentId}`;
/** A refund's debit. */
export const debitKey = (refundId: string) => `debit:${refundId}`;
/** What a refund that failed after taking money off the balance gives back (its own credit movement). */
export const refundReversalKey = (refundId: string) => `refund-reversal:${refundId}`;

/**
 * Selects the payment's own credit among its movements. A failed refund's reversal is a credit too, so
 * "the payment's credit" is never just `kind: "credit"`.
 */
export const PAYMENT_CREDIT = { kind: "credit", idempotencyKey: { startsWith: "credit:" } } as const;

export function isRefundReversal(movement: { idempotencyKey: string }): boolean {
  return movement.idempotencyKey.startsWith("refund-reversal:");
}
