// What a dealer of a multi-dealer deployment sets for itself: the same variables the environment's own dealer is
// configured with, so that one validation (lib/config) and one vocabulary serve both. The rest of the environment
// (database, PUBLIC_URL, worker, rate limits, console) is the deployment's and shared by every dealer.
import { parseConfig, ConfigError, type Config } from "../config";

/** The variables a dealer sets for itself; none of them is taken from the environment for another dealer. */
export const DEALER_VARIABLES = [
  "STRIPE_SECRET_KEY",
  "STRIPE_PUBLISHABLE_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_API_URL",
  "STRIPE_STATEMENT_DESCRIPTOR_SUFFIX",
  "NAVIXY_API_URL",
  "NAVIXY_PANEL_LOGIN",
  "NAVIXY_PANEL_PASSWORD",
  "NAVIXY_CREDIT_METHOD",
  "NAVIXY_API_HASH",
  "NAVIXY_TIMEOUT_MS",
  "PAYMENT_CURRENCY",
  "PAYMENT_MIN_AMOUNT",
  "PAYMENT_MAX_AMOUNT",
  "PAYMENT_AMOUNT_PRESETS",
  "PAYMENT_CAPTURE",
  "PAYMENT_DEFAULT_LOCALE",
  "PAYMENT_AUTO_CAPTURE_AFTER",
  "RECONCILIATION_TIME_ZONE",
  "BRAND_NAME",
  "BRAND_LOGO_URL",
  "BRAND_COLOR",
  "RECEIPTS_ENABLED",
  "AUTO_TOP_UP_ENABLED",
  "ALERT_EMAIL_TO",
  "ALERT_EMAIL_FROM",
  "ALERT_SMTP_URL",
  "ALERT_WEBHOOK_URL",
] as const;

export type DealerVariable = (typeof DEALER_VARIABLES)[number];

/** Stored sealed (lib/dealers/secret-box.ts) and never shown again after entry. */
export const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "NAVIXY_PANEL_PASSWORD",
  "NAVIXY_API_HASH",
  // A mail server's password is in its URL; a chat webhook's URL is its token.
  "ALERT_SMTP_URL",
  "ALERT_WEBHOOK_URL",
]);

/**
 * Dealer variables a hosted dealer that does not set them takes from the environment: the deployment's mail server
 * and sender, which then carry every dealer's alerts to that dealer's own recipients (ALERT_EMAIL_TO).
 */
export const INHERITED_VARIABLES: ReadonlySet<string> = new Set(["ALERT_SMTP_URL", "ALERT_EMAIL_FROM"]);

export function isDealerVariable(name: string): name is DealerVariable {
  return (DEALER_VARIABLES as readonly string[]).includes(name);
}

export class DealerSettingsError extends Error {
  constructor(
    readonly slug: string,
    readonly problems: string[],
  ) {
    super(`Dealer ${slug}: ${problems.join("; ")}`);
    this.name = "DealerSettingsError";
  }
}

/**
 * A dealer's configuration: the deployment's environment without any dealer variable, then the dealer's own
 * settings and (opened) secrets. Throws DealerSettingsError naming each bad or missing variable.
 */
export function dealerConfig(slug: string, env: Record<string, string | undefined>, values: Record<string, string>): Config {
  const shared = Object.fromEntries(Object.entries(env).filter(([name]) => !isDealerVariable(name) || INHERITED_VARIABLES.has(name)));
  try {
    const config = parseConfig({ ...shared, ...values });
    // Its payer pages, return URLs and manage links live under /d/<slug> (proxy.ts).
    return { ...config, publicUrl: `${config.siteUrl}/d/${slug}` };
  } catch (error) {
    if (error instanceof ConfigError) throw new DealerSettingsError(slug, error.problems);
    throw error;
  }
}

/** A slug as it appears in URLs: lower-case letters, digits and dashes, 2-40 long; "default" is the environment's. */
export const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/;
export const RESERVED_SLUGS = new Set(["default", "admin", "api", "sandbox", "brand", "d"]);

export function slugProblem(slug: string): string | null {
  if (!SLUG_RE.test(slug)) return "a slug is 2-40 lower-case letters, digits and dashes, starting and ending with a letter or digit";
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is reserved`;
  return null;
}
