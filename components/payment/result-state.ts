// What the return page tells the payer, from the payment's status view. Pure, so it can be unit-tested.
import type { PaymentStatusView } from "@/lib/payments/payment-status";
import { formatMoney } from "@/lib/money";

export type ResultState =
  | "awaiting_payment" // no confirmation from Stripe yet
  | "processing" // money received or being processed; the credit is on its way
  | "authorized" // funds held (manual capture), not captured yet
  | "credited" // on the Navixy balance
  | "needs_attention" // paid, crediting delayed: a person looks at it
  | "failed"
  | "canceled"
  | "refunded";

/** The states that do not change by waiting: polling stops. */
const FINAL: ReadonlySet<ResultState> = new Set(["credited", "needs_attention", "failed", "canceled", "refunded"]);

export function isFinalState(state: ResultState): boolean {
  return FINAL.has(state);
}

export function resultStateOf(view: PaymentStatusView): ResultState {
  if (view.status === "refunded" || view.status === "partially_refunded") return "refunded";
  if (view.creditState === "credited") return "credited";
  if (view.creditState === "needs_attention") return "needs_attention";
  switch (view.status) {
    case "failed":
      return "failed";
    case "canceled":
    case "abandoned":
      return "canceled";
    case "succeeded":
      return view.creditState === "canceled" ? "canceled" : "processing";
    case "processing":
      return "processing";
    case "authorized":
      return "authorized";
    case "created":
    case "awaiting_payment":
    default: // a status this page does not know yet: keep waiting
      return "awaiting_payment";
  }
}

export type Tone = "success" | "progress" | "warning" | "error";

export interface ResultText {
  tone: Tone;
  title: string;
  message: string;
  /** Offer "Try again" (back to the checkout). */
  retry: boolean;
}

export function resultText(view: PaymentStatusView, state: ResultState = resultStateOf(view), locale = "en"): ResultText {
  const amount = formatMoney(view.amount, view.currency, locale);
  switch (state) {
    case "credited":
      return {
        tone: "success",
        title: "Money added",
        message: `${formatMoney(view.creditedAmount > 0 ? view.creditedAmount : view.amount, view.currency, locale)} has been added to your balance.`,
        retry: false,
      };
    case "processing":
      return view.status === "processing"
        ? {
            tone: "progress",
            title: "Payment processing",
            message:
              "Your payment is being processed. The money will be added to your balance as soon as it completes; you can close this page.",
            retry: false,
          }
        : {
            tone: "progress",
            title: "Payment received",
            message: "Payment received, adding it to your balance…",
            retry: false,
          };
    case "authorized":
      return {
        tone: "progress",
        title: "Payment authorized",
        message: `${amount} is reserved for this payment. It will be added to your balance as soon as the payment is completed.`,
        retry: false,
      };
    case "awaiting_payment":
      return {
        tone: "progress",
        title: "Waiting for your payment",
        message: "We are waiting for confirmation of your payment. This page updates automatically.",
        retry: false,
      };
    case "needs_attention":
      return {
        tone: "warning",
        title: "Payment received",
        message:
          "Your payment was received. Crediting is delayed; it will be completed automatically — contact your service provider if it does not arrive within an hour.",
        retry: false,
      };
    case "failed":
      return {
        tone: "error",
        title: "Payment failed",
        message: view.failureMessage
          ? `The payment did not go through: ${view.failureMessage}`
          : "The payment did not go through.",
        retry: true,
      };
    case "canceled":
      return {
        tone: "error",
        title: "Payment canceled",
        message: view.failureMessage
          ? `This payment was canceled: ${view.failureMessage}`
          : "This payment was canceled. Nothing was added to your balance.",
        retry: true,
      };
    case "refunded":
      return {
        tone: "warning",
        title: view.status === "refunded" ? "Payment refunded" : "Payment partly refunded",
        message:
          view.status === "refunded"
            ? `This payment of ${amount} was refunded to you.`
            : `Part of this payment of ${amount} was refunded to you.`,
        retry: false,
      };
  }
}

/** A status view from GET /api/payments/<id>, checked enough to render. */
export function isPaymentStatusView(v: unknown): v is PaymentStatusView {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.paymentId === "string" &&
    typeof o.status === "string" &&
    typeof o.amount === "number" &&
    typeof o.currency === "string" &&
    typeof o.creditState === "string" &&
    typeof o.creditedAmount === "number"
  );
}
