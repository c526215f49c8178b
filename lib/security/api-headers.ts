// The security headers and request id proxy.ts gives every response, for a route the proxy does not run for
// (the Stripe webhook: the busiest route, called by Stripe only, where the proxy's pass cost ~0.5 ms a call).
import { getConfig, type Config } from "../config";
import { REQUEST_ID_HEADER, requestIdFrom } from "../logging/logger";
import { securityHeaders } from "./headers";

const computed = new WeakMap<Config, Record<string, string>>();

function apiHeaders(): Record<string, string> {
  let config: Config;
  try {
    config = getConfig();
  } catch {
    // As the proxy does when the configuration does not parse: the strictest headers.
    return securityHeaders({ kind: "api", sandbox: false, frameAncestors: "'none'" });
  }
  let headers = computed.get(config);
  if (!headers) {
    headers = securityHeaders({ kind: "api", sandbox: config.sandbox, stripeApiUrl: config.stripe.apiUrl, frameAncestors: config.security.frameAncestors, publicUrl: config.publicUrl });
    computed.set(config, headers);
  }
  return headers;
}

export function withApiSecurityHeaders(response: Response, request: Request): Response {
  for (const [name, value] of Object.entries(apiHeaders())) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestIdFrom(request.headers));
  return response;
}
