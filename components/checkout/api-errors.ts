// What the payer reads when one of our API routes refuses: the API answers {"error": {"code", "message"}} with an
// English message; the page shows its own words for every code it knows, in the payer's language, and the
// server's message for any other. Pure.
import type { AmountLimits } from "@/lib/payments/limits";
import type { MessageKey, Translator } from "@/lib/i18n/translate";
import { checkAmount } from "./amount";

/** Our error codes (lib/http/responses.ts HttpError) a payer can meet, and their message. */
const API_ERROR_KEYS: Readonly<Record<string, MessageKey>> = {
  navixy_unavailable: "apiError.navixy_unavailable",
  user_not_found: "apiError.user_not_found",
  stripe_unavailable: "apiError.stripe_unavailable",
  payment_not_accepted: "apiError.payment_not_accepted",
  auto_top_up_unavailable: "apiError.auto_top_up_unavailable",
  invalid_auto_top_up: "apiError.invalid_auto_top_up",
  auto_top_up_terms_changed: "apiError.auto_top_up_terms_changed",
  auto_top_up_exists: "apiError.auto_top_up_exists",
  nothing_to_confirm: "apiError.nothing_to_confirm",
  top_up_in_progress: "apiError.top_up_in_progress",
  monthly_limit_reached: "apiError.monthly_limit_reached",
  receipt_unavailable: "apiError.receipt_unavailable",
  // A request the page itself built was refused: nothing the payer can fix but a reload.
  invalid_user_id: "apiError.invalid_request",
  invalid_amount: "apiError.invalid_request",
  invalid_receipt: "apiError.invalid_request",
  invalid_locale: "apiError.invalid_request",
  invalid_request: "apiError.invalid_request",
  invalid_json: "apiError.invalid_request",
  unsupported_media_type: "apiError.invalid_request",
  internal_error: "error.generic",
};

export interface ApiErrorContext {
  /** The amount sent and the page's limits: amount_out_of_range is worded from them. */
  amount?: number;
  limits?: AmountLimits;
  /** The Retry-After of a 429, in seconds. */
  retryAfterSeconds?: number | null;
}

export function apiErrorMessage(
  error: { code?: unknown; message?: unknown } | null | undefined,
  t: Translator,
  context: ApiErrorContext = {},
): string {
  const code = typeof error?.code === "string" ? error.code : undefined;
  const serverMessage = typeof error?.message === "string" && error.message ? error.message : undefined;
  if (code === "amount_out_of_range" && context.limits && context.amount !== undefined) {
    const check = checkAmount(context.amount, context.limits, t);
    if (check.error) return check.error;
  }
  if (code === "rate_limited" && context.retryAfterSeconds && context.retryAfterSeconds > 0) {
    return t.t("apiError.rate_limited", { wait: t.duration(context.retryAfterSeconds) });
  }
  const key = code ? API_ERROR_KEYS[code] : undefined;
  if (key) return t.t(key);
  return serverMessage ?? t.t("error.generic");
}

/** The whole seconds of a Retry-After header, or null. */
export function retryAfterSeconds(header: string | null): number | null {
  if (!header || !/^\d{1,7}$/.test(header.trim())) return null;
  return Number(header.trim());
}
