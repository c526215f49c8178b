// The states of an automatic top-up rule (AutoTopUpRule.state), what each means, and the decline codes that
// decide between trying again later and turning the rule off.

export const AUTO_TOP_UP_STATES = [
  "pending_enrolment", // created at the checkout; becomes active when that payment succeeds
  "active", // the scheduler checks the balance and charges the saved card
  "paused_authentication_required", // the bank wants the payer to confirm: waits for an on-session confirmation
  "paused", // paused by the dealer (console); resumable
  "disabled_by_payer", // turned off with the manage link
  "disabled_by_dealer", // turned off in the console
  "disabled_card_declined", // a hard decline (stolen, lost, expired card...): the card will not work again
  "disabled_repeated_declines", // three soft declines in a row
  "disabled_card_unusable", // Stripe refused the saved card or customer outright (detached, deleted...)
  "disabled_enrolment_incomplete", // the enrolment payment was canceled or abandoned
] as const;
export type AutoTopUpState = (typeof AUTO_TOP_UP_STATES)[number];

export function isAutoTopUpState(value: string): value is AutoTopUpState {
  return (AUTO_TOP_UP_STATES as readonly string[]).includes(value);
}

/** States in which a new enrolment at the checkout may replace the rule (nothing is running). */
export function mayReEnrol(state: string): boolean {
  return state === "pending_enrolment" || state.startsWith("disabled_");
}

export function isOff(state: string): boolean {
  return state.startsWith("disabled_");
}

/** A short description for the payer's manage page and the dealer console. */
export const STATE_LABELS: Record<AutoTopUpState, string> = {
  pending_enrolment: "Starts when your first payment completes",
  active: "On",
  paused_authentication_required: "Paused: your bank asks you to confirm a top-up",
  paused: "Paused by your service provider",
  disabled_by_payer: "Off: you turned it off",
  disabled_by_dealer: "Off: turned off by your service provider",
  disabled_card_declined: "Off: your card was declined",
  disabled_repeated_declines: "Off: your card was declined three times in a row",
  disabled_card_unusable: "Off: your saved card can no longer be used",
  disabled_enrolment_incomplete: "Off: the first payment was not completed",
};

export function stateLabel(state: string): string {
  return isAutoTopUpState(state) ? STATE_LABELS[state] : state;
}

// ---- declines ----

/**
 * Decline codes (Stripe's `decline_code`, or `code` when there is none) after which the card will not work
 * again without the payer doing something: the rule is turned off at once. They follow the card networks'
 * "do not retry" categories (Visa category 1, Mastercard's "never retry" advice).
 *
 * Every other decline is soft: insufficient_funds, do_not_honor, generic_decline, card_velocity_exceeded,
 * withdrawal_count_limit_exceeded, processing_error, try_again_later, issuer_not_available, reenter_transaction,
 * approve_with_id, call_issuer, ... and any code we do not know. A soft decline is tried again after a day;
 * the third soft decline in a row turns the rule off. `do_not_honor` is soft on purpose: issuers use it for
 * temporary refusals (risk limits, travel), and the three-strikes rule bounds the retries.
 */
export const HARD_DECLINE_CODES: ReadonlySet<string> = new Set([
  "stolen_card",
  "lost_card",
  "pickup_card",
  "expired_card",
  "restricted_card",
  "fraudulent",
  "merchant_blacklist",
  "invalid_account",
  "incorrect_number",
  "invalid_number",
  "card_not_supported",
  "currency_not_supported",
  "transaction_not_allowed",
  "not_permitted",
  "revocation_of_authorization",
  "revocation_of_all_authorizations",
  "stop_payment_order",
  "security_violation",
  "new_account_information_available",
  "no_action_taken",
  "invalid_expiry_month",
  "invalid_expiry_year",
]);

/** Codes that mean the issuer wants the cardholder to authenticate (3-D Secure). */
const AUTHENTICATION_CODES: ReadonlySet<string> = new Set(["authentication_required", "card_authentication_required"]);

export const SOFT_DECLINES_BEFORE_OFF = 3;
export const SOFT_DECLINE_RETRY_MS = 86_400_000;

export type DeclineKind = "authentication_required" | "hard" | "soft";

export function classifyDecline(error: { code?: string | null; decline_code?: string | null } | null | undefined): DeclineKind {
  const code = error?.code ?? "";
  const declineCode = error?.decline_code ?? "";
  if (AUTHENTICATION_CODES.has(code) || AUTHENTICATION_CODES.has(declineCode)) return "authentication_required";
  if (HARD_DECLINE_CODES.has(declineCode) || HARD_DECLINE_CODES.has(code)) return "hard";
  return "soft";
}
