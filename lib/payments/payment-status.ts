// What the payer (and the checkout's polling) may know about a payment: its state and amount, nothing
// personal. Payment ids are unguessable, so knowing one is knowing your own payment.
import { HttpError, json } from "../http/responses";
import { asPaymentIntentId, isPaymentId } from "../ids";
import { creditStateOf, type CreditState, type PaymentStatus } from "./ledger/states";
import { PAYMENT_CREDIT } from "./ledger/movement-keys";
import { CURRENCY_MISMATCH, syncPaymentIntent, type SyncDeps } from "./sync-payment-intent";
import { paymentLogger } from "../logging/logger";

export interface PaymentStatusView {
  paymentId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  credited: boolean;
  creditState: CreditState;
  /** Minor units credited to the Navixy balance (0 until credited). */
  creditedAmount: number;
  failureMessage: string | null;
}

export async function readPaymentStatus(services: SyncDeps, where: { id: string } | { stripePaymentIntentId: string }): Promise<PaymentStatusView | null> {
  const payment = await services.db.payment.findUnique({
    where,
    include: { movements: { where: PAYMENT_CREDIT, take: 1 } },
  });
  if (!payment) return null;
  const credit = payment.movements[0] ?? null;
  // Paid in another currency than the ledger's: never credited automatically, a person looks at it.
  const creditState = !credit && payment.failureCode === CURRENCY_MISMATCH && payment.status === "succeeded" ? "needs_attention" : creditStateOf(credit);
  return {
    paymentId: payment.id,
    status: payment.status as PaymentStatus,
    amount: payment.amount,
    currency: payment.currency,
    credited: creditState === "credited",
    creditState,
    creditedAmount: creditState === "credited" && credit ? credit.amount : 0,
    failureMessage: payment.status === "failed" || payment.status === "canceled" ? payment.failureMessage : null,
  };
}

/** GET /api/payments/<paymentId> */
export async function getPaymentStatus(services: SyncDeps, paymentId: string): Promise<Response> {
  if (!isPaymentId(paymentId)) throw new HttpError(404, "payment_not_found", "No payment with this id.");
  const view = await readPaymentStatus(services, { id: paymentId });
  if (!view) throw new HttpError(404, "payment_not_found", "No payment with this id.");
  return json(view);
}

/**
 * The return page: Stripe sent the payer back. Sync the PaymentIntent through the same idempotent path
 * as the webhook, so a late or lost webhook never leaves a paid user waiting.
 */
export async function completePayment(
  services: SyncDeps,
  paymentIntentId: string | undefined,
): Promise<{ view: PaymentStatusView; retryPath: string } | null> {
  if (!paymentIntentId || !/^pi_[A-Za-z0-9_]{8,128}$/.test(paymentIntentId)) return null;
  const intentId = asPaymentIntentId(paymentIntentId); // shaped like one; only ours are looked up below
  const known = await services.db.payment.findUnique({
    where: { stripePaymentIntentId: paymentIntentId },
    select: { id: true, navixyUserId: true },
  });
  if (!known) return null; // only PaymentIntents this gateway created are ever looked up
  try {
    await syncPaymentIntent(services, intentId, "return_page");
  } catch (error) {
    paymentLogger(known.id).warn({ paymentIntentId, err: error }, "return page could not sync the PaymentIntent");
  }
  const view = await readPaymentStatus(services, { id: known.id });
  return view && { view, retryPath: `/?id=${known.navixyUserId}` };
}
