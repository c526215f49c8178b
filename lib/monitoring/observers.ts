// What a dealer's Navixy and Stripe clients tell about each request, turned into metrics (lib/metrics) and the
// credential signals the alerts read (dealer-signals.ts). Installed on the clients where a dealer's services are
// built (lib/server/services.ts); each call costs a few map updates, never a wait.
import type { NavixyLog } from "../navixy/client";
import type { StripeRequestRecord } from "../stripe/client";
import { countNavixyCall, countStripeCall } from "../metrics";
import { noteNavixyCall, noteStripeStatus } from "./dealer-signals";

interface DealerIdentity {
  id: string;
  slug: string;
}

/** The `outcome` label of a Navixy request, from its client's log line. */
export function navixyOutcome(fields: Record<string, unknown>): string {
  switch (fields.outcome) {
    case "ok":
      return "ok";
    case "api_error":
      return "api_error";
    case "bad_body":
      return "bad_answer";
    case "transport_error":
      switch (fields.phase) {
        case "connect":
          return "unreachable";
        case "timeout":
          return "timeout";
        case "not_sent":
          return "not_sent";
        default:
          return "connection_lost";
      }
    default:
      return "other";
  }
}

/** The Navixy client's `log` for one dealer: every request counted and timed, its login and permissions noted. */
export function navixyObserver(dealer: DealerIdentity): NavixyLog {
  return (msg, fields) => {
    if (msg !== "navixy.call" || !fields) return;
    const method = typeof fields.method === "string" ? fields.method : "unknown";
    countNavixyCall(dealer.slug, method, navixyOutcome(fields), typeof fields.durationMs === "number" ? fields.durationMs : undefined);
    noteNavixyCall(dealer.id, fields);
  };
}

/**
 * A bounded `method` label for a Stripe request: the HTTP method and the path without its query and with every
 * object id (a segment with a digit or a capital: pi_3Mt..., acct_1A...) as ":id", e.g. "POST /v1/payment_intents/:id/confirm".
 */
export function stripeMethodLabel(method: string, path: string): string {
  const bare = path.split("?")[0] ?? "";
  const segments = bare.split("/").map((s) => (/^v\d+$/.test(s) || !/[0-9A-Z]/.test(s) ? s : ":id"));
  return `${method.toUpperCase()} ${segments.join("/")}`;
}

/** The `outcome` label of a Stripe request, from its HTTP status (null: no answer). */
export function stripeOutcome(status: number | null): string {
  if (status === null) return "unreachable";
  if (status >= 200 && status < 300) return "ok";
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 402) return "declined";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server_error";
  return "client_error";
}

/** The Stripe client's observer for one dealer: every request counted and timed, a refused key noted. */
export function stripeObserver(dealer: DealerIdentity): (request: StripeRequestRecord) => void {
  return (request) => {
    countStripeCall(dealer.slug, stripeMethodLabel(request.method, request.path), stripeOutcome(request.status), request.durationMs);
    noteStripeStatus(dealer.id, request.status);
  };
}
