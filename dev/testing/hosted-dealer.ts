// A hosted dealer for the integration tests of multi-dealer hosting: its own Navixy emulator (user 20001) and
// Stripe emulator, added as an operator adds one (lib/admin/dealers.ts) to the gateway the test started.
import { startNavixyEmulator, type NavixyEmulator } from "../emulators/navixy/server";
import { startStripeEmulator, type StripeEmulator } from "../emulators/stripe/server";
import { addDealerChecked, type DealerCheckReport } from "../../lib/admin/dealers";
import type { Actor } from "../../lib/admin/audit";

export const HOSTED_OPERATOR: Actor = { actor: "test-operator", ip: null };

export interface HostedDealer {
  navixy: NavixyEmulator;
  stripe: StripeEmulator;
  report: DealerCheckReport;
}

/**
 * Adds "dealer-b" ("Dealer B") with these Stripe keys, its own emulators and any further variables. Given
 * `options.stripe`, B's keys are that running emulator's: B is on that Stripe account (another dealer's, an
 * operator's mistake the go-live check catches) and its Stripe is closed by whoever started it.
 */
export async function addHostedDealer(
  keys: { secret: string; publishable: string; webhookSecret: string },
  values: Record<string, string> = {},
  options: { stripe?: StripeEmulator } = {},
): Promise<HostedDealer> {
  const navixy = await startNavixyEmulator({ users: [{ id: 20001, firstName: "Bo", lastName: "Berg", balance: "0.00" }], currency: "EUR" });
  const stripe = options.stripe ?? (await startStripeEmulator({ secretKey: keys.secret, publishableKey: keys.publishable }));
  const report = await addDealerChecked(HOSTED_OPERATOR, {
    slug: "dealer-b",
    name: "Dealer B",
    values: {
      STRIPE_SECRET_KEY: keys.secret,
      STRIPE_PUBLISHABLE_KEY: keys.publishable,
      STRIPE_WEBHOOK_SECRET: keys.webhookSecret,
      STRIPE_API_URL: stripe.url,
      NAVIXY_API_URL: navixy.apiUrl,
      NAVIXY_PANEL_LOGIN: navixy.credentials.login,
      NAVIXY_PANEL_PASSWORD: navixy.credentials.password,
      ...values,
    },
  });
  // The test closes both emulators when it is done.
  return { navixy, stripe, report };
}
