// Turns Stripe's decline codes into sentences a payer can act on, in the payer's language (English for what the
// ledger records and the API returns). Stripe's own message is written for the payer already for card errors;
// for the most common codes we say what to do next.
import type Stripe from "stripe";
import { english } from "../i18n/english";
import type { MessageKey, Translator } from "../i18n/translate";

const FAILURE_KEYS: Readonly<Record<string, MessageKey>> = {
  insufficient_funds: "decline.insufficient_funds",
  card_declined: "decline.card_declined",
  generic_decline: "decline.card_declined",
  expired_card: "decline.expired_card",
  incorrect_cvc: "decline.incorrect_cvc",
  processing_error: "decline.processing_error",
  payment_intent_authentication_failure: "decline.authentication_failed",
  authentication_required: "decline.authentication_required",
  lost_card: "decline.card_declined",
  stolen_card: "decline.card_declined",
  fraudulent: "decline.card_declined",
};

/** The message of a decline code (Stripe's decline_code, else its code) we have words for. */
export function failureMessageKey(code: string | null | undefined): MessageKey | undefined {
  return code ? FAILURE_KEYS[code] : undefined;
}

export function payerMessageForFailure(
  error: Pick<Stripe.PaymentIntent.LastPaymentError, "code" | "decline_code" | "message" | "type">,
  t: Translator = english,
): string {
  const key = failureMessageKey(error.decline_code ?? error.code);
  if (key) return t.t(key);
  if (error.type === "card_error" && error.message) return error.message;
  return t.t("decline.default");
}

/** Every failure sentence the gateway records (in English), by its message: the return page shows it translated. */
const RECORDED: ReadonlyMap<string, MessageKey> = new Map(
  (["decline.default", "decline.saved_card_unusable", ...Object.values(FAILURE_KEYS)] as MessageKey[]).map((key) => [english.t(key), key]),
);

/**
 * A recorded failure message in the payer's language: the payment's failure code when the page has it, else the
 * English sentence recognised; anything else (Stripe's own words for an unusual decline) as it was recorded.
 */
export function localizedFailure(failure: { code?: string | null; message: string }, t: Translator): string {
  const key = failureMessageKey(failure.code) ?? RECORDED.get(failure.message.trim());
  return key ? t.t(key) : failure.message;
}
