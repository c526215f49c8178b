/**
 * Stripe error responses: `{ "error": { type, code?, decline_code?, message, param?, ... } }`
 * with the HTTP status Stripe uses for each kind (400 invalid request,
 * 401 auth, 402 card errors, 404 missing resources, 409 idempotency conflicts).
 */
import type Stripe from "stripe";

export type StripeErrorType = "invalid_request_error" | "card_error" | "idempotency_error" | "api_error";

export interface StripeErrorBody {
  type: StripeErrorType;
  code?: string;
  decline_code?: string;
  advice_code?: string;
  message: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Stripe.PaymentIntent;
  payment_method?: Stripe.PaymentMethod;
  request_log_url?: string;
}

export function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`;
}

/** Thrown anywhere in a handler; the router turns it into the JSON error response. */
export class StripeApiError extends Error {
  readonly status: number;
  readonly body: StripeErrorBody;
  /**
   * Whether an idempotent response should be stored for this error. Stripe only
   * saves results once the endpoint "started executing": parameter validation
   * failures are not saved, card declines and state errors raised while
   * executing are (so a retry replays the same decline).
   */
  readonly idempotentSave: boolean;

  constructor(status: number, body: StripeErrorBody, idempotentSave = false) {
    super(body.message);
    this.status = status;
    this.body = body.code && !body.doc_url ? { ...body, doc_url: docUrl(body.code) } : body;
    this.idempotentSave = idempotentSave;
  }
}

export function invalidRequest(
  message: string,
  opts: { param?: string; code?: string; status?: number; paymentIntent?: Stripe.PaymentIntent; save?: boolean } = {},
): StripeApiError {
  const body: StripeErrorBody = { type: "invalid_request_error", message };
  if (opts.code) body.code = opts.code;
  if (opts.param) body.param = opts.param;
  if (opts.paymentIntent) body.payment_intent = opts.paymentIntent;
  return new StripeApiError(opts.status ?? 400, body, opts.save ?? false);
}

export function missingParam(param: string): StripeApiError {
  return invalidRequest(`Missing required param: ${param}.`, { param, code: "parameter_missing" });
}

export function unknownParam(param: string): StripeApiError {
  return invalidRequest(`Received unknown parameter: ${param}`, { param, code: "parameter_unknown" });
}

export function invalidInteger(param: string, value: string): StripeApiError {
  return invalidRequest(`Invalid integer: ${value}`, { param, code: "parameter_invalid_integer" });
}

export function resourceMissing(objectName: string, id: string, param = "id"): StripeApiError {
  return invalidRequest(`No such ${objectName}: '${id}'`, { param, code: "resource_missing", status: 404 });
}

/** `payment_intent_unexpected_state` errors include the PaymentIntent, as Stripe does. */
export function unexpectedState(message: string, pi: Stripe.PaymentIntent, param?: string): StripeApiError {
  return invalidRequest(message, { code: "payment_intent_unexpected_state", paymentIntent: pi, param, save: true });
}

export function cardError(body: Omit<StripeErrorBody, "type">): StripeApiError {
  return new StripeApiError(402, { type: "card_error", ...body }, true);
}
