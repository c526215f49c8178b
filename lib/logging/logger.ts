// Structured logs: one JSON object per line on stdout (pino), at the level LOG_LEVEL sets.
//
//   import { logger, requestLogger, paymentLogger } from "@/lib/logging/logger";
//   const log = requestLogger(request).child({ paymentId });   // every line carries requestId and paymentId
//   log.info({ amount }, "payment created");
//
// Nothing secret or personal reaches a line: fields named like keys, hashes, passwords, authorization headers,
// client secrets, names and e-mail addresses are replaced by "[redacted]" at any depth up to three levels, and
// every string (messages, error messages and stacks included) is scrubbed of the configured secrets, of the
// secrets registered while running (a hosted dealer's, registerLogSecrets), and of anything shaped like a Stripe
// secret/restricted key, webhook secret, client secret or e-mail address.
import { randomUUID } from "node:crypto";
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { getConfig } from "../config";

export type { Logger } from "pino";
export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

/** Field names never written as they are (matched case-sensitively by pino, so both spellings are listed). */
const SENSITIVE_KEYS = [
  "password",
  "passwd",
  "secret",
  "secretKey",
  "secret_key",
  "apiKey",
  "api_key",
  "apiHash",
  "api_hash",
  "hash",
  "token",
  "accessToken",
  "authorization",
  "Authorization",
  "cookie",
  "Cookie",
  "set-cookie",
  "stripe-signature",
  "x-admin-password",
  "webhookSecret",
  "clientSecret",
  "client_secret",
  "csrfSecret",
  "session",
  "firstName",
  "first_name",
  "middleName",
  "middle_name",
  "lastName",
  "last_name",
  "legalName",
  "legal_name",
  "name",
  "fullName",
  "email",
  "e-mail",
  "login",
  "payerName",
  "payerLogin",
  "phone",
  "receipt_email",
  "billing_details",
];

const REDACT_PATHS = SENSITIVE_KEYS.flatMap((k) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`;
  const dot = key.startsWith("[") ? "" : ".";
  return [key, `*${dot}${key}`, `*.*${dot}${key}`];
});

const PATTERNS: RegExp[] = [
  /\b(?:sk|rk)_(?:test|live)_[0-9A-Za-z]+/g, // Stripe secret / restricted keys
  /\bwhsec_[0-9A-Za-z+/=_-]+/g, // webhook signing secrets
  /\b(?:pi|seti)_[0-9A-Za-z]+_secret_[0-9A-Za-z]+/g, // PaymentIntent / SetupIntent client secrets
  /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, // e-mail addresses
  /\b(v1|t)=[0-9a-f]{32,}/g, // Stripe-Signature parts
];

/** The settings whose values are secret: scrubbed from every string, even when the configuration does not parse. */
const SECRET_SETTINGS = [
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "NAVIXY_PANEL_PASSWORD",
  "NAVIXY_API_HASH",
  "ADMIN_PASSWORD",
  "AUTO_TOP_UP_LINK_SECRET",
  "METRICS_TOKEN",
  "ALERT_SMTP_URL",
  "ALERT_WEBHOOK_URL",
] as const;

interface Settings {
  level: LogLevel;
  /** Literal values that must never appear (the configured secrets). */
  secrets: string[];
}

const state = globalThis as unknown as { __gatewayLog?: { logger: Logger; settings: Settings }; __gatewayLogSecrets?: RuntimeSecrets };

/**
 * Secrets that become known while the process runs: a hosted dealer's Stripe keys, Navixy password and API hash,
 * registered when they are opened (lib/dealers/directory.ts). Kept per holder (the dealer cache's "dealer:<id>", or
 * one use of a dealer's values), so a dealer's values are replaced, not added to, when it is opened again, and are
 * released when nothing holds them any more (its services left the cache, a periodic check ended). What is replaced or
 * released is still scrubbed for RETIRED_SECRET_MS (a request or Navixy call that began with it may still log), at
 * most MAX_RETIRED_SECRETS of them: the registry holds what is in use, whatever the number of dealers. One per
 * process (every Next.js bundle shares it), like the logger.
 */
interface RuntimeSecrets {
  owners: Map<string, readonly string[]>;
  /** Replaced or released values → until when they are still scrubbed; in the order they were retired. */
  retired: Map<string, number>;
  /**
   * Every value the matcher scrubs (those held and those retired), rebuilt when one is added or, in a sweep, dropped:
   * a dealer leaving the cache and coming back changes nothing, and retiring costs no rebuild.
   */
  all: { list: readonly string[]; set: ReadonlySet<string> } | null;
  /** When retired values are next looked at for their end (at most once a SWEEP_RETIRED_MS, or when there are too many). */
  nextSweepAt: number;
  /** The matcher of the configured secrets and `all`, rebuilt when either changes (matcherFor). */
  matcher?: { configured: readonly string[]; registered: readonly string[]; matcher: SecretMatcher };
}

const RETIRED_SECRET_MS = 15 * 60_000;
const SWEEP_RETIRED_MS = 60_000;
/** Past this many retired values the oldest go, down to half of it (one rebuild for many releases). */
const MAX_RETIRED_SECRETS = 5_000;
const MIN_SECRET_LENGTH = 4;

function runtimeSecrets(): RuntimeSecrets {
  return (state.__gatewayLogSecrets ??= { owners: new Map(), retired: new Map(), all: null, nextSweepAt: 0 });
}

/** Scrubs `values` from every line from now on, in place of what `owner` registered before. */
export function registerLogSecrets(owner: string, values: Iterable<string>, now = Date.now()): void {
  const r = runtimeSecrets();
  const next = [...new Set([...values].filter((v) => v.length >= MIN_SECRET_LENGTH))];
  const previous = r.owners.get(owner) ?? [];
  if (previous.length === next.length && previous.every((v) => next.includes(v))) return;
  for (const value of previous) {
    if (next.includes(value)) continue;
    r.retired.delete(value);
    r.retired.set(value, now + RETIRED_SECRET_MS);
  }
  for (const value of next) r.retired.delete(value);
  if (next.length) r.owners.set(owner, next);
  else r.owners.delete(owner);
  // Scrubbed from this line on: a value the matcher does not know yet rebuilds it before the next line.
  if (r.all && !next.every((v) => r.all!.set.has(v))) r.all = null;
}

/** What `owner` registered is no longer held (still scrubbed for RETIRED_SECRET_MS, or while another holds it). */
export function releaseLogSecrets(owner: string, now = Date.now()): void {
  registerLogSecrets(owner, [], now);
}

/** How many holders have secrets registered: what the registry keeps follows this, not the number of dealers. */
export function logSecretHolderCount(): number {
  return runtimeSecrets().owners.size;
}

/** Every registered value still to be scrubbed (retired ones drop out once their time is up). */
function registeredSecrets(now = Date.now()): readonly string[] {
  const r = runtimeSecrets();
  // (A clock set back does not put the sweeps off.)
  if (now >= r.nextSweepAt || now < r.nextSweepAt - SWEEP_RETIRED_MS || r.retired.size > MAX_RETIRED_SECRETS) {
    r.nextSweepAt = now + SWEEP_RETIRED_MS;
    const excess = r.retired.size > MAX_RETIRED_SECRETS ? r.retired.size - MAX_RETIRED_SECRETS / 2 : 0;
    let seen = 0;
    for (const [value, until] of r.retired) {
      // In the order they were retired, so in the order they run out.
      if (seen >= excess && until > now) break;
      r.retired.delete(value);
      r.all = null;
      seen++;
    }
  }
  if (!r.all) {
    const set = new Set<string>(r.retired.keys());
    for (const values of r.owners.values()) for (const v of values) set.add(v);
    r.all = { list: [...set], set };
  }
  return r.all.list;
}

/** The password inside an SMTP URL, as written and decoded: a mail error may quote either. */
function smtpPassword(url: string): string[] {
  try {
    const raw = new URL(url).password;
    return raw ? [raw, decodeURIComponent(raw)] : [];
  } catch {
    return [];
  }
}

function currentSettings(): Settings {
  // A logger must work even when the configuration does not parse (that is exactly when start-up wants to
  // log why): then the environment is read directly.
  let level = (process.env.LOG_LEVEL as LogLevel | undefined) ?? "info";
  const secrets: string[] = [];
  try {
    const c = getConfig();
    level = c.logLevel;
    secrets.push(c.stripe.secretKey, c.stripe.webhookSecret, c.navixy.password);
    if (c.navixy.apiHash) secrets.push(c.navixy.apiHash);
    if (c.admin.password) secrets.push(c.admin.password);
    if (c.autoTopUp.linkSecret) secrets.push(c.autoTopUp.linkSecret);
    if (c.metrics.token) secrets.push(c.metrics.token);
    if (c.alerts.email) secrets.push(c.alerts.email.smtpUrl, ...smtpPassword(c.alerts.email.smtpUrl));
    if (c.alerts.webhookUrl) secrets.push(c.alerts.webhookUrl);
  } catch {
    for (const name of SECRET_SETTINGS) {
      const v = process.env[name]?.trim();
      if (v) secrets.push(v);
    }
    const smtp = process.env.ALERT_SMTP_URL?.trim();
    if (smtp) secrets.push(...smtpPassword(smtp));
  }
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(level)) level = "info";
  // Test runs stay readable: silent under Vitest unless LOG_LEVEL asks for lines (tests that check lines
  // pass their own destination and level).
  if (process.env.VITEST && !process.env.LOG_LEVEL) level = "silent";
  return { level, secrets: secrets.filter((s) => s.length >= MIN_SECRET_LENGTH) };
}

/**
 * Finds any of a set of secrets in a text in one pass, leftmost and longest first (a secret that contains another is
 * replaced whole), whatever their number: a deployment of thousands of dealers registers several secrets each, and
 * every string of every log line is scrubbed of all of them.
 */
export class SecretMatcher {
  /** A few secrets (one deployment's own): searched for one by one, longest first, which is faster than a scan. */
  private readonly few: string[] | null;
  /** Many secrets: by their first MIN_SECRET_LENGTH characters, longest first. */
  private readonly byPrefix = new Map<string, string[]>();

  constructor(secrets: Iterable<string>) {
    const all = [...new Set(secrets)].filter((secret) => secret.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
    this.few = all.length <= FEW_SECRETS ? all : null;
    if (this.few) return;
    for (const secret of all) {
      const prefix = secret.slice(0, MIN_SECRET_LENGTH);
      const list = this.byPrefix.get(prefix);
      if (list) list.push(secret);
      else this.byPrefix.set(prefix, [secret]);
    }
  }

  redact(text: string): string {
    if (this.few) {
      let out = text;
      for (const secret of this.few) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
      return out;
    }
    if (this.byPrefix.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
    let out = "";
    let from = 0;
    for (let i = 0; i <= text.length - MIN_SECRET_LENGTH; ) {
      const hit = this.byPrefix.get(text.slice(i, i + MIN_SECRET_LENGTH))?.find((secret) => text.startsWith(secret, i));
      if (hit) {
        out += `${text.slice(from, i)}[redacted]`;
        i += hit.length;
        from = i;
      } else {
        i++;
      }
    }
    return from === 0 ? text : out + text.slice(from);
  }
}

/** Up to this many secrets, each is searched for in turn; beyond, one scan finds them all. */
const FEW_SECRETS = 48;

/** The matcher of the configured and the registered secrets: one per process, rebuilt only when either changes. */
function matcherFor(configured: readonly string[]): SecretMatcher {
  const registered = registeredSecrets();
  const r = runtimeSecrets();
  if (!r.matcher || r.matcher.configured !== configured || r.matcher.registered !== registered) {
    r.matcher = { configured, registered, matcher: new SecretMatcher([...configured, ...registered]) };
  }
  return r.matcher.matcher;
}

/** Removes secrets and personal data from free text (by default the configured and the registered secrets). */
export function scrub(text: string, secrets?: readonly string[] | SecretMatcher): string {
  const matcher = secrets instanceof SecretMatcher ? secrets : secrets ? new SecretMatcher(secrets) : matcherFor(state.__gatewayLog?.settings.secrets ?? NONE);
  let out = matcher.redact(text);
  for (const p of PATTERNS) out = out.replace(p, "[redacted]");
  return out;
}

const NONE: readonly string[] = [];

function scrubValue(value: unknown, secrets: SecretMatcher, depth: number): unknown {
  if (typeof value === "string") return scrub(value, secrets);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; type?: unknown; statusCode?: unknown };
    return {
      errorName: e.name,
      message: scrub(e.message, secrets),
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(typeof e.type === "string" ? { stripeType: e.type } : {}),
      ...(typeof e.statusCode === "number" ? { statusCode: e.statusCode } : {}),
      ...(e.stack ? { stack: scrub(e.stack, secrets) } : {}),
    };
  }
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = scrubValue(v, secrets, depth + 1);
  return out;
}

/** A logger with the gateway's redaction; `destination` lets tests capture the lines. */
export function createLogger(options: { level?: LogLevel; secrets?: string[]; destination?: DestinationStream } = {}): Logger {
  const settings = currentSettings();
  const secrets = options.secrets ?? settings.secrets;
  const opts: LoggerOptions = {
    level: options.level ?? settings.level,
    base: { pid: process.pid, service: "navixy-stripe-gateway" },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: "msg",
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    // Errors are already turned into plain, scrubbed objects by the hook below: keep them as they are.
    serializers: { err: (e: unknown) => e },
    hooks: {
      logMethod(args, method) {
        const matcher = matcherFor(secrets);
        const cleaned = args.map((a) => scrubValue(a, matcher, 0)) as Parameters<typeof method>;
        return method.apply(this, cleaned);
      },
    },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** The process's root logger (one per process, shared by every Next.js bundle). */
export function getLogger(): Logger {
  if (!state.__gatewayLog) {
    const settings = currentSettings();
    state.__gatewayLog = { settings, logger: createLogger({ level: settings.level, secrets: settings.secrets }) };
  }
  return state.__gatewayLog.logger;
}

/** Tests: the next getLogger() rebuilds from the current configuration (or writes to `destination`). */
export function resetLoggerForTests(destination?: DestinationStream): void {
  delete state.__gatewayLog;
  if (destination) {
    const settings = currentSettings();
    state.__gatewayLog = { settings, logger: createLogger({ level: settings.level, secrets: settings.secrets, destination }) };
  }
}

/** Proxy-forwarded or caller-chosen request ids are kept only if they look like ids (no log injection). */
const REQUEST_ID = /^[A-Za-z0-9._:-]{6,100}$/;

export const REQUEST_ID_HEADER = "x-request-id";

/** The request's id: the caller's x-request-id when it looks like one, else a new UUID. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get(REQUEST_ID_HEADER)?.trim();
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** A child logger carrying the request's id (and method and path). */
export function requestLogger(request: Request): Logger {
  let path = "";
  try {
    path = new URL(request.url).pathname;
  } catch {
    /* not a URL */
  }
  return getLogger().child({ requestId: requestIdFrom(request.headers), method: request.method, path });
}

/** A child logger for lines about one payment. */
export function paymentLogger(paymentId: string, parent: Logger = getLogger()): Logger {
  return parent.child({ paymentId });
}

/** Proxy for call sites that just want the root logger. */
export const logger: Pick<Logger, "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "child"> = {
  fatal: (...a: unknown[]) => (getLogger().fatal as (...x: unknown[]) => void)(...a),
  error: (...a: unknown[]) => (getLogger().error as (...x: unknown[]) => void)(...a),
  warn: (...a: unknown[]) => (getLogger().warn as (...x: unknown[]) => void)(...a),
  info: (...a: unknown[]) => (getLogger().info as (...x: unknown[]) => void)(...a),
  debug: (...a: unknown[]) => (getLogger().debug as (...x: unknown[]) => void)(...a),
  trace: (...a: unknown[]) => (getLogger().trace as (...x: unknown[]) => void)(...a),
  child: (bindings, options) => getLogger().child(bindings, options),
} as Pick<Logger, "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "child">;
