/**
 * Stripe's documented test cards and test PaymentMethod tokens
 * (https://docs.stripe.com/testing) and how each one behaves when charged.
 */
import { createHash } from "node:crypto";

export interface Decline {
  /** `code` of the card_error (`card_declined`, `expired_card`, `authentication_required`, ...). */
  code: string;
  declineCode: string;
  message: string;
}

export interface CardBehaviour {
  /**
   * 3-D Secure: "required" always needs authentication (on-session -> requires_action,
   * off-session -> `authentication_required` decline), unless `setupSkipsAuthentication`.
   */
  threeDS?: "required";
  /**
   * With threeDS "required": a card set up for off-session use (`setup_future_usage=off_session`) is charged
   * off-session without authentication (Stripe's 4000002500003155); without it, authentication is always needed
   * (4000002760003184: off-session charges decline with `authentication_required`).
   */
  setupSkipsAuthentication?: boolean;
  /** Decline at authorisation (after a successful 3DS challenge if one is required). */
  decline?: Decline;
}

export interface TestCard {
  number: string;
  brand: string;
  funding: "credit" | "debit" | "prepaid" | "unknown";
  country: string;
  behaviour: CardBehaviour;
}

export const DECLINES = {
  generic: { code: "card_declined", declineCode: "generic_decline", message: "Your card was declined." },
  insufficientFunds: { code: "card_declined", declineCode: "insufficient_funds", message: "Your card has insufficient funds." },
  lostCard: { code: "card_declined", declineCode: "lost_card", message: "Your card was declined." },
  stolenCard: { code: "card_declined", declineCode: "stolen_card", message: "Your card was declined." },
  fraudulent: { code: "card_declined", declineCode: "fraudulent", message: "Your card was declined." },
  expiredCard: { code: "expired_card", declineCode: "expired_card", message: "Your card has expired." },
  incorrectCvc: { code: "incorrect_cvc", declineCode: "incorrect_cvc", message: "Your card's security code is incorrect." },
  processingError: {
    code: "processing_error",
    declineCode: "processing_error",
    message: "An error occurred while processing your card. Try again in a little bit.",
  },
  authenticationRequired: {
    code: "authentication_required",
    declineCode: "authentication_required",
    message: "Your card was declined. This transaction requires authentication.",
  },
} satisfies Record<string, Decline>;

/** Card numbers with a special behaviour; any other Luhn-valid number succeeds. */
const SPECIAL_NUMBERS: Record<string, CardBehaviour & { funding?: TestCard["funding"]; country?: string }> = {
  "4000056655665556": { funding: "debit" },
  "4000000000000002": { decline: DECLINES.generic },
  "4000000000009995": { decline: DECLINES.insufficientFunds },
  "4000000000009987": { decline: DECLINES.lostCard },
  "4000000000009979": { decline: DECLINES.stolenCard },
  "4100000000000019": { decline: DECLINES.fraudulent },
  "4000000000000069": { decline: DECLINES.expiredCard },
  "4000000000000127": { decline: DECLINES.incorrectCvc },
  "4000000000000119": { decline: DECLINES.processingError },
  "4000000000000341": { decline: DECLINES.generic }, // attaches fine, charging fails
  "4000002760003184": { threeDS: "required" },
  "4000000000003220": { threeDS: "required" },
  "4000002500003155": { threeDS: "required", setupSkipsAuthentication: true },
  "4000008260003178": { threeDS: "required", decline: DECLINES.insufficientFunds },
  "4000000000003063": { threeDS: "required" },
  "4000000000003055": {}, // 3DS supported, not required
  "4000000760000002": { country: "BR" },
  "4000008260000000": { country: "GB" },
  "4000002500000003": { country: "FR" },
};

/** Test PaymentMethod tokens (`pm_card_*`) and the card number behind each. */
export const TEST_PAYMENT_METHODS: Record<string, string> = {
  pm_card_visa: "4242424242424242",
  pm_card_visa_debit: "4000056655665556",
  pm_card_mastercard: "5555555555554444",
  pm_card_mastercard_debit: "5200828282828210",
  pm_card_amex: "378282246310005",
  pm_card_discover: "6011111111111117",
  pm_card_diners: "3056930009020004",
  pm_card_jcb: "3566002020360505",
  pm_card_unionpay: "6200000000000005",
  pm_card_us: "4242424242424242",
  pm_card_gb: "4000008260000000",
  pm_card_fr: "4000002500000003",
  pm_card_br: "4000000760000002",
  pm_card_chargeDeclined: "4000000000000002",
  pm_card_visa_chargeDeclined: "4000000000000002",
  pm_card_chargeDeclinedInsufficientFunds: "4000000000009995",
  pm_card_visa_chargeDeclinedInsufficientFunds: "4000000000009995",
  pm_card_chargeDeclinedLostCard: "4000000000009987",
  pm_card_visa_chargeDeclinedLostCard: "4000000000009987",
  pm_card_chargeDeclinedStolenCard: "4000000000009979",
  pm_card_visa_chargeDeclinedStolenCard: "4000000000009979",
  pm_card_chargeDeclinedFraudulent: "4100000000000019",
  pm_card_radarBlock: "4100000000000019",
  pm_card_chargeDeclinedExpiredCard: "4000000000000069",
  pm_card_visa_chargeDeclinedExpiredCard: "4000000000000069",
  pm_card_chargeDeclinedIncorrectCvc: "4000000000000127",
  pm_card_visa_chargeDeclinedIncorrectCvc: "4000000000000127",
  pm_card_chargeDeclinedProcessingError: "4000000000000119",
  pm_card_visa_chargeDeclinedProcessingError: "4000000000000119",
  pm_card_chargeCustomerFail: "4000000000000341",
  pm_card_authenticationRequired: "4000002760003184",
  pm_card_threeDSecure2Required: "4000000000003220",
  pm_card_threeDSecureRequired: "4000000000003063",
  pm_card_authenticationRequiredOnSetup: "4000002500003155",
  pm_card_authenticationRequiredChargeDeclinedInsufficientFunds: "4000008260003178",
  pm_card_threeDSecureOptional: "4000000000003055",
};

/** Luhn checksum, as card networks (and Stripe's `incorrect_number`) require. */
export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let d = number.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function cardBrand(number: string): string {
  if (/^4/.test(number)) return "visa";
  if (/^(5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/.test(number)) return "mastercard";
  if (/^3[47]/.test(number)) return "amex";
  if (/^(6011|65|64[4-9])/.test(number)) return "discover";
  if (/^3(0[0-5]|[68])/.test(number)) return "diners";
  if (/^35(2[89]|[3-8])/.test(number)) return "jcb";
  if (/^62/.test(number)) return "unionpay";
  return "unknown";
}

export function describeCard(number: string): TestCard {
  const special = SPECIAL_NUMBERS[number] ?? {};
  const brand = cardBrand(number);
  return {
    number,
    brand,
    funding: special.funding ?? (number === "5200828282828210" ? "debit" : "credit"),
    country: special.country ?? "US",
    behaviour: { threeDS: special.threeDS, setupSkipsAuthentication: special.setupSkipsAuthentication, decline: special.decline },
  };
}

/** Stable per-number fingerprint, like Stripe's `card.fingerprint`. */
export function cardFingerprint(number: string): string {
  return createHash("sha256").update(`emulator:${number}`).digest("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, 16);
}
