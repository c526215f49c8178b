// Everything the checkout page needs, decided on the server: who is credited (masked), the currency,
// the amounts on offer, and the publishable key (a prop, so keys change without a rebuild).
import { amountLimits, type AmountLimits } from "../payments/limits";
import { loadNavixyUser, parseNavixyUserId, publicName } from "../payments/navixy-user";
import { receiptOffer } from "../payments/receipts";
import { HttpError } from "../http/responses";
import type { Services } from "../server/services";
import { logger } from "../logging/logger";

export interface CheckoutProps {
  userId: number;
  maskedName: string;
  currency: string; // upper case ISO 4217
  limits: AmountLimits;
  publishableKey: string;
  /** Absolute URL Stripe sends the payer back to (confirmPayment's return_url). */
  returnUrl: string;
  captureManual: boolean;
  /**
   * Offer "Send a receipt to <this>": the account's e-mail masked (j***@e***.com), never the address itself (the
   * server sends it to Stripe after the payment). Absent when the login is not an e-mail or receipts are off.
   */
  maskedReceiptEmail?: string;
}

export type CheckoutResult =
  | { kind: "ok"; checkout: CheckoutProps }
  | { kind: "invalid_id" } // 400
  | { kind: "not_found" } // 404: unknown user or sub-user
  | { kind: "unavailable" }; // 503: Navixy unreachable

export async function loadCheckout(services: Services, rawId: string | string[] | undefined): Promise<CheckoutResult> {
  const userId = parseNavixyUserId(Array.isArray(rawId) ? rawId[0] : rawId);
  if (userId === null) return { kind: "invalid_id" };
  try {
    const user = await loadNavixyUser(services, userId);
    const currency = await services.currency.get();
    const { config } = services;
    return {
      kind: "ok",
      checkout: {
        userId,
        maskedName: publicName(user),
        currency,
        limits: amountLimits(config.payments, currency),
        publishableKey: config.stripe.publishableKey,
        returnUrl: `${config.publicUrl}/payment/complete`,
        captureManual: config.payments.capture === "manual",
        ...optionalReceipt(receiptOffer(config, user)),
      },
    };
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) return { kind: "not_found" };
    logger.error({ navixyUserId: userId, err: error }, "checkout unavailable");
    return { kind: "unavailable" };
  }
}

function optionalReceipt(masked: string | null): { maskedReceiptEmail?: string } {
  return masked === null ? {} : { maskedReceiptEmail: masked };
}
