import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../lib/config";
import { parseSecretsKey } from "../../lib/dealers/secret-box";
import { dealerConfig } from "../../lib/dealers/settings";
import {
  DEMO_DEALER,
  DemoArgsError,
  SANDBOX_KEYS,
  consolePassword,
  demoDealerValues,
  demoEnv,
  dotenvNamesIn,
  generateSecretsKey,
  parseDemoArgs,
  sandboxDatabaseUrl,
} from "./demo-config";

describe("npm run demo arguments", () => {
  test("defaults", () => {
    expect(parseDemoArgs([])).toEqual({
      port: 3000,
      stripePort: 12111,
      navixyPort: 12112,
      rebuild: false,
      keepData: false,
      dataDir: "data",
      verbose: false,
      help: false,
    });
  });

  test("every option, in both spellings", () => {
    expect(parseDemoArgs(["--port", "3200", "--stripe-port=13111", "--navixy-port", "13112", "--rebuild", "--keep-data", "--data", "/tmp/demo", "--verbose"])).toEqual({
      port: 3200,
      stripePort: 13111,
      navixyPort: 13112,
      rebuild: true,
      keepData: true,
      dataDir: "/tmp/demo",
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
    [["--data", " "], /--data needs a folder/],
    [["3000"], /Unexpected argument|positional/i],
  ])("%j is refused with a message", (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(DemoArgsError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});

describe("the demo's environment", () => {
  const services = {
    port: 3200,
    adminPassword: "generated-console-password",
    secretsKey: generateSecretsKey(),
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
    // The console is on, with the password the launcher prints; hosted dealers can be stored.
    expect(config.admin.password).toBe("generated-console-password");
    expect(parseSecretsKey(config.secretsKey).current.id).toBe("sandbox");
  });

  test("the ledger in another folder: --data", () => {
    expect(sandboxDatabaseUrl("data")).toBe("file:./data/sandbox.db");
    expect(sandboxDatabaseUrl("./tmp/demo/")).toBe("file:./tmp/demo/sandbox.db");
    expect(sandboxDatabaseUrl("/var/tmp/demo")).toBe("file:/var/tmp/demo/sandbox.db");
    expect(parseConfig(demoEnv({}, { ...services, databaseUrl: sandboxDatabaseUrl("/var/tmp/demo") })).databaseUrl).toBe("file:/var/tmp/demo/sandbox.db");
  });

  test("the console's password: the developer's own ADMIN_PASSWORD, else a new one each run", () => {
    const a = consolePassword({});
    const b = consolePassword({ ADMIN_PASSWORD: "" });
    expect(a.generated && b.generated).toBe(true);
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.password).not.toBe(b.password);
    expect(consolePassword({ ADMIN_PASSWORD: " my-own-console-password " })).toEqual({ password: "my-own-console-password", generated: false });
    // A fresh SECRETS_KEY each time, in the form SECRETS_KEY takes.
    expect(generateSecretsKey()).not.toBe(generateSecretsKey());
    expect(parseSecretsKey(generateSecretsKey()).ids).toEqual(["sandbox"]);
  });

  test("the hosted dealer's variables are a valid dealer of this sandbox, on its own Stripe account", () => {
    const env = demoEnv({}, services);
    const values = demoDealerValues({ stripeApiUrl: "http://127.0.0.1:40001", navixyApiUrl: "http://127.0.0.1:40002/v2" });
    const config = dealerConfig(DEMO_DEALER.slug, env, values);
    expect(config.sandbox).toBe(true);
    expect(config.publicUrl).toBe(`http://localhost:3200/d/${DEMO_DEALER.slug}`);
    expect(config.stripe).toMatchObject({ secretKey: DEMO_DEALER.keys.secret, apiUrl: "http://127.0.0.1:40001", livemode: false });
    expect(config.stripe.secretKey).not.toBe(SANDBOX_KEYS.secret);
    expect(config.stripe.webhookSecret).not.toBe(SANDBOX_KEYS.webhookSecret);
    expect(config.navixy).toMatchObject({ apiUrl: "http://127.0.0.1:40002/v2", login: DEMO_DEALER.navixy.login });
    expect(config.brand).toMatchObject({ name: DEMO_DEALER.name, color: DEMO_DEALER.color });
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
      SECRETS_KEY: `prod:${Buffer.alloc(32, 7).toString("base64")}`,
      ADMIN_PASSWORD: "the-production-console-password",
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
