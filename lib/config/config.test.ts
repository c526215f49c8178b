import { describe, expect, test } from "vitest";
import { ConfigError, parseConfig } from "./";

const valid = {
  PUBLIC_URL: "https://pay.example.com/",
  STRIPE_SECRET_KEY: "sk_test_abc123",
  STRIPE_PUBLISHABLE_KEY: "pk_test_abc123",
  STRIPE_WEBHOOK_SECRET: "whsec_abc123",
  NAVIXY_PANEL_LOGIN: "12345",
  NAVIXY_PANEL_PASSWORD: "secret-password",
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected the configuration to be refused");
}

describe("configuration", () => {
  test("defaults", () => {
    const c = parseConfig(valid);
    expect(c.databaseUrl).toBe("file:./data/gateway.db");
    expect(c.publicUrl).toBe("https://pay.example.com");
    expect(c.navixy).toMatchObject({ apiUrl: "https://api.eu.navixy.com/v2", creditMethod: "panel", timeoutMs: 15000 });
    expect(c.payments).toEqual({ currency: undefined, minAmount: "5", maxAmount: "1000", presets: ["10", "25", "50", "100"], capture: "automatic", autoCaptureAfterMs: null });
    expect(c.stripe.livemode).toBe(false);
    expect(c.sandbox).toBe(false);
    expect(c.worker.inServer).toBe(true);
  });

  test("every missing required setting is named", () => {
    expect(problems({})).toEqual(
      expect.arrayContaining([
        "PUBLIC_URL is missing",
        "STRIPE_SECRET_KEY is missing",
        "STRIPE_PUBLISHABLE_KEY is missing",
        "STRIPE_WEBHOOK_SECRET is missing",
        "NAVIXY_PANEL_LOGIN is missing",
        "NAVIXY_PANEL_PASSWORD is missing",
      ]),
    );
  });

  test("bad values are named with what is expected", () => {
    expect(problems({ ...valid, STRIPE_SECRET_KEY: "pk_test_x" })[0]).toMatch(/^STRIPE_SECRET_KEY must be a Stripe secret key/);
    expect(problems({ ...valid, PUBLIC_URL: "pay.example.com" })[0]).toMatch(/^PUBLIC_URL must be an http\(s\) URL/);
    expect(problems({ ...valid, NAVIXY_CREDIT_METHOD: "wire" })[0]).toMatch(/^NAVIXY_CREDIT_METHOD/);
    expect(problems({ ...valid, NAVIXY_CREDIT_METHOD: "refill" })).toEqual(["NAVIXY_API_HASH is required when NAVIXY_CREDIT_METHOD=refill"]);
    expect(problems({ ...valid, PAYMENT_CURRENCY: "EURO" })[0]).toMatch(/^PAYMENT_CURRENCY/);
    expect(problems({ ...valid, PAYMENT_AMOUNT_PRESETS: "10,abc" })[0]).toMatch(/^PAYMENT_AMOUNT_PRESETS/);
    expect(problems({ ...valid, PAYMENT_MIN_AMOUNT: "-5" })[0]).toMatch(/^PAYMENT_MIN_AMOUNT/);
    expect(problems({ ...valid, STRIPE_PUBLISHABLE_KEY: "pk_live_abc" })[0]).toMatch(/live key but STRIPE_SECRET_KEY is a test key/);
  });

  test("sandbox mode refuses live keys and needs the emulator", () => {
    const live = { ...valid, STRIPE_SECRET_KEY: "sk_live_abc", STRIPE_PUBLISHABLE_KEY: "pk_live_abc", SANDBOX: "1", STRIPE_API_URL: "http://127.0.0.1:12111" };
    expect(problems(live)).toEqual([
      "STRIPE_SECRET_KEY is a live key: sandbox mode (SANDBOX=1) runs with test keys only",
      "STRIPE_PUBLISHABLE_KEY is a live key: sandbox mode (SANDBOX=1) runs with test keys only",
    ]);
    expect(problems({ ...valid, SANDBOX: "1" })).toEqual(["STRIPE_API_URL is required in sandbox mode (the Stripe emulator's URL)"]);
    expect(parseConfig({ ...valid, SANDBOX: "1", STRIPE_API_URL: "http://127.0.0.1:12111" }).sandbox).toBe(true);
  });

  test("STRIPE_API_URL is refused with live keys, naming it and the live key", () => {
    const emulator = { STRIPE_API_URL: "http://127.0.0.1:12111" };
    expect(problems({ ...valid, ...emulator, STRIPE_SECRET_KEY: "sk_live_abc", STRIPE_PUBLISHABLE_KEY: "pk_live_abc" })).toEqual([
      "STRIPE_API_URL must not be set with live keys (STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY): live payments go to Stripe itself, so unset STRIPE_API_URL",
    ]);
    expect(problems({ ...valid, ...emulator, STRIPE_SECRET_KEY: "rk_live_abc", STRIPE_PUBLISHABLE_KEY: "pk_live_abc" })[0]).toMatch(
      /^STRIPE_API_URL must not be set with live keys \(STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY\)/,
    );
    // A mismatched pair is refused for that too; a live publishable key alone is enough to refuse the URL.
    expect(problems({ ...valid, ...emulator, STRIPE_PUBLISHABLE_KEY: "pk_live_abc" })).toContainEqual(
      expect.stringMatching(/^STRIPE_API_URL must not be set with live keys \(STRIPE_PUBLISHABLE_KEY\)/),
    );
    // Live keys without it, and test keys with it, are fine.
    expect(parseConfig({ ...valid, STRIPE_SECRET_KEY: "sk_live_abc", STRIPE_PUBLISHABLE_KEY: "pk_live_abc" }).stripe.livemode).toBe(true);
    expect(parseConfig({ ...valid, ...emulator }).stripe.apiUrl).toBe("http://127.0.0.1:12111");
  });

  test("the error message lists the problems and points at .env.example, without any value", () => {
    try {
      parseConfig({ ...valid, NAVIXY_PANEL_PASSWORD: undefined, STRIPE_SECRET_KEY: "sk_test_SECRETVALUE!" });
    } catch (error) {
      expect((error as Error).message).toContain("NAVIXY_PANEL_PASSWORD is missing");
      expect((error as Error).message).toContain(".env.example");
      expect((error as Error).message).not.toContain("SECRETVALUE");
    }
  });

  test("PAYMENT_DEFAULT_LOCALE: one of the payer's languages, in any usual spelling", () => {
    expect(parseConfig(valid).payments.defaultLocale).toBeUndefined();
    expect(parseConfig({ ...valid, PAYMENT_DEFAULT_LOCALE: "de" }).payments.defaultLocale).toBe("de");
    expect(parseConfig({ ...valid, PAYMENT_DEFAULT_LOCALE: "pt-BR" }).payments.defaultLocale).toBe("pt");
    expect(parseConfig({ ...valid, PAYMENT_DEFAULT_LOCALE: "ru_RU" }).payments.defaultLocale).toBe("ru");
    expect(problems({ ...valid, PAYMENT_DEFAULT_LOCALE: "xx" })[0]).toMatch(/^PAYMENT_DEFAULT_LOCALE must be one of en, ar, /);
  });

  test("RECONCILIATION_TIME_ZONE: UTC by default, any IANA zone, a bad one named", () => {
    expect(parseConfig(valid).reconciliation.timeZone).toBe("UTC");
    expect(parseConfig({ ...valid, RECONCILIATION_TIME_ZONE: "Europe/Berlin" }).reconciliation.timeZone).toBe("Europe/Berlin");
    expect(problems({ ...valid, RECONCILIATION_TIME_ZONE: "Mars/Olympus" })[0]).toMatch(/^RECONCILIATION_TIME_ZONE.*IANA time zone/);
  });

  test("console, rate limits, frames and logs", () => {
    const c = parseConfig(valid);
    expect(c.admin).toEqual({ password: undefined, sessionTtlMs: 12 * 3_600_000, loginLimit: { limit: 5, windowMs: 15 * 60_000 } });
    expect(c.security).toEqual({
      paymentsPerIp: { limit: 30, windowMs: 600_000 },
      paymentsPerUser: { limit: 10, windowMs: 600_000 },
      autoTopUpPerIp: { limit: 60, windowMs: 600_000 },
      trustedProxies: { ranges: ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"] },
      frameAncestors: "'none'",
    });
    expect(parseConfig({ ...valid, TRUSTED_PROXIES: "none" }).security.trustedProxies).toEqual({ ranges: [] });
    expect(parseConfig({ ...valid, TRUSTED_PROXIES: "2" }).security.trustedProxies).toEqual({ hops: 2 });
    expect(parseConfig({ ...valid, TRUSTED_PROXIES: "10.0.0.5, 2001:db8::/48" }).security.trustedProxies).toEqual({ ranges: ["10.0.0.5/32", "2001:db8::/48"] });
    expect(problems({ ...valid, TRUSTED_PROXIES: "everyone" })[0]).toMatch(/^TRUSTED_PROXIES must be none, a number of proxy hops, or addresses/);
    const custom = parseConfig({ ...valid, RATE_LIMIT_PAYMENTS_PER_IP: "100/1h", FRAME_ANCESTORS: "https://fleet.example.com 'self'", ADMIN_PASSWORD: "correct horse battery", ADMIN_SESSION_TTL: "30m" });
    expect(custom.security.paymentsPerIp).toEqual({ limit: 100, windowMs: 3_600_000 });
    expect(custom.security.frameAncestors).toBe("https://fleet.example.com 'self'");
    expect(custom.admin.sessionTtlMs).toBe(1_800_000);
    expect(problems({ ...valid, RATE_LIMIT_PAYMENTS_PER_IP: "lots" })[0]).toMatch(/^RATE_LIMIT_PAYMENTS_PER_IP must look like 20\/10m/);
    expect(problems({ ...valid, FRAME_ANCESTORS: "*" })[0]).toMatch(/^FRAME_ANCESTORS/);
    expect(problems({ ...valid, ADMIN_PASSWORD: "short" })[0]).toBe("ADMIN_PASSWORD must be at least 12 characters");
    expect(problems({ ...valid, PAYMENT_AUTO_CAPTURE_AFTER: "soon" })[0]).toMatch(/^PAYMENT_AUTO_CAPTURE_AFTER must be a duration/);
  });
});

// STRIPE_STATEMENT_DESCRIPTOR_SUFFIX (Stripe's rules, named at start-up) and RECEIPTS_ENABLED.
describe("Stripe details in the configuration", () => {
  test("defaults: no suffix, receipts offered", () => {
    const c = parseConfig(valid);
    expect(c.stripe.statementDescriptorSuffix).toBeUndefined();
    expect(c.receipts).toEqual({ enabled: true });
    expect(parseConfig({ ...valid, RECEIPTS_ENABLED: "false" }).receipts).toEqual({ enabled: false });
    expect(problems({ ...valid, RECEIPTS_ENABLED: "maybe" })[0]).toMatch(/^RECEIPTS_ENABLED/);
  });

  test("a valid suffix is kept as written (trimmed)", () => {
    expect(parseConfig({ ...valid, STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: " Top-up 24/7 " }).stripe.statementDescriptorSuffix).toBe("Top-up 24/7");
    expect(parseConfig({ ...valid, STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: "A".repeat(18) }).stripe.statementDescriptorSuffix).toBe("A".repeat(18));
    expect(parseConfig({ ...valid, STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: "" }).stripe.statementDescriptorSuffix).toBeUndefined();
  });

  test.each([
    ["too long for any prefix", "A".repeat(19), /at most 18 characters/],
    ["a forbidden character", "TOP*UP", /must not contain any of < > \\ ' " \*/],
    ["a quote", "DEALER'S", /must not contain/],
    ["no letter", "2026", /at least one letter/],
    ["Cyrillic", "ПОПОЛНЕНИЕ", /only Latin/],
    ["an accent", "RECHARGÉ", /only Latin/],
  ])("a suffix with %s stops start-up, naming the variable", (_what, suffix, reason) => {
    const found = problems({ ...valid, STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: suffix });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^STRIPE_STATEMENT_DESCRIPTOR_SUFFIX /);
    expect(found[0]).toMatch(reason);
  });
});

describe("the dealer's look (BRAND_*)", () => {
  test("unset: everything comes from Navixy", () => {
    expect(parseConfig(valid).brand).toEqual({ name: undefined, logoUrl: undefined, color: undefined, allowPrivateImages: false });
  });

  test("set: kept (trimmed); a bad one stops start-up, naming it", () => {
    const c = parseConfig({ ...valid, BRAND_NAME: " Acme GPS ", BRAND_LOGO_URL: "https://cdn.acme.test/logo.png", BRAND_COLOR: "#E8590C" });
    expect(c.brand).toEqual({ name: "Acme GPS", logoUrl: "https://cdn.acme.test/logo.png", color: "#E8590C", allowPrivateImages: false });
    expect(problems({ ...valid, BRAND_COLOR: "orange" })[0]).toBe("BRAND_COLOR must be a hex colour such as #1d5fd1");
    expect(problems({ ...valid, BRAND_LOGO_URL: "ftp://x/logo.png" })[0]).toBe("BRAND_LOGO_URL must be an http(s) URL");
    expect(problems({ ...valid, BRAND_NAME: "x".repeat(81) })[0]).toMatch(/^BRAND_NAME must be at most 80 characters/);
  });

  test("BRAND_IMAGE_ALLOW_PRIVATE: off unless set; development and tests only, refused with live keys", () => {
    expect(parseConfig({ ...valid, BRAND_IMAGE_ALLOW_PRIVATE: "1" }).brand.allowPrivateImages).toBe(true);
    expect(parseConfig({ ...valid, BRAND_IMAGE_ALLOW_PRIVATE: "false" }).brand.allowPrivateImages).toBe(false);
    expect(problems({ ...valid, BRAND_IMAGE_ALLOW_PRIVATE: "yes" })[0]).toMatch(/^BRAND_IMAGE_ALLOW_PRIVATE /);
    expect(problems({ ...valid, STRIPE_SECRET_KEY: "sk_live_abc", STRIPE_PUBLISHABLE_KEY: "pk_live_abc", BRAND_IMAGE_ALLOW_PRIVATE: "true" })).toEqual([
      "BRAND_IMAGE_ALLOW_PRIVATE must not be set with live keys (STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY): it is for development and tests",
    ]);
  });
});

describe("SECRETS_KEY (multi-dealer hosting)", () => {
  test("optional; a malformed key ring stops start-up, naming it and never echoing key material", () => {
    expect(parseConfig(valid).secretsKey).toBeUndefined();
    const good = `k1:${Buffer.alloc(32, 1).toString("base64")}`;
    expect(parseConfig({ ...valid, SECRETS_KEY: good }).secretsKey).toBe(good);
    const short = Buffer.alloc(16, 9).toString("base64");
    const found = problems({ ...valid, SECRETS_KEY: short });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^SECRETS_KEY/);
    expect(found[0]).not.toContain(short);
  });
});

describe("metrics and alerts", () => {
  test("off by default; a token and the alert channels when set", () => {
    const c = parseConfig(valid);
    expect(c.metrics).toEqual({ token: undefined, perDealer: true });
    expect(c.alerts).toMatchObject({ email: null, webhookUrl: undefined, remindAfterMs: 4 * 3_600_000, creditWaitingAfterMs: 900_000, noWebhookAfterMs: 7_200_000, failingForMs: 300_000, maxPerHour: 6 });
    const set = parseConfig({
      ...valid,
      METRICS_TOKEN: "0123456789abcdef0123",
      METRICS_PER_DEALER: "false",
      ALERT_EMAIL_TO: "ops@example.com, oncall@example.com",
      ALERT_EMAIL_FROM: "gateway@example.com",
      ALERT_SMTP_URL: "smtps://gateway:p%40ss@mail.example.com:465",
      ALERT_WEBHOOK_URL: "https://hooks.slack.com/services/T0/B0/secret",
      ALERT_REMIND_AFTER: "1h",
    });
    expect(set.metrics).toEqual({ token: "0123456789abcdef0123", perDealer: false });
    expect(set.alerts.email).toEqual({ to: ["ops@example.com", "oncall@example.com"], from: "gateway@example.com", smtpUrl: "smtps://gateway:p%40ss@mail.example.com:465" });
    expect(set.alerts.remindAfterMs).toBe(3_600_000);
  });

  test("e-mail alerts need a mail server and a sender; bad values are named, never echoed", () => {
    expect(problems({ ...valid, ALERT_EMAIL_TO: "ops@example.com" })).toEqual([
      "ALERT_SMTP_URL is required with ALERT_EMAIL_TO (the mail server alerts are sent through)",
      "ALERT_EMAIL_FROM is required with ALERT_EMAIL_TO (a sender address your mail server accepts)",
    ]);
    const bad = problems({ ...valid, ALERT_SMTP_URL: "http://user:hunter2-secret@mail.example.com" });
    expect(bad[0]).toMatch(/^ALERT_SMTP_URL must look like smtp:/);
    expect(bad.join(" ")).not.toContain("hunter2-secret");
    expect(problems({ ...valid, ALERT_EMAIL_TO: "ops@example.com, not-an-address", ALERT_EMAIL_FROM: "g@example.com", ALERT_SMTP_URL: "smtp://m.example.com" })[0]).toContain('"not-an-address" is not one');
    expect(problems({ ...valid, METRICS_TOKEN: "short" })[0]).toMatch(/^METRICS_TOKEN must be at least 16 characters/);
    expect(problems({ ...valid, ALERT_REMIND_AFTER: "0" })[0]).toBe("ALERT_REMIND_AFTER must be at least 1s");
  });
});
