import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../lib/config";
import { DemoArgsError, SANDBOX_KEYS, demoEnv, dotenvNamesIn, parseDemoArgs } from "./demo-config";

describe("npm run demo arguments", () => {
  test("defaults", () => {
    expect(parseDemoArgs([])).toEqual({
      port: 3000,
      stripePort: 12111,
      navixyPort: 12112,
      rebuild: false,
      keepData: false,
      verbose: false,
      help: false,
    });
  });

  test("every option, in both spellings", () => {
    expect(parseDemoArgs(["--port", "3200", "--stripe-port=13111", "--navixy-port", "13112", "--rebuild", "--keep-data", "--verbose"])).toEqual({
      port: 3200,
      stripePort: 13111,
      navixyPort: 13112,
      rebuild: true,
      keepData: true,
      verbose: true,
      help: false,
    });
    expect(parseDemoArgs(["-h"]).help).toBe(true);
    expect(parseDemoArgs(["--help"]).help).toBe(true);
  });

  test.each([
    [["--port"], /--port/],
    [["--port", "abc"], /--port must be a port number/],
    [["--port", "0"], /--port must be a port number/],
    [["--port", "70000"], /--port must be a port number/],
    [["--stripe-port", "-1"], /stripe-port/],
    [["--port", "12111"], /must differ/],
    [["--prot", "3000"], /Unknown option '--prot'/],
    [["3000"], /Unexpected argument|positional/i],
  ])("%j is refused with a message", (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(DemoArgsError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});

describe("the demo's environment", () => {
  const services = {
    port: 3200,
    stripeApiUrl: "http://127.0.0.1:12111",
    navixyApiUrl: "http://127.0.0.1:12112/v2",
    navixyLogin: "12345",
    navixyPassword: "demo-password",
  };

  test("is a valid sandbox configuration", () => {
    const config = parseConfig(demoEnv({}, services));
    expect(config.sandbox).toBe(true);
    expect(config.publicUrl).toBe("http://localhost:3200");
    expect(config.databaseUrl).toBe("file:./data/sandbox.db");
    expect(config.stripe).toMatchObject({
      secretKey: SANDBOX_KEYS.secret,
      publishableKey: SANDBOX_KEYS.publishable,
      webhookSecret: SANDBOX_KEYS.webhookSecret,
      apiUrl: "http://127.0.0.1:12111",
      livemode: false,
    });
    expect(config.navixy).toMatchObject({ apiUrl: "http://127.0.0.1:12112/v2", login: "12345", password: "demo-password", creditMethod: "panel" });
    expect(config.payments.currency).toBeUndefined(); // the dealer currency comes from the Navixy emulator
    expect(config.worker.inServer).toBe(true);
  });

  test("a developer's real settings never reach the sandbox, except amount limits", () => {
    const real = {
      PATH: "/usr/bin",
      SANDBOX: "0",
      DATABASE_URL: "postgresql://prod/gateway",
      PUBLIC_URL: "https://pay.dealer.example",
      PORT: "80",
      STRIPE_SECRET_KEY: "sk_live_real",
      STRIPE_PUBLISHABLE_KEY: "pk_live_real",
      STRIPE_WEBHOOK_SECRET: "whsec_real",
      STRIPE_API_URL: "https://api.stripe.com",
      NAVIXY_API_URL: "https://api.eu.navixy.com/v2",
      NAVIXY_PANEL_LOGIN: "dealer",
      NAVIXY_PANEL_PASSWORD: "real-password",
      NAVIXY_CREDIT_METHOD: "refill",
      NAVIXY_API_HASH: "real-hash",
      NAVIXY_TIMEOUT_MS: "1",
      PAYMENT_CURRENCY: "USD",
      PAYMENT_CAPTURE: "manual",
      WORKER_IN_SERVER: "false",
      WORKER_POLL_INTERVAL_MS: "999999",
      CREDIT_RETRY_BASE_MS: "999999",
      CREDIT_RETRY_MAX_MS: "9999999",
      PAYMENT_MIN_AMOUNT: "2",
      PAYMENT_MAX_AMOUNT: "500",
      PAYMENT_AMOUNT_PRESETS: "5,20",
    };
    const env = demoEnv(real, services);
    expect(env["PATH"]).toBe("/usr/bin");
    for (const name of Object.keys(real).filter((k) => k !== "PATH" && !k.startsWith("PAYMENT_M") && k !== "PAYMENT_AMOUNT_PRESETS")) {
      expect(env[name], name).not.toBe(real[name as keyof typeof real]);
    }
    // Settings left unset are present but empty, so `next start` cannot take them from a .env file either.
    expect(env["NAVIXY_API_HASH"]).toBe("");
    expect(env["PAYMENT_CURRENCY"]).toBe("");
    const config = parseConfig(env);
    expect(config.sandbox).toBe(true);
    expect(config.payments).toMatchObject({ currency: undefined, capture: "automatic", minAmount: "2", maxAmount: "500", presets: ["5", "20"] });
    expect(config.worker).toMatchObject({ inServer: true, pollIntervalMs: 2000, retryBaseMs: 2000, retryMaxMs: 600000 });
    expect(config.navixy.timeoutMs).toBe(15000);
  });

  test("sets every setting lib/config reads (add new settings to demoEnv)", () => {
    // The schema's keys, read from the source: a setting added to the app must be decided for the demo too.
    const source = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "lib", "config", "index.ts"), "utf8");
    const schema = source.slice(source.indexOf("const schema = z"), source.indexOf("\n  .superRefine("));
    const names = [...schema.matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(15);
    const env = demoEnv({}, services);
    const passedThrough = ["PAYMENT_MIN_AMOUNT", "PAYMENT_MAX_AMOUNT", "PAYMENT_AMOUNT_PRESETS"];
    expect(names.filter((n) => n !== undefined && !passedThrough.includes(n) && !(n in env))).toEqual([]);
  });

  test("names set by the project's .env files are emptied, so next start cannot load them", () => {
    const names = dotenvNamesIn(
      ["# real settings", "STRIPE_SECRET_KEY=sk_live_x", "export SOME_FUTURE_SETTING = 5", "PAYMENT_AMOUNT_PRESETS=5,20", "NEXT_TELEMETRY_DISABLED=1", "", "not a line"].join("\n"),
    );
    expect(names).toEqual(["STRIPE_SECRET_KEY", "SOME_FUTURE_SETTING", "PAYMENT_AMOUNT_PRESETS", "NEXT_TELEMETRY_DISABLED"]);
    const env = demoEnv({}, services, names);
    expect(env["STRIPE_SECRET_KEY"]).toBe(SANDBOX_KEYS.secret);
    expect(env["SOME_FUTURE_SETTING"]).toBe("");
    expect(env).not.toHaveProperty("NEXT_TELEMETRY_DISABLED");
    // Amount limits may come from the .env file: not set here, so Next.js loads them.
    expect(env).not.toHaveProperty("PAYMENT_AMOUNT_PRESETS");
    expect(demoEnv({ PAYMENT_AMOUNT_PRESETS: "7" }, services, names)["PAYMENT_AMOUNT_PRESETS"]).toBe("7");
  });
});
