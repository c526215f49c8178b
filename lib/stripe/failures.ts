// Turns Stripe's decline codes into sentences a payer can act on. Stripe's own message is written for
// the payer already for card errors; for the most common codes we say what to do next.
import type Stripe from "stripe";

const MESSAGES: Record<string, string> = {
  insufficient_funds: "Your card has insufficient funds. Try another card or a smaller amount.",
  card_declined: "Your card was declined. Try another card or contact your bank.",
  generic_decline: "Your card was declined. Try another card or contact your bank.",
  expired_card: "Your card has expired. Try another card.",
  incorrect_cvc: "The card's security code is incorrect.",
  processing_error: "The payment could not be processed. Please try again.",
  payment_intent_authentication_failure: "The payment was not authenticated with your bank. Please try again.",
  authentication_required: "Your bank asks you to confirm this payment. Please try again and complete the check.",
  lost_card: "Your card was declined. Try another card or contact your bank.",
  stolen_card: "Your card was declined. Try another card or contact your bank.",
  fraudulent: "Your card was declined. Try another card or contact your bank.",
};

export function payerMessageForFailure(error: Pick<Stripe.PaymentIntent.LastPaymentError, "code" | "decline_code" | "message" | "type">): string {
  const code = error.decline_code ?? error.code;
  if (code && MESSAGES[code]) return MESSAGES[code];
  if (error.type === "card_error" && error.message) return error.message;
  return "The payment did not go through. Please try again or use another payment method.";
}
