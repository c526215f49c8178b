// `npm run demo`: its command line, the environment it runs the app with, and the second dealer it hosts. Pure
// (apart from the random secrets it makes), so it is unit-tested; dev/demo/demo.ts does the starting and stopping.
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";

/** The keys the Stripe emulator accepts in sandbox mode: test keys that exist nowhere but here. */
export const SANDBOX_KEYS = {
  secret: "sk_test_sandbox",
  publishable: "pk_test_sandbox",
  webhookSecret: "whsec_sandbox_demo",
} as const;

/** Where the sandbox keeps its ledger (and the key its hosted dealer's secrets are sealed with), unless --data says. */
export const DEFAULT_DATA_DIR = "data";

/** The sandbox ledger in a data folder: `file:./data/sandbox.db` (relative to the project) or an absolute path. */
export function sandboxDatabaseUrl(dataDir: string): string {
  if (path.isAbsolute(dataDir)) return `file:${path.join(dataDir, "sandbox.db")}`;
  return `file:./${path.posix.join(path.posix.normalize(dataDir.split(path.sep).join("/")), "sandbox.db")}`;
}

export const SANDBOX_DATABASE_URL = sandboxDatabaseUrl(DEFAULT_DATA_DIR);
export const SANDBOX_CURRENCY = "EUR";

/**
 * The second dealer the demo hosts on the same deployment (multi-dealer hosting): its own Stripe emulator (its own
 * account, keys and webhook secret), its own Navixy emulator with its own users (dev/emulators/navixy/demo-users.ts)
 * and currency, its own name and colour; its pages are /d/<slug>/.
 */
export const DEMO_DEALER = {
  slug: "northwind",
  name: "Northwind Telematics",
  color: "#0b7285",
  currency: "USD",
  presets: "10,20,50",
  keys: { secret: "sk_test_sandbox_northwind", publishable: "pk_test_sandbox_northwind", webhookSecret: "whsec_sandbox_northwind" },
  navixy: { login: "northwind-dealer", password: "northwind-sandbox-password" },
} as const;

export interface DemoDealerServices {
  stripeApiUrl: string;
  navixyApiUrl: string;
}

/** The hosted dealer's variables, as an operator gives them to `npm run dealers -- add`. */
export function demoDealerValues(s: DemoDealerServices): Record<string, string> {
  return {
    STRIPE_SECRET_KEY: DEMO_DEALER.keys.secret,
    STRIPE_PUBLISHABLE_KEY: DEMO_DEALER.keys.publishable,
    STRIPE_WEBHOOK_SECRET: DEMO_DEALER.keys.webhookSecret,
    STRIPE_API_URL: s.stripeApiUrl,
    NAVIXY_API_URL: s.navixyApiUrl,
    NAVIXY_PANEL_LOGIN: DEMO_DEALER.navixy.login,
    NAVIXY_PANEL_PASSWORD: DEMO_DEALER.navixy.password,
    PAYMENT_AMOUNT_PRESETS: DEMO_DEALER.presets,
    BRAND_NAME: DEMO_DEALER.name,
    BRAND_COLOR: DEMO_DEALER.color,
  };
}

/** The dealer console's password for one run of the demo: 24 random characters, printed once by the launcher. */
export function generateConsolePassword(): string {
  return randomBytes(18).toString("base64url");
}

/**
 * The console's password for this run: the developer's own ADMIN_PASSWORD from the shell, else a new one. Only the
 * launcher shows a generated one, once, in its own terminal.
 */
export function consolePassword(base: Readonly<Record<string, string | undefined>>): { password: string; generated: boolean } {
  const own = base.ADMIN_PASSWORD?.trim();
  return own ? { password: own, generated: false } : { password: generateConsolePassword(), generated: true };
}

/** A SECRETS_KEY for the sandbox (`sandbox:<32 random bytes, base64>`): it seals the hosted dealer's secrets. */
export function generateSecretsKey(): string {
  return `sandbox:${randomBytes(32).toString("base64")}`;
}

export interface DemoOptions {
  /** The app's port (next start). */
  port: number;
  stripePort: number;
  navixyPort: number;
  /** Run `next build` even when a production build exists. */
  rebuild: boolean;
  /** Keep data/sandbox.db from the last run (default: start with an empty ledger, as the emulators do). */
  keepData: boolean;
  /** The folder of the sandbox ledger and of the key that seals the hosted dealer's secrets (default "data"). */
  dataDir: string;
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
  --data DIR        keep the sandbox ledger in DIR instead of data/
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

function dataDir(text: string | undefined): string {
  if (text === undefined) return DEFAULT_DATA_DIR;
  if (text.trim() === "") throw new DemoArgsError("--data needs a folder, e.g. --data data");
  return text.trim();
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
        data: { type: "string" },
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
    dataDir: dataDir(values["data"] as string | undefined),
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
  /** The sandbox ledger (sandboxDatabaseUrl). */
  databaseUrl?: string;
  /** The dealer console's password: the developer's ADMIN_PASSWORD, else generated for this run. */
  adminPassword: string;
  /** Seals the hosted dealer's secrets in the ledger (generateSecretsKey). */
  secretsKey: string;
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
    DATABASE_URL: s.databaseUrl ?? SANDBOX_DATABASE_URL,
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
    // The environment's dealer and one hosted dealer (DEMO_DEALER), whose secrets this key seals in the ledger.
    SECRETS_KEY: s.secretsKey,
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
    WORKER_BACKOFF_MS: "",
    WORKER_BACKOFF_MAX_MS: "",
    DEALER_CACHE_SIZE: "",
    WORKER_METRICS_PORT: "",
    // No scraper and no one to alert in a demo: /metrics answers 404, alerts are shown on the console only.
    METRICS_TOKEN: "",
    METRICS_PER_DEALER: "",
    ALERT_EMAIL_TO: "",
    ALERT_EMAIL_FROM: "",
    ALERT_SMTP_URL: "",
    ALERT_WEBHOOK_URL: "",
    ALERT_REMIND_AFTER: "",
    ALERT_CREDIT_WAITING_AFTER: "",
    ALERT_NO_WEBHOOK_AFTER: "",
    ALERT_FAILING_FOR: "",
    ALERT_MAX_PER_HOUR: "",
    ALERT_SEND_TIMEOUT: "",
    ALERT_EVALUATE_INTERVAL: "",
    // The dealer console is on: the launcher prints where and with which password (the app never logs it).
    ADMIN_PASSWORD: s.adminPassword,
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
