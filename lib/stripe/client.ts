// The Stripe SDK, with the API version pinned so Stripe's objects keep the shape this code was written for.
import Stripe from "stripe";

export const STRIPE_API_VERSION = "2026-10-28.endive" as const;

export interface StripeSettings {
  secretKey: string;
  /** A Stripe-compatible API (the local emulator); undefined means Stripe itself. */
  apiUrl?: string | undefined;
}

export function createStripeClient(settings: StripeSettings): Stripe {
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
  return new Stripe(settings.secretKey, options);
}

export type { Stripe };
