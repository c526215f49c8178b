/**
 * CLI: start the Stripe emulator and keep it running.
 *
 *   tsx dev/emulators/stripe/main.ts --port 12111 \
 *     --webhook-url http://127.0.0.1:3000/api/stripe/webhook --webhook-secret whsec_...
 *
 * Environment equivalents: STRIPE_EMULATOR_PORT, STRIPE_EMULATOR_HOST,
 * STRIPE_WEBHOOK_URL, STRIPE_WEBHOOK_SECRET, STRIPE_EMULATOR_SECRET_KEY,
 * STRIPE_EMULATOR_PUBLISHABLE_KEY, STRIPE_EMULATOR_PUBLIC_URL. `--webhook-url`
 * and `--webhook-secret` may be repeated (paired in order). `--quiet` silences
 * the request log.
 */
import { startStripeEmulator } from "./server";

function parseArgs(argv: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (!arg.startsWith("--")) throw new Error(`Unexpected argument: ${arg}`);
    const eq = arg.indexOf("=");
    let name: string;
    let value: string;
    if (eq > 0) {
      name = arg.slice(2, eq);
      value = arg.slice(eq + 1);
    } else {
      name = arg.slice(2);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) value = "true";
      else {
        value = next;
        i++;
      }
    }
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

const USAGE = `Usage: tsx dev/emulators/stripe/main.ts [--port N] [--host H] [--webhook-url URL --webhook-secret whsec_...]...
       [--secret-key sk_test_...] [--publishable-key pk_test_...] [--public-url URL] [--quiet]`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has("help")) {
    console.log(USAGE);
    return;
  }
  const one = (name: string, env: string): string | undefined => args.get(name)?.at(-1) ?? (process.env[env] || undefined);
  const portText = one("port", "STRIPE_EMULATOR_PORT");
  const port = portText === undefined ? 12111 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port: ${portText}`);

  const urls = args.get("webhook-url") ?? (process.env.STRIPE_WEBHOOK_URL ? process.env.STRIPE_WEBHOOK_URL.split(",") : []);
  const secrets = args.get("webhook-secret") ?? (process.env.STRIPE_WEBHOOK_SECRET ? process.env.STRIPE_WEBHOOK_SECRET.split(",") : []);
  if (urls.length > 0 && secrets.length === 0) throw new Error("--webhook-url needs --webhook-secret (or STRIPE_WEBHOOK_SECRET)");
  const webhooks = urls.map((url, i) => ({ url, secret: secrets[i] ?? secrets[secrets.length - 1] ?? "" }));
  const quiet = args.has("quiet");

  const emulator = await startStripeEmulator({
    port,
    host: one("host", "STRIPE_EMULATOR_HOST"),
    secretKey: one("secret-key", "STRIPE_EMULATOR_SECRET_KEY"),
    publishableKey: one("publishable-key", "STRIPE_EMULATOR_PUBLISHABLE_KEY"),
    publicUrl: one("public-url", "STRIPE_EMULATOR_PUBLIC_URL"),
    webhooks,
    log: quiet ? undefined : (line) => console.log(line),
  });
  console.log(`Stripe emulator listening on ${emulator.url}`);
  for (const w of webhooks) console.log(`  webhooks -> ${w.url}`);
  console.log(`  controls: ${emulator.url}/_emulator/health, /_emulator/state, /_emulator/reset, ...`);

  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  console.error(USAGE);
  process.exit(1);
});
