// Settings, read once from the environment and validated. A missing or bad value stops start-up with a
// message naming the variable. Secrets never leave the server: nothing here is NEXT_PUBLIC_.
import { parseSecretsKey } from "../dealers/secret-box";
import { z } from "zod";
import { DEFAULT_DATABASE_URL } from "../db/url";
import { parseMajorAmount, isSupportedCurrency } from "../money";
import { LOCALES, type Locale } from "../i18n/locales";
import { matchLocale } from "../i18n/negotiate";
import { statementDescriptorSuffixProblem } from "../stripe/statement-descriptor";
import { DEFAULT_TRUSTED_PROXIES, parseTrustedProxies, type TrustedProxies } from "./trusted-proxies";

export type { TrustedProxies } from "./trusted-proxies";

const optional = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s.trim());

const major = (name: string) =>
  z.string().transform((s, ctx) => {
    const v = s.trim();
    if (!/^\d+(\.\d+)?$/.test(v)) {
      ctx.addIssue({ code: "custom", message: `${name} must be a positive number in major units, e.g. 5 or 12.50` });
      return z.NEVER;
    }
    return v;
  });

const url = (name: string) =>
  z.string().transform((s, ctx) => {
    try {
      const u = new URL(s.trim());
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error();
      return u.toString().replace(/\/+$/, "");
    } catch {
      ctx.addIssue({ code: "custom", message: `${name} must be an http(s) URL` });
      return z.NEVER;
    }
  });

const positiveInt = z.coerce.number().int().positive();

const flag = (fallback: "true" | "false") => z.enum(["true", "false", "1", "0"]).default(fallback).transform((v) => v === "true" || v === "1");

/** A plain e-mail address (what a mail server takes in MAIL FROM / RCPT TO); display names are not accepted. */
const EMAIL_RE = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

const emailList = (name: string) =>
  z.string().transform((s, ctx) => {
    const items = s.split(",").map((x) => x.trim()).filter(Boolean);
    const bad = items.find((x) => !EMAIL_RE.test(x));
    if (items.length === 0 || items.length > 20 || bad !== undefined) {
      ctx.addIssue({ code: "custom", message: `${name} must be up to 20 comma-separated e-mail addresses${bad ? ` ("${bad}" is not one)` : ""}` });
      return z.NEVER;
    }
    return items;
  });

/** smtp://user:password@host:587 (STARTTLS when the server offers it) or smtps://...:465 (TLS from the start). */
const smtpUrl = (name: string) =>
  z.string().transform((s, ctx) => {
    try {
      const u = new URL(s.trim());
      if ((u.protocol !== "smtp:" && u.protocol !== "smtps:") || !u.hostname) throw new Error();
      return s.trim();
    } catch {
      // Never echo the value: it carries the mail server's password.
      ctx.addIssue({ code: "custom", message: `${name} must look like smtp://user:password@mail.example.com:587 or smtps://...:465` });
      return z.NEVER;
    }
  });

export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** "20/10m" → at most 20 in any 10-minute window. */
const rateLimit = (name: string, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx): RateLimit => {
      const m = /^(\d+)\s*\/\s*(\S+)$/.exec(s.trim());
      const windowMs = m ? parseDuration(m[2]) : undefined;
      if (!m || !windowMs || Number(m[1]) < 1) {
        ctx.addIssue({ code: "custom", message: `${name} must look like 20/10m (requests per window)` });
        return z.NEVER;
      }
      return { limit: Number(m[1]), windowMs };
    });

/** "0", "90s", "30m", "2h", "1d" → milliseconds; "" (unset) → null. */
export function parseDuration(text: string | undefined): number | null | undefined {
  if (text === undefined || text.trim() === "") return null;
  const m = /^(\d+)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}

const duration = (name: string) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: `${name} must be a duration like 0, 90s, 30m, 2h or 1d` });
        return z.NEVER;
      }
      return ms;
    });

const schema = z
  .object({
    DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
    PUBLIC_URL: url("PUBLIC_URL"),
    PORT: positiveInt.default(3000),

    STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\w+$/, "must be a Stripe secret key (sk_test_... or sk_live_...)"),
    STRIPE_PUBLISHABLE_KEY: z.string().regex(/^pk_(test|live)_\w+$/, "must be a Stripe publishable key (pk_test_... or pk_live_...)"),
    STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\S+$/, "must be a webhook signing secret (whsec_...)"),
    STRIPE_API_URL: url("STRIPE_API_URL").optional(),
    // Card statements show "<account prefix>* <suffix>" (lib/stripe/statement-descriptor.ts has Stripe's rules).
    STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: z
      .string()
      .transform((s, ctx) => {
        const problem = statementDescriptorSuffixProblem(s);
        if (problem) {
          ctx.addIssue({ code: "custom", message: `STRIPE_STATEMENT_DESCRIPTOR_SUFFIX ${problem}, e.g. TOP UP` });
          return z.NEVER;
        }
        return s;
      })
      .optional(),

    NAVIXY_API_URL: url("NAVIXY_API_URL").default("https://api.eu.navixy.com/v2"),
    NAVIXY_PANEL_LOGIN: z.string().min(1, "is required (your Admin Panel login)"),
    NAVIXY_PANEL_PASSWORD: z.string().min(1, "is required (your Admin Panel password)"),
    NAVIXY_CREDIT_METHOD: z.enum(["panel", "refill"]).default("panel"),
    NAVIXY_API_HASH: z.string().optional(),
    NAVIXY_TIMEOUT_MS: positiveInt.default(15_000),

    PAYMENT_CURRENCY: z
      .string()
      .transform((s) => s.trim().toUpperCase())
      .refine(isSupportedCurrency, "must be an ISO 4217 currency code Stripe supports, e.g. EUR")
      .optional(),
    PAYMENT_MIN_AMOUNT: major("PAYMENT_MIN_AMOUNT").default("5"),
    PAYMENT_MAX_AMOUNT: major("PAYMENT_MAX_AMOUNT").default("1000"),
    PAYMENT_AMOUNT_PRESETS: z
      .string()
      .default("10,25,50,100")
      .transform((s, ctx) => {
        const items = s.split(",").map((x) => x.trim()).filter(Boolean);
        if (items.length > 8 || items.some((x) => !/^\d+(\.\d+)?$/.test(x))) {
          ctx.addIssue({ code: "custom", message: "must be up to 8 comma-separated amounts in major units, e.g. 10,25,50,100" });
          return z.NEVER;
        }
        return items;
      }),
    PAYMENT_CAPTURE: z.enum(["automatic", "manual"]).default("automatic"),
    RECONCILIATION_TIME_ZONE: z
      .string()
      .default("UTC")
      .refine(
        (zone) => {
          try {
            new Intl.DateTimeFormat("en-US", { timeZone: zone });
            return true;
          } catch {
            return false;
          }
        },
        { message: "must be an IANA time zone, e.g. UTC or Europe/Berlin" },
      ),
    PAYMENT_DEFAULT_LOCALE: z
      .string()
      .transform((s, ctx) => {
        const locale = matchLocale(s);
        if (!locale) {
          ctx.addIssue({ code: "custom", message: `PAYMENT_DEFAULT_LOCALE must be one of ${LOCALES.join(", ")} (e.g. de or pt-BR)` });
          return z.NEVER;
        }
        return locale;
      })
      .optional(),
    PAYMENT_AUTO_CAPTURE_AFTER: duration("PAYMENT_AUTO_CAPTURE_AFTER"),

    ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
    ADMIN_SESSION_TTL: duration("ADMIN_SESSION_TTL"),
    RATE_LIMIT_PAYMENTS_PER_IP: rateLimit("RATE_LIMIT_PAYMENTS_PER_IP", "30/10m"),
    RATE_LIMIT_PAYMENTS_PER_USER: rateLimit("RATE_LIMIT_PAYMENTS_PER_USER", "10/10m"),
    RATE_LIMIT_ADMIN_LOGIN: rateLimit("RATE_LIMIT_ADMIN_LOGIN", "5/15m"),
    RATE_LIMIT_AUTO_TOP_UP_PER_IP: rateLimit("RATE_LIMIT_AUTO_TOP_UP_PER_IP", "60/10m"),
    TRUSTED_PROXIES: z
      .string()
      .default(DEFAULT_TRUSTED_PROXIES)
      .transform((s, ctx): TrustedProxies => {
        const parsed = parseTrustedProxies(s);
        if ("problem" in parsed) {
          ctx.addIssue({ code: "custom", message: `TRUSTED_PROXIES ${parsed.problem}` });
          return z.NEVER;
        }
        return parsed;
      }),
    FRAME_ANCESTORS: z
      .string()
      .default("'none'")
      .refine((v) => /^('none'|'self'|(https?:\/\/[^\s;,]+|'self')(\s+(https?:\/\/[^\s;,]+|'self'))*)$/.test(v.trim()), "must be 'none', 'self' or space-separated https:// origins"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),

    SECRETS_KEY: z
      .string()
      .superRefine((v, ctx) => {
        try {
          parseSecretsKey(v);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : "SECRETS_KEY is malformed" });
        }
      })
      .optional(),

    BRAND_NAME: z.string().trim().min(1).max(80, "must be at most 80 characters").optional(),
    BRAND_LOGO_URL: url("BRAND_LOGO_URL").optional(),
    BRAND_COLOR: z
      .string()
      .trim()
      .refine((v) => /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.test(v), "must be a hex colour such as #1d5fd1")
      .optional(),
    // Development and tests only: the dealer's images may come over http and from any address (the emulators on
    // 127.0.0.1). Off, they are fetched over https from public addresses only (lib/security/public-fetch.ts).
    BRAND_IMAGE_ALLOW_PRIVATE: z.enum(["true", "false", "1", "0"]).default("false").transform((v) => v === "true" || v === "1"),

    RECEIPTS_ENABLED: z.enum(["true", "false", "1", "0"]).default("true").transform((v) => v === "true" || v === "1"),

    AUTO_TOP_UP_ENABLED: z.enum(["true", "false", "1", "0"]).default("true").transform((v) => v === "true" || v === "1"),
    AUTO_TOP_UP_CHECK_INTERVAL: duration("AUTO_TOP_UP_CHECK_INTERVAL"),
    AUTO_TOP_UP_BATCH: positiveInt.max(1000).default(20),
    AUTO_TOP_UP_LINK_TTL: duration("AUTO_TOP_UP_LINK_TTL"),
    AUTO_TOP_UP_LINK_SECRET: z.string().min(32, "must be at least 32 characters (e.g. openssl rand -base64 32)").optional(),

    SANDBOX: z.enum(["1", "0", "true", "false"]).default("0").transform((v) => v === "1" || v === "true"),

    WORKER_IN_SERVER: z.enum(["true", "false", "1", "0"]).default("true").transform((v) => v === "true" || v === "1"),
    WORKER_POLL_INTERVAL_MS: positiveInt.default(2_000),
    WORKER_LEASE_MS: positiveInt.min(1_000).default(10_000),
    CREDIT_RETRY_BASE_MS: positiveInt.default(2_000),
    CREDIT_RETRY_MAX_MS: positiveInt.default(600_000),
    SWEEP_INTERVAL_MS: positiveInt.default(60_000),
    SWEEP_AFTER_MS: positiveInt.default(180_000),
    ABANDON_AFTER_MS: positiveInt.default(86_400_000),
    WORKER_CONCURRENCY: positiveInt.max(256).default(16),
    NAVIXY_CONCURRENCY: positiveInt.max(64).default(10),
    DEALER_CACHE_SIZE: positiveInt.default(500),
    WORKER_BACKOFF_MS: positiveInt.min(100).default(30_000),
    WORKER_BACKOFF_MAX_MS: positiveInt.min(100).default(600_000),
    // `npm run worker` serves its own GET /metrics here (with METRICS_TOKEN set): its counters are its process's.
    WORKER_METRICS_PORT: positiveInt.max(65_535).default(9464),

    // Prometheus metrics (GET /metrics): off unless a token is set; scrapers send it as a bearer token.
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters (e.g. openssl rand -hex 24)").optional(),
    METRICS_PER_DEALER: flag("true"),

    // Alerts to the dealer (lib/alerts): each channel optional.
    ALERT_EMAIL_TO: emailList("ALERT_EMAIL_TO").optional(),
    ALERT_EMAIL_FROM: z.string().trim().refine((v) => EMAIL_RE.test(v), "must be an e-mail address, e.g. gateway@example.com").optional(),
    ALERT_SMTP_URL: smtpUrl("ALERT_SMTP_URL").optional(),
    ALERT_WEBHOOK_URL: url("ALERT_WEBHOOK_URL").optional(),
    ALERT_REMIND_AFTER: duration("ALERT_REMIND_AFTER"),
    ALERT_CREDIT_WAITING_AFTER: duration("ALERT_CREDIT_WAITING_AFTER"),
    ALERT_NO_WEBHOOK_AFTER: duration("ALERT_NO_WEBHOOK_AFTER"),
    ALERT_FAILING_FOR: duration("ALERT_FAILING_FOR"),
    ALERT_MAX_PER_HOUR: positiveInt.max(1000).default(6),
    ALERT_SEND_TIMEOUT: duration("ALERT_SEND_TIMEOUT"),
    ALERT_EVALUATE_INTERVAL: duration("ALERT_EVALUATE_INTERVAL"),
  })
  .superRefine((c, ctx) => {
    if (c.SANDBOX) {
      for (const name of ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY"] as const) {
        if (/_live_/.test(c[name])) {
          ctx.addIssue({ code: "custom", path: [name], message: "is a live key: sandbox mode (SANDBOX=1) runs with test keys only" });
        }
      }
      if (!c.STRIPE_API_URL) {
        ctx.addIssue({ code: "custom", path: ["STRIPE_API_URL"], message: "is required in sandbox mode (the Stripe emulator's URL)" });
      }
    }
    // STRIPE_API_URL only ever points at an emulator: with live keys it would send real keys and real payments
    // elsewhere than Stripe. (Sandbox mode refuses live keys itself, above.)
    const liveKeys = (["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY"] as const).filter((name) => /^(sk|rk|pk)_live_/.test(c[name]));
    if (!c.SANDBOX && c.STRIPE_API_URL && liveKeys.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["STRIPE_API_URL"],
        message: `must not be set with live keys (${liveKeys.join(", ")}): live payments go to Stripe itself, so unset STRIPE_API_URL`,
      });
    }
    // A deployment that takes real payments never fetches from inside its own network on a dealer's word.
    if (c.BRAND_IMAGE_ALLOW_PRIVATE && liveKeys.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["BRAND_IMAGE_ALLOW_PRIVATE"],
        message: `must not be set with live keys (${liveKeys.join(", ")}): it is for development and tests`,
      });
    }
    if (c.AUTO_TOP_UP_CHECK_INTERVAL !== null && c.AUTO_TOP_UP_CHECK_INTERVAL < 60_000) {
      ctx.addIssue({ code: "custom", path: ["AUTO_TOP_UP_CHECK_INTERVAL"], message: "must be at least 1m" });
    }
    if (c.AUTO_TOP_UP_LINK_TTL !== null && c.AUTO_TOP_UP_LINK_TTL < 3_600_000) {
      ctx.addIssue({ code: "custom", path: ["AUTO_TOP_UP_LINK_TTL"], message: "must be at least 1h" });
    }
    if (c.NAVIXY_CREDIT_METHOD === "refill" && !c.NAVIXY_API_HASH) {
      ctx.addIssue({ code: "custom", path: ["NAVIXY_API_HASH"], message: "is required when NAVIXY_CREDIT_METHOD=refill" });
    }
    if (c.ALERT_EMAIL_TO && !c.ALERT_SMTP_URL) {
      ctx.addIssue({ code: "custom", path: ["ALERT_SMTP_URL"], message: "is required with ALERT_EMAIL_TO (the mail server alerts are sent through)" });
    }
    if (c.ALERT_EMAIL_TO && !c.ALERT_EMAIL_FROM) {
      ctx.addIssue({ code: "custom", path: ["ALERT_EMAIL_FROM"], message: "is required with ALERT_EMAIL_TO (a sender address your mail server accepts)" });
    }
    for (const name of ["ALERT_REMIND_AFTER", "ALERT_CREDIT_WAITING_AFTER", "ALERT_NO_WEBHOOK_AFTER", "ALERT_SEND_TIMEOUT", "ALERT_EVALUATE_INTERVAL"] as const) {
      const v = c[name];
      if (v !== null && v < 1_000) ctx.addIssue({ code: "custom", path: [name], message: "must be at least 1s" });
    }
    const secretMode = c.STRIPE_SECRET_KEY.includes("_live_") ? "live" : "test";
    const publishableMode = c.STRIPE_PUBLISHABLE_KEY.includes("_live_") ? "live" : "test";
    if (secretMode !== publishableMode) {
      ctx.addIssue({
        code: "custom",
        path: ["STRIPE_PUBLISHABLE_KEY"],
        message: `is a ${publishableMode} key but STRIPE_SECRET_KEY is a ${secretMode} key: use a matching pair`,
      });
    }
  });

type Raw = z.infer<typeof schema>;

export interface Config {
  databaseUrl: string;
  /** Where this dealer's payer pages are: PUBLIC_URL, or PUBLIC_URL/d/<slug> for a hosted dealer. */
  publicUrl: string;
  /** PUBLIC_URL itself: the deployment's address (webhook endpoints, the console). */
  siteUrl: string;
  port: number;
  stripe: {
    secretKey: string;
    publishableKey: string;
    webhookSecret: string;
    apiUrl: string | undefined;
    livemode: boolean;
    /** Card statements show "<account prefix>* <suffix>"; undefined = the account's descriptor alone. */
    statementDescriptorSuffix: string | undefined;
  };
  /** E-mail receipts (lib/payments/receipts.ts): offered when the Navixy login is an e-mail address. */
  receipts: { enabled: boolean };
  /**
   * The dealer's look on the payer's pages; each unset one comes from Navixy (lib/branding). `allowPrivateImages`
   * (BRAND_IMAGE_ALLOW_PRIVATE, the deployment's, development and tests only) lets the images come over http and
   * from any address.
   */
  brand: { name?: string; logoUrl?: string; color?: string; allowPrivateImages: boolean };
  /** The key ring dealers' secrets are sealed with (multi-dealer hosting, lib/dealers/secret-box.ts). */
  secretsKey?: string;
  navixy: {
    apiUrl: string;
    login: string;
    password: string;
    creditMethod: "panel" | "refill";
    apiHash: string | undefined;
    timeoutMs: number;
  };
  payments: {
    /** Fixed currency (upper case) or undefined to use the dealer's currency from Navixy. */
    currency: string | undefined;
    /** Limits and presets in major units as written; converted per currency by lib/payments/limits. */
    minAmount: string;
    maxAmount: string;
    presets: string[];
    capture: "automatic" | "manual";
    /**
     * The payer's language when neither `?lang=` nor the browser's Accept-Language names one we have; unset = the
     * dealer's locale in Navixy, then English (lib/i18n).
     */
    defaultLocale: Locale | undefined;
    /** With manual capture: capture automatically this long after authorization; null = wait for a person. */
    autoCaptureAfterMs: number | null;
  };
  /** The dealer's books (lib/reconciliation): its days begin at midnight in this IANA time zone. */
  reconciliation: { timeZone: string };
  worker: {
    inServer: boolean;
    pollIntervalMs: number;
    /** How long a claim on a row lasts without a heartbeat: how soon a dead worker's rows are taken over. */
    leaseMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    /** How often the sweep re-reads payments whose webhooks may have been missed. */
    sweepIntervalMs: number;
    /** A payment not final after this long is re-read from Stripe. */
    sweepAfterMs: number;
    /** A PaymentIntent still waiting for a payment method after this long is canceled. */
    abandonAfterMs: number;
    /** Rows one worker process works on at once, across every dealer. */
    concurrency: number;
    /** Rows of one dealer one worker process works on at once: its calls to Navixy at once, at most. */
    dealerConcurrency: number;
    /** Hosted dealers whose services (clients, settings) a process keeps built; the least recently used go first. */
    dealerCacheSize: number;
    /** A backed-off dealer's first pause, and the longest one as failed probes double it. */
    backoffMs: number;
    backoffMaxMs: number;
    /** The port a standalone worker (`npm run worker`) serves its metrics on. */
    metricsPort: number;
  };
  /** Sandbox mode: emulated Stripe and Navixy, no real money (SANDBOX=1, test keys only). */
  sandbox: boolean;
  admin: {
    /** The dealer console's password; undefined = the console is switched off. */
    password: string | undefined;
    sessionTtlMs: number;
    loginLimit: RateLimit;
  };
  security: {
    /** Card-testing defence on POST /api/payments, shared across instances through the database. */
    paymentsPerIp: RateLimit;
    paymentsPerUser: RateLimit;
    /** GET /api/topup/checkout and POST /api/topup/confirm together, per client address and dealer. */
    autoTopUpPerIp: RateLimit;
    /** Which hops in front of the app may name the client (TRUSTED_PROXIES, lib/security/client-address.ts). */
    trustedProxies: TrustedProxies;
    /** CSP frame-ancestors: who may show the pages in a frame ('none' by default). */
    frameAncestors: string;
  };
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Prometheus metrics (lib/metrics): GET /metrics is off while `token` is unset. */
  metrics: {
    token: string | undefined;
    /** A `dealer` label per dealer; false aggregates every dealer under dealer="all" (very many dealers). */
    perDealer: boolean;
  };
  /** Alerts to the dealer (lib/alerts). */
  alerts: {
    /** E-mail: to these recipients through this mail server; null when not set up. */
    email: { to: string[]; from: string; smtpUrl: string } | null;
    /** A JSON POST with a Slack-compatible `text`; undefined when not set up. */
    webhookUrl: string | undefined;
    /** An incident still open after this long is told again (4h). */
    remindAfterMs: number;
    /** A credit owed to Navixy longer than this is an incident (15m). */
    creditWaitingAfterMs: number;
    /** No webhook for this long while payments were created is an incident (2h). */
    noWebhookAfterMs: number;
    /** Navixy login or permissions, the Stripe key or a backed-off dealer failing for this long is an incident (5m). */
    failingForMs: number;
    /** Messages per dealer and channel per hour, at most; the rest waits and goes out grouped. */
    maxPerHour: number;
    /** One message's send, connecting included (10s). */
    sendTimeoutMs: number;
    /** How often the deployment's incidents are evaluated (30s). */
    evaluateIntervalMs: number;
  };
  /** Automatic top-up (lib/autotopup): a saved card tops the balance up when it falls below the payer's threshold. */
  autoTopUp: {
    /** Offer the opt-in and run the scheduler; false keeps existing rules but charges nothing. */
    enabled: boolean;
    /** How often each enrolled user's balance is checked (10 min). */
    checkIntervalMs: number;
    /** At most this many rules checked per scheduler pass and instance (bounds the Navixy calls). */
    batchSize: number;
    /** How long a manage link stays valid (30 days). */
    linkTtlMs: number;
    /** Key material for manage links; undefined = derived from STRIPE_WEBHOOK_SECRET (HKDF). */
    linkSecret: string | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every setting.`);
    this.name = "ConfigError";
  }
}

/** Parses settings from an environment; throws ConfigError naming each bad or missing variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.keys(schema.shape ?? {}).map((k) => [k, optional(env[k])]));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const name = String(i.path[0] ?? "configuration");
        const missing = i.code === "invalid_type" && cleaned[name] === undefined;
        const message = i.message.replace(/^Invalid input: /, "");
        return missing ? `${name} is missing` : message.startsWith(name) ? message : `${name} ${message}`;
      }),
    );
  }
  const c: Raw = result.data;
  for (const [name, value] of [["PAYMENT_MIN_AMOUNT", c.PAYMENT_MIN_AMOUNT], ["PAYMENT_MAX_AMOUNT", c.PAYMENT_MAX_AMOUNT]] as const) {
    if (parseMajorAmount(value, "EUR") === null) throw new ConfigError([`${name} is not a valid amount`]);
  }
  return {
    databaseUrl: c.DATABASE_URL,
    publicUrl: c.PUBLIC_URL,
    siteUrl: c.PUBLIC_URL,
    port: c.PORT,
    stripe: {
      secretKey: c.STRIPE_SECRET_KEY,
      publishableKey: c.STRIPE_PUBLISHABLE_KEY,
      webhookSecret: c.STRIPE_WEBHOOK_SECRET,
      apiUrl: c.STRIPE_API_URL,
      livemode: c.STRIPE_SECRET_KEY.includes("_live_"),
      statementDescriptorSuffix: c.STRIPE_STATEMENT_DESCRIPTOR_SUFFIX,
    },
    receipts: { enabled: c.RECEIPTS_ENABLED },
    brand: { name: c.BRAND_NAME, logoUrl: c.BRAND_LOGO_URL, color: c.BRAND_COLOR, allowPrivateImages: c.BRAND_IMAGE_ALLOW_PRIVATE },
    secretsKey: c.SECRETS_KEY,
    navixy: {
      apiUrl: c.NAVIXY_API_URL,
      login: c.NAVIXY_PANEL_LOGIN,
      password: c.NAVIXY_PANEL_PASSWORD,
      creditMethod: c.NAVIXY_CREDIT_METHOD,
      apiHash: c.NAVIXY_API_HASH,
      timeoutMs: c.NAVIXY_TIMEOUT_MS,
    },
    payments: {
      currency: c.PAYMENT_CURRENCY,
      minAmount: c.PAYMENT_MIN_AMOUNT,
      maxAmount: c.PAYMENT_MAX_AMOUNT,
      presets: c.PAYMENT_AMOUNT_PRESETS,
      capture: c.PAYMENT_CAPTURE,
      defaultLocale: c.PAYMENT_DEFAULT_LOCALE,
      autoCaptureAfterMs: c.PAYMENT_AUTO_CAPTURE_AFTER,
    },
    reconciliation: { timeZone: c.RECONCILIATION_TIME_ZONE },
    worker: {
      inServer: c.WORKER_IN_SERVER,
      pollIntervalMs: c.WORKER_POLL_INTERVAL_MS,
      leaseMs: c.WORKER_LEASE_MS,
      retryBaseMs: c.CREDIT_RETRY_BASE_MS,
      retryMaxMs: c.CREDIT_RETRY_MAX_MS,
      sweepIntervalMs: c.SWEEP_INTERVAL_MS,
      sweepAfterMs: c.SWEEP_AFTER_MS,
      abandonAfterMs: c.ABANDON_AFTER_MS,
      concurrency: c.WORKER_CONCURRENCY,
      dealerConcurrency: c.NAVIXY_CONCURRENCY,
      dealerCacheSize: c.DEALER_CACHE_SIZE,
      backoffMs: c.WORKER_BACKOFF_MS,
      backoffMaxMs: Math.max(c.WORKER_BACKOFF_MS, c.WORKER_BACKOFF_MAX_MS),
      metricsPort: c.WORKER_METRICS_PORT,
    },
    sandbox: c.SANDBOX,
    admin: {
      password: c.ADMIN_PASSWORD,
      sessionTtlMs: c.ADMIN_SESSION_TTL ?? 12 * 3_600_000,
      loginLimit: c.RATE_LIMIT_ADMIN_LOGIN,
    },
    security: {
      paymentsPerIp: c.RATE_LIMIT_PAYMENTS_PER_IP,
      paymentsPerUser: c.RATE_LIMIT_PAYMENTS_PER_USER,
      autoTopUpPerIp: c.RATE_LIMIT_AUTO_TOP_UP_PER_IP,
      trustedProxies: c.TRUSTED_PROXIES,
      frameAncestors: c.FRAME_ANCESTORS.trim(),
    },
    logLevel: c.LOG_LEVEL,
    metrics: { token: c.METRICS_TOKEN, perDealer: c.METRICS_PER_DEALER },
    alerts: {
      email: c.ALERT_EMAIL_TO && c.ALERT_SMTP_URL && c.ALERT_EMAIL_FROM ? { to: c.ALERT_EMAIL_TO, from: c.ALERT_EMAIL_FROM, smtpUrl: c.ALERT_SMTP_URL } : null,
      webhookUrl: c.ALERT_WEBHOOK_URL,
      remindAfterMs: c.ALERT_REMIND_AFTER ?? 4 * 3_600_000,
      creditWaitingAfterMs: c.ALERT_CREDIT_WAITING_AFTER ?? 15 * 60_000,
      noWebhookAfterMs: c.ALERT_NO_WEBHOOK_AFTER ?? 2 * 3_600_000,
      failingForMs: c.ALERT_FAILING_FOR ?? 5 * 60_000,
      maxPerHour: c.ALERT_MAX_PER_HOUR,
      sendTimeoutMs: c.ALERT_SEND_TIMEOUT ?? 10_000,
      evaluateIntervalMs: c.ALERT_EVALUATE_INTERVAL ?? 30_000,
    },
    autoTopUp: {
      enabled: c.AUTO_TOP_UP_ENABLED,
      checkIntervalMs: c.AUTO_TOP_UP_CHECK_INTERVAL ?? 10 * 60_000,
      batchSize: c.AUTO_TOP_UP_BATCH,
      linkTtlMs: c.AUTO_TOP_UP_LINK_TTL ?? 30 * 86_400_000,
      linkSecret: c.AUTO_TOP_UP_LINK_SECRET,
    },
  };
}

const holder = globalThis as unknown as { __gatewayConfig?: Config };

/** The process's settings, parsed on first use and then kept. */
export function getConfig(): Config {
  holder.__gatewayConfig ??= parseConfig(process.env);
  return holder.__gatewayConfig;
}

/** Tests change the environment between suites. */
export function resetConfigForTests(): void {
  delete holder.__gatewayConfig;
}
