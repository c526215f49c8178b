/**
 * The emulators for a benchmark run, in their own process so that the load generator never delays them:
 *
 *   npx tsx dev/bench/support/emulators.ts
 *
 * Starts the Stripe emulator (no webhook endpoint: the benchmark signs and sends the events itself) and the
 * Navixy emulator (the demo users, EUR) on free ports of 127.0.0.1, prints one JSON line describing them,
 * and runs until SIGTERM/SIGINT.
 */
import { startStripeEmulator } from "../../emulators/stripe/server";
import { startNavixyEmulator, DEMO_USERS } from "../../emulators/navixy";

export const BENCH_STRIPE_SECRET_KEY = "sk_test_emulator";
export const BENCH_STRIPE_PUBLISHABLE_KEY = "pk_test_emulator";

async function main(): Promise<void> {
  const stripe = await startStripeEmulator({
    webhooks: [],
    secretKey: BENCH_STRIPE_SECRET_KEY,
    publishableKey: BENCH_STRIPE_PUBLISHABLE_KEY,
  });
  const navixy = await startNavixyEmulator({ currency: "EUR", users: DEMO_USERS });
  process.stdout.write(
    JSON.stringify({
      stripeUrl: stripe.url,
      navixyUrl: navixy.url,
      navixyApiUrl: navixy.apiUrl,
      login: navixy.credentials.login,
      password: navixy.credentials.password,
    }) + "\n",
  );
  const stop = async () => {
    await Promise.allSettled([stripe.close(), navixy.close()]);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

if (process.argv[1]?.endsWith("emulators.ts")) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : String(error));
    process.exit(1);
  });
}
