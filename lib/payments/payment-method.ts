// How a payment was paid (card brand and last four, a wallet, or the method), for the dealer's console and its
// search. Read from the PaymentIntent the sync already fetches, its latest charge expanded in that same call
// (the charge's payment_method_details), or, for a declined attempt without it, last_payment_error's
// PaymentMethod: no Stripe call of its own, and written in the sync's own update of the payment.
import type Stripe from "stripe";
import type { Payment } from "./ledger/payment-records";

/** Expanded on the sync's one retrieve of the PaymentIntent. */
export const PAYMENT_METHOD_EXPAND = ["latest_charge"];

export type PaymentMethodFields = Pick<Payment, "paymentMethodType" | "cardBrand" | "cardLast4" | "cardWallet">;

const word = (v: unknown): string | null => (typeof v === "string" && /^[a-z0-9_]{1,40}$/.test(v) ? v : null);
const last4 = (v: unknown): string | null => (typeof v === "string" && /^\d{4}$/.test(v) ? v : null);

/** What Stripe says paid (or tried to pay) this PaymentIntent; null when the answer says nothing of it. */
export function paymentMethodOf(intent: Stripe.PaymentIntent): PaymentMethodFields | null {
  const charge = intent.latest_charge && typeof intent.latest_charge === "object" ? intent.latest_charge : null;
  const details = charge?.payment_method_details;
  if (details?.type) {
    const card = details.card;
    return { paymentMethodType: word(details.type), cardBrand: word(card?.brand), cardLast4: last4(card?.last4), cardWallet: word(card?.wallet?.type) };
  }
  const tried = intent.last_payment_error?.payment_method;
  if (tried && typeof tried === "object" && tried.type) {
    return { paymentMethodType: word(tried.type), cardBrand: word(tried.card?.brand), cardLast4: last4(tried.card?.last4), cardWallet: word(tried.card?.wallet?.type) };
  }
  return null;
}

/**
 * The fields to add to the sync's update of the payment: only those that differ from what is stored, so a sync
 * that learns nothing new rewrites no indexed column (cardLast4 is indexed for the console's search).
 */
export function paymentMethodFields(intent: Stripe.PaymentIntent, stored: PaymentMethodFields): Partial<PaymentMethodFields> {
  const seen = paymentMethodOf(intent);
  if (!seen) return {};
  const changed: Partial<PaymentMethodFields> = {};
  for (const key of ["paymentMethodType", "cardBrand", "cardLast4", "cardWallet"] as const) {
    if (seen[key] !== stored[key]) changed[key] = seen[key];
  }
  return changed;
}
