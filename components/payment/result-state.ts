// What the return page tells the payer, from the payment's status view, in the payer's language. Pure, so it can
// be unit-tested.
import type { PaymentStatusView } from "@/lib/payments/payment-status";
import { formatMoney } from "@/lib/money";
import { english } from "@/lib/i18n/english";
import type { Translator } from "@/lib/i18n/translate";
import { localizedFailure } from "@/lib/stripe/failures";

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

/** The payment's status view; failureCode where the API gives it (the recorded message is recognised otherwise). */
export type ResultView = PaymentStatusView & { failureCode?: string | null };

export function resultText(view: ResultView, state: ResultState = resultStateOf(view), t: Translator = english): ResultText {
  const amount = formatMoney(view.amount, view.currency, t.locale);
  const reason = view.failureMessage ? localizedFailure({ code: view.failureCode, message: view.failureMessage }, t) : null;
  switch (state) {
    case "credited":
      return {
        tone: "success",
        title: t.t("result.credited.title"),
        message: t.t("result.credited.message", {
          amount: formatMoney(view.creditedAmount > 0 ? view.creditedAmount : view.amount, view.currency, t.locale),
        }),
        retry: false,
      };
    case "processing":
      return view.status === "processing"
        ? { tone: "progress", title: t.t("result.processing.title"), message: t.t("result.processing.message"), retry: false }
        : { tone: "progress", title: t.t("result.received.title"), message: t.t("result.received.message"), retry: false };
    case "authorized":
      return { tone: "progress", title: t.t("result.authorized.title"), message: t.t("result.authorized.message", { amount }), retry: false };
    case "awaiting_payment":
      return { tone: "progress", title: t.t("result.awaiting.title"), message: t.t("result.awaiting.message"), retry: false };
    case "needs_attention":
      return { tone: "warning", title: t.t("result.received.title"), message: t.t("result.attention.message"), retry: false };
    case "failed":
      return {
        tone: "error",
        title: t.t("result.failed.title"),
        message: reason ? t.t("result.failed.reason", { reason }) : t.t("result.failed.message"),
        retry: true,
      };
    case "canceled":
      return {
        tone: "error",
        title: t.t("result.canceled.title"),
        message: reason ? t.t("result.canceled.reason", { reason }) : t.t("result.canceled.message"),
        retry: true,
      };
    case "refunded":
      return view.status === "refunded"
        ? { tone: "warning", title: t.t("result.refunded.title"), message: t.t("result.refunded.message", { amount }), retry: false }
        : { tone: "warning", title: t.t("result.partlyRefunded.title"), message: t.t("result.partlyRefunded.message", { amount }), retry: false };
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
