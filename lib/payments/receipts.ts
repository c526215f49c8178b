// Receipts by e-mail. When the Navixy account's login is an e-mail address, the checkout offers "Send a receipt
// to j***@e***.com"; the payer ticks it, and Stripe e-mails its receipt to that address once the payment succeeds,
// in the page's language.
//
// The address stays on the server. The checkout's `?id=` is not proof of identity, so anything the page or the
// API shows about the account is shown to whoever types an id: the page gets the masked form only, and the
// address is never put where a browser can read it back. That rules out the PaymentIntent's `receipt_email`
// while the payer holds its client secret: Stripe returns `receipt_email` to anyone who retrieves the
// PaymentIntent with the publishable key and that secret (Stripe.js does), so a stranger could type an id, tick
// the box and read the address without paying anything. Instead:
//   1. at creation: the PaymentIntent gets the user's Stripe Customer, whose `preferred_locales` is the page's
//      language (Stripe writes receipts in it), and `metadata.receipt = "requested"`. No address yet.
//   2. once it has succeeded (the sync, lib/payments/sync-payment-intent.ts): the login is read from Navixy and
//      set as the `receipt_email` of its Charge, which only the secret key can read; Stripe e-mails the receipt
//      when a paid Charge gets one (in live mode; test mode sends none). Then `metadata.receipt = "sent"`.
// A sync that fails to do step 2 leaves "requested", so the next sync of that payment tries again; concurrent
// syncs send one receipt, as the Charge update carries an idempotency key.
import type Stripe from "stripe";
import type { Config } from "../config";
import { HttpError } from "../http/responses";
import { stripeLocale, type Locale } from "../i18n/locales";
import { logger } from "../logging/logger";
import type { NavixyUser } from "../navixy";
import type { Services } from "../server/services";
import { ensureStripeCustomer } from "./customers";

/** The PaymentIntent metadata key that carries a receipt's state: requested, sent or not_sent. */
export const RECEIPT_METADATA_KEY = "receipt";

/**
 * The login as an e-mail address, or null when it is not one (Navixy logins are often e-mail addresses, but not
 * always). Deliberately plain: one @, a dot in the domain, no spaces, within RFC 5321's lengths.
 */
export function emailOfLogin(login: string): string | null {
  const email = login.trim();
  if (email.length > 254 || !/^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/.test(email)) return null;
  return email;
}

/** "jsmith@example.co.uk" → "j***@e***.uk": enough for the account's owner to recognise, little for anyone else. */
export function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  const labels = domain.split(".");
  const first = (s: string) => Array.from(s)[0] ?? "";
  return `${first(local)}***@${first(labels[0] ?? "")}***.${labels[labels.length - 1] ?? ""}`;
}

/** What the checkout may show about the receipt: the masked address, or null when no receipt is offered. */
export function receiptOffer(config: Pick<Config, "receipts">, user: Pick<NavixyUser, "login">): string | null {
  if (!config.receipts.enabled) return null;
  const email = emailOfLogin(user.login);
  return email ? maskEmail(email) : null;
}

/** What a PaymentIntent with a requested receipt carries. */
export interface ReceiptIntentParams {
  customer: string;
  metadata: Record<string, string>;
}

/**
 * `receipt: true` in POST /api/payments: checks that a receipt can be sent to this account and sets the user's
 * Customer to the page's language. Throws a 400 when the checkout would not have offered it.
 */
export async function prepareReceipt(
  services: Pick<Services, "config" | "db" | "stripe">,
  user: Pick<NavixyUser, "id" | "login">,
  locale: Locale,
): Promise<ReceiptIntentParams> {
  if (receiptOffer(services.config, user) === null) {
    throw new HttpError(400, "receipt_unavailable", "A receipt by e-mail cannot be sent for this account. Pay without one.");
  }
  const customer = await ensureStripeCustomer(services, user.id);
  // Stripe writes the receipt in the Customer's first preferred locale. A language Stripe does not have
  // (stripeLocale says "auto": Kazakh, Ukrainian, Persian) gets English rather than the language of an earlier
  // payment (the SDK cannot send an empty list to clear it).
  const preferred = stripeLocale(locale);
  await services.stripe.customers.update(customer, { preferred_locales: [preferred === "auto" ? "en" : preferred] });
  return { customer, metadata: { [RECEIPT_METADATA_KEY]: "requested" } };
}

export type ReceiptOutcome = "none" | "sent" | "not_sent" | "failed";

/**
 * After a sync: a succeeded PaymentIntent whose receipt is still "requested" gets it sent. Never throws (a receipt
 * must not stop the money's path); never logs the address.
 */
export async function sendRequestedReceipt(
  services: Pick<Services, "navixy" | "stripe">,
  intent: Stripe.PaymentIntent,
  navixyUserId: number,
): Promise<ReceiptOutcome> {
  if (intent.status !== "succeeded" || intent.metadata?.[RECEIPT_METADATA_KEY] !== "requested") return "none";
  const chargeId = typeof intent.latest_charge === "string" ? intent.latest_charge : intent.latest_charge?.id;
  if (!chargeId) return "none";
  const log = logger.child({ paymentIntentId: intent.id, chargeId, navixyUserId });
  try {
    // Read now, not stored: the address lives in Navixy only, and the account's current one is the right one.
    const email = emailOfLogin((await services.navixy.readUser(navixyUserId)).login);
    let state: "sent" | "not_sent" = "not_sent";
    let why = "the account's login is no longer an e-mail address";
    if (email) {
      try {
        await services.stripe.charges.update(chargeId, { receipt_email: email }, { idempotencyKey: `receipt:${chargeId}` });
        state = "sent";
      } catch (error) {
        // Stripe refused the address itself (its own e-mail check is stricter): asking again would not help.
        if ((error as { type?: string }).type !== "StripeInvalidRequestError") throw error;
        why = `Stripe refused the address (${(error as { code?: string }).code ?? "invalid request"})`;
      }
    }
    await services.stripe.paymentIntents.update(intent.id, { metadata: { [RECEIPT_METADATA_KEY]: state } });
    if (state === "sent") log.info({ receipt: state }, "receipt sent by Stripe");
    else log.warn({ receipt: state }, `no receipt: ${why}`);
    return state;
  } catch (error) {
    log.warn({ err: error }, "the receipt could not be sent now; the next sync of this payment tries again");
    return "failed";
  }
}
