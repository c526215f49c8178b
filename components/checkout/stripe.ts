// Stripe.js is loaded once per publishable key, on first use in the browser (never at import time on the
// server, never with a constant key). `safe` never rejects: it is what <Elements> receives, because
// react-stripe-js does not catch a failed load; the page shows its own error from `raw` instead.
import { loadStripe, type Stripe } from "@stripe/stripe-js";

export interface StripeLoad {
  raw: Promise<Stripe | null>;
  safe: Promise<Stripe | null>;
}

const loads = new Map<string, StripeLoad>();

export function getStripe(publishableKey: string): StripeLoad {
  let load = loads.get(publishableKey);
  if (!load) {
    const raw = loadStripe(publishableKey);
    const safe = raw.catch((error: unknown) => {
      console.error("Stripe.js could not be loaded:", error instanceof Error ? error.message : error);
      // A later mount (e.g. after the payer retries) may try again.
      loads.delete(publishableKey);
      return null;
    });
    load = { raw, safe };
    loads.set(publishableKey, load);
  }
  return load;
}
