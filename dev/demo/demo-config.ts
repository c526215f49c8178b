// `npm run demo`: its command line and the environment it runs the app with. Pure, so it is unit-tested;
// dev/demo/demo.ts does the starting and stopping.
import { parseArgs } from "node:util";

/** The keys the Stripe emulator accepts in sandbox mode: test keys that exist nowhere but here. */
export const SANDBOX_KEYS = {
  secret: "sk_test_sandbox",
  publishable: "pk_test_sandbox",
  webhookSecret: "whsec_sandbox_demo",
} as const;

export const SANDBOX_DATABASE_URL = "file:./data/sandbox.db";
export const SANDBOX_CURRENCY = "EUR";

export interface DemoOptions {
  /** The app's port (next start). */
  port: number;
  stripePort: number;
  navixyPort: number;
  /** Run `next build` even when a production build exists. */
  rebuild: boolean;
  /** Keep data/sandbox.db from the last run (default: start with an empty ledger, as the emulators do). */
  keepData: boolean;
  /** Print the emulators' request logs. */
  verbose: boolean;
  help: boolean;
}

export const DEMO_USAGE = `Usage: npm run demo -- [options]

Runs the whole gateway on this computer with emulated Stripe and Navixy: no Stripe account, no Navixy
credentials, no internet, no real money.

Options:
  --port N          the app's port (default 3000)
  --stripe-port N   the Stripe emulator's port (default 12111)
  --navixy-port N   the Navixy emulator's port (default 12112)
  --rebuild         run \`next build\` even if a production build exists
  --keep-data       keep the sandbox ledger (data/sandbox.db) from the last run
  --verbose         print the emulators' request logs
  --help            show this help`;

export class DemoArgsError extends Error {
  override name = "DemoArgsError";
}

function port(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,5}$/.test(text.trim())) throw new DemoArgsError(`--${name} must be a port number (1-65535), got "${text}"`);
  const n = Number(text.trim());
  if (n < 1 || n > 65535) throw new DemoArgsError(`--${name} must be a port number (1-65535), got "${text}"`);
  return n;
}

/** argv after the script name, e.g. ["--port", "3200"]. Throws DemoArgsError with a message for the user. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        "stripe-port": { type: "string" },
        "navixy-port": { type: "string" },
        rebuild: { type: "boolean" },
        "keep-data": { type: "boolean" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new DemoArgsError(error instanceof Error ? error.message : String(error));
  }
  const options: DemoOptions = {
    port: port("port", values["port"] as string | undefined, 3000),
    stripePort: port("stripe-port", values["stripe-port"] as string | undefined, 12111),
    navixyPort: port("navixy-port", values["navixy-port"] as string | undefined, 12112),
    rebuild: values["rebuild"] === true,
    keepData: values["keep-data"] === true,
    verbose: values["verbose"] === true,
    help: values["help"] === true,
  };
  const ports = [options.port, options.stripePort, options.navixyPort];
  if (new Set(ports).size !== ports.length) {
    throw new DemoArgsError(`--port, --stripe-port and --navixy-port must differ (got ${ports.join(", ")})`);
  }
  return options;
}

export interface DemoServices {
  port: number;
  stripeApiUrl: string;
  navixyApiUrl: string;
  navixyLogin: string;
  navixyPassword: string;
}

/** Settings a developer may keep (from the shell or a .env file) in the demo; every other app setting is fixed. */
const PASSED_THROUGH = ["PAYMENT_MIN_AMOUNT", "PAYMENT_MAX_AMOUNT", "PAYMENT_AMOUNT_PRESETS"] as const;

/**
 * The app's environment in the demo. Every setting lib/config reads is given a value: an empty string means
 * "unset" to the app and also keeps `next start` from taking it from a .env file (Next.js never overrides a
 * variable that exists). `dotenvNames` are the names the project's .env files set (see dotenvNames): they are
 * emptied too, so a dealer's real .env cannot leak into the sandbox, even a setting added to the app later.
 */
export function demoEnv(
  base: Readonly<Record<string, string | undefined>>,
  s: DemoServices,
  dotenvNames: Iterable<string> = [],
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  for (const name of dotenvNames) {
    if (!name.startsWith("NEXT_") && !(PASSED_THROUGH as readonly string[]).includes(name)) env[name] = "";
  }
  const fixed: Record<string, string> = {
    SANDBOX: "1",
    NODE_ENV: "production",
    DATABASE_URL: SANDBOX_DATABASE_URL,
    PUBLIC_URL: `http://localhost:${s.port}`,
    PORT: String(s.port),
    STRIPE_SECRET_KEY: SANDBOX_KEYS.secret,
    STRIPE_PUBLISHABLE_KEY: SANDBOX_KEYS.publishable,
    STRIPE_WEBHOOK_SECRET: SANDBOX_KEYS.webhookSecret,
    STRIPE_API_URL: s.stripeApiUrl,
    STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: "",
    // Receipts are offered (the demo users' logins are e-mail addresses); the emulator records them, sends nothing.
    RECEIPTS_ENABLED: "true",
    // The dealer's look comes from the Navixy emulator (none by default): nothing overrides it.
    BRAND_NAME: "",
    BRAND_LOGO_URL: "",
    BRAND_COLOR: "",
    // The demo's dealer has no images; were one set, it is fetched as in production (https, public addresses only).
    BRAND_IMAGE_ALLOW_PRIVATE: "",
    // One dealer: the environment's (multi-dealer hosting needs SECRETS_KEY only to store other dealers).
    SECRETS_KEY: "",
    NAVIXY_API_URL: s.navixyApiUrl,
    NAVIXY_PANEL_LOGIN: s.navixyLogin,
    NAVIXY_PANEL_PASSWORD: s.navixyPassword,
    NAVIXY_CREDIT_METHOD: "panel",
    NAVIXY_API_HASH: "",
    NAVIXY_TIMEOUT_MS: "",
    // The dealer currency comes from the Navixy emulator, as it would from Navixy.
    PAYMENT_CURRENCY: "",
    PAYMENT_CAPTURE: "automatic",
    // The payer's language follows the browser, then the emulated dealer's locale (lib/i18n).
    PAYMENT_DEFAULT_LOCALE: "",
    // The demo's books are kept in UTC days.
    RECONCILIATION_TIME_ZONE: "UTC",
    WORKER_IN_SERVER: "true",
    PAYMENT_AUTO_CAPTURE_AFTER: "",
    WORKER_POLL_INTERVAL_MS: "",
    WORKER_LEASE_MS: "",
    CREDIT_RETRY_BASE_MS: "",
    CREDIT_RETRY_MAX_MS: "",
    SWEEP_INTERVAL_MS: "",
    SWEEP_AFTER_MS: "",
    ABANDON_AFTER_MS: "",
    WORKER_CONCURRENCY: "",
    NAVIXY_CONCURRENCY: "",
    DEALER_CACHE_SIZE: "",
    // The dealer console stays off unless the developer gives it a password for the demo.
    ADMIN_PASSWORD: base.ADMIN_PASSWORD ?? "",
    ADMIN_SESSION_TTL: "",
    RATE_LIMIT_PAYMENTS_PER_IP: "",
    RATE_LIMIT_PAYMENTS_PER_USER: "",
    RATE_LIMIT_ADMIN_LOGIN: "",
    RATE_LIMIT_AUTO_TOP_UP_PER_IP: "",
    // No proxy in front: the browser connects to the app itself.
    TRUSTED_PROXIES: "none",
    FRAME_ANCESTORS: "",
    LOG_LEVEL: "",
    // Automatic top-up: balances checked every minute, so a demo shows a top-up soon after a balance drops.
    AUTO_TOP_UP_ENABLED: "true",
    AUTO_TOP_UP_CHECK_INTERVAL: "1m",
    AUTO_TOP_UP_BATCH: "",
    AUTO_TOP_UP_LINK_TTL: "",
    AUTO_TOP_UP_LINK_SECRET: "",
  };
  for (const name of PASSED_THROUGH) {
    const value = base[name];
    if (value !== undefined) fixed[name] = value;
    else delete env[name]; // may still come from a .env file
  }
  return { ...env, ...fixed };
}

/** The variable names a .env file's text sets (`NAME=value`, `export NAME=value`; comments ignored). */
export function dotenvNamesIn(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(line);
    if (m?.[1]) names.push(m[1]);
  }
  return names;
}

/** The .env files `next start` reads (production), in the project folder. */
export const DOTENV_FILES = [".env.production.local", ".env.local", ".env.production", ".env"] as const;
