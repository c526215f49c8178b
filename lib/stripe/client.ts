// The Stripe SDK, with the API version pinned so Stripe's objects keep the shape this code was written for.
import Stripe from "stripe";

export const STRIPE_API_VERSION = "2026-10-28.endive" as const;

export interface StripeSettings {
  secretKey: string;
  /** A Stripe-compatible API (the local emulator); undefined means Stripe itself. */
  apiUrl?: string | undefined;
}

/** One HTTP request the SDK made (each network retry is one): `status` null when no answer came. */
export interface StripeRequestRecord {
  method: string;
  path: string;
  status: number | null;
  durationMs: number;
}

export function createStripeClient(settings: StripeSettings, observe?: (request: StripeRequestRecord) => void): Stripe {
  const options: ConstructorParameters<typeof Stripe>[1] = {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: 2, // the SDK retries with the same idempotency key: safe for every call we make
    timeout: 20_000,
    appInfo: { name: "navixy-stripe-gateway" },
  };
  if (settings.apiUrl) {
    const url = new URL(settings.apiUrl);
    options.host = url.hostname;
    options.port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    options.protocol = url.protocol === "https:" ? "https" : "http";
  }
  if (observe) options.httpClient = observedHttpClient(observe);
  return new Stripe(settings.secretKey, options);
}

/** The SDK's own Node HTTP client, each request timed and its status told to `observe` (which must not throw). */
function observedHttpClient(observe: (request: StripeRequestRecord) => void): NonNullable<ConstructorParameters<typeof Stripe>[1]>["httpClient"] {
  const inner = Stripe.createNodeHttpClient();
  const tell = (record: StripeRequestRecord) => {
    try {
      observe(record);
    } catch {
      // Watching a request must never fail it.
    }
  };
  return {
    getClientName: () => inner.getClientName(),
    async makeRequest(host, port, path, method, headers, requestData, protocol, timeout) {
      const started = performance.now();
      try {
        const response = await inner.makeRequest(host, port, path, method, headers, requestData, protocol, timeout);
        tell({ method, path, status: response.getStatusCode(), durationMs: performance.now() - started });
        return response;
      } catch (error) {
        tell({ method, path, status: null, durationMs: performance.now() - started });
        throw error;
      }
    },
  };
}

export type { Stripe };
