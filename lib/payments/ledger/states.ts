// Every status the ledger knows, and the only ways they may change. Stripe's statuses are mapped
// exhaustively: a status Stripe adds in a later API version fails the type check here first.
import type Stripe from "stripe";

export const PAYMENT_STATUSES = [
  "created", // ledger row written, PaymentIntent not created yet
  "awaiting_payment", // PaymentIntent exists; the payer has not completed it
  "failed", // the last attempt failed; the payer may still retry the same PaymentIntent
  "processing", // Stripe is processing (some local methods take days)
  "authorized", // funds held, waiting for capture (manual capture)
  "succeeded", // money received; a credit is owed to the Navixy balance
  "partially_refunded",
  "refunded",
  "canceled",
  "abandoned",
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * The statuses Stripe's types list by name. Stripe's unions also admit "any other string" for forward
 * compatibility; dropping it makes a status added in a later API version a compile error below.
 */
export type KnownLiterals<T> = T extends string ? (string extends T ? never : T) : never;
type PaymentIntentStatus = KnownLiterals<Stripe.PaymentIntent.Status>;

/** What a PaymentIntent in a given Stripe status means for our payment. */
export function paymentStatusFromIntent(
  intent: Pick<Stripe.PaymentIntent, "status" | "last_payment_error"> & Partial<Pick<Stripe.PaymentIntent, "cancellation_reason">>,
): PaymentStatus {
  const status = intent.status as PaymentIntentStatus;
  switch (status) {
    case "requires_payment_method":
      return intent.last_payment_error ? "failed" : "awaiting_payment";
    case "requires_confirmation":
    case "requires_action":
      return "awaiting_payment";
    case "processing":
      return "processing";
    case "requires_capture":
      return "authorized";
    case "succeeded":
      return "succeeded";
    case "canceled":
      return intent.cancellation_reason === "abandoned" ? "abandoned" : "canceled";
    default:
      return assertNever(status);
  }
}

/**
 * Progress along the payment's life. A payment only moves to a higher rank, so an old read of a
 * PaymentIntent (a late event, a slow request) can never move it back. `failed` and
 * `awaiting_payment` share a rank: a payer may fail, retry, and fail again on one PaymentIntent.
 */
const RANK: Record<PaymentStatus, number> = {
  created: 0,
  awaiting_payment: 1,
  failed: 1,
  processing: 2,
  authorized: 3,
  succeeded: 4,
  partially_refunded: 5,
  refunded: 6,
  canceled: 4,
  abandoned: 4,
};

const FINAL: ReadonlySet<PaymentStatus> = new Set(["refunded", "canceled", "abandoned"]);

export function canMovePayment(from: PaymentStatus, to: PaymentStatus): boolean {
  if (from === to) return false;
  if (FINAL.has(from)) return false;
  // Money received is never "un-received" by a cancel; only refunds follow success.
  if ((from === "succeeded" || from === "partially_refunded") && (to === "canceled" || to === "abandoned")) return false;
  if (RANK[to] === RANK[from]) return (from === "failed" && to === "awaiting_payment") || (from === "awaiting_payment" && to === "failed");
  return RANK[to] > RANK[from];
}

export function isPaymentStatus(value: string): value is PaymentStatus {
  return (PAYMENT_STATUSES as readonly string[]).includes(value);
}

export const MOVEMENT_STATES = [
  "pending", // waiting to be sent (first time or after a failure known not to have applied)
  "sending", // claimed by a worker under a lease; the call may be in flight
  "unknown", // the call may or may not have applied: look it up in Navixy before anything else
  "applied", // Navixy confirmed, or our reference was found in the user's transactions
  "failed", // Navixy refused for a reason retrying will not fix; needs a person
  "canceled", // no longer owed (e.g. refunded before it was ever credited)
] as const;
export type MovementState = (typeof MOVEMENT_STATES)[number];
export type MovementKind = "credit" | "debit";

/**
 * "foreign": an event of a payment this dealer's ledger does not hold though a gateway made it (another dealer's,
 * or another deployment's, on the same Stripe account), or of another Stripe account: it changes nothing here, and
 * says the endpoint receives events it should not (lib/admin/setup.ts shows them).
 */
export const EVENT_STATUSES = ["received", "processing", "processed", "ignored", "foreign", "failed"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** Did the money reach the Navixy balance? Shown to the payer and in the API. */
export type CreditState = "not_due" | "pending" | "credited" | "needs_attention" | "canceled";

export function creditStateOf(movement: { state: string; needsAttention: boolean } | null | undefined): CreditState {
  if (!movement) return "not_due";
  const state = movement.state as MovementState;
  switch (state) {
    case "applied":
      return "credited";
    case "failed":
      return "needs_attention";
    case "canceled":
      return "canceled";
    case "pending":
    case "sending":
    case "unknown":
      return movement.needsAttention ? "needs_attention" : "pending";
    default:
      return assertNever(state);
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}
