// What proxy.ts and the Stripe webhook route (which the proxy does not run for: it is the busiest route, called
// by Stripe only, and the proxy's pass cost it ~0.5 ms a call) share to put the security headers on a response.
import { getConfig, type Config } from "../config";
import { REQUEST_ID_HEADER, requestIdFrom } from "../logging/logger";
import { securityHeaders, type SecurityHeaderOptions } from "./headers";

export type HeaderSettings = Omit<SecurityHeaderOptions, "kind" | "nonce">;

/** What the headers depend on, from the configuration; the strictest settings when it does not parse. */
export function headerSettings(): HeaderSettings {
  try {
    const c = getConfig();
    return { sandbox: c.sandbox, stripeApiUrl: c.stripe.apiUrl, frameAncestors: c.security.frameAncestors, publicUrl: c.publicUrl };
  } catch {
    return { sandbox: false, frameAncestors: "'none'" };
  }
}

export function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

// The configuration is read once per process: the API headers are computed once for it.
const apiHeadersFor = new WeakMap<Config, Record<string, string>>();

function apiHeaders(): Record<string, string> {
  let config: Config;
  try {
    config = getConfig();
  } catch {
    return securityHeaders({ ...headerSettings(), kind: "api" });
  }
  let headers = apiHeadersFor.get(config);
  if (!headers) {
    headers = securityHeaders({ ...headerSettings(), kind: "api" });
    apiHeadersFor.set(config, headers);
  }
  return headers;
}

/** The headers the proxy gives an API response, and the request's id, for a route the proxy skips. */
export function withApiSecurityHeaders(response: Response, request: Request): Response {
  return withHeaders(response, { ...apiHeaders(), [REQUEST_ID_HEADER]: requestIdFrom(request.headers) });
}
