import { Writable } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { resetConfigForTests } from "../config";
import { createLogger, getLogger, paymentLogger, registerLogSecrets, requestIdFrom, resetLoggerForTests, scrub } from "./logger";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      cb();
    },
  });
  return { lines, raw, destination };
}

describe("structured logs", () => {
  test("one JSON object per line, with level, time, message and the level threshold applied", () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: "warn", secrets: [], destination });
    log.info("not written");
    log.warn({ attempt: 2 }, "written");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "warn", msg: "written", attempt: 2, service: "navixy-stripe-gateway" });
    expect(typeof lines[0]!.time).toBe("string");
  });

  test("child loggers carry the request id and our payment id on every line", () => {
    const { lines, destination } = capture();
    const root = createLogger({ level: "info", secrets: [], destination });
    const log = paymentLogger("pay_abc", root.child({ requestId: "req-123456" }));
    log.info("created");
    log.error({ err: new Error("Stripe did not answer") }, "failed");
    expect(lines.map((l) => [l.requestId, l.paymentId])).toEqual([
      ["req-123456", "pay_abc"],
      ["req-123456", "pay_abc"],
    ]);
    expect(lines[1]!.err).toMatchObject({ errorName: "Error", message: "Stripe did not answer" });
  });

  test("secrets and personal data are redacted by field name at any depth and by value in any text", () => {
    const { lines, raw, destination } = capture();
    const secrets = ["sk_test_configured_secret", "whsec_configured", "navixy-panel-pass", "hash-of-the-api", "console-admin-password"];
    const log = createLogger({ level: "info", secrets, destination });
    log.info(
      {
        headers: { authorization: "Bearer sk_live_abcdef", cookie: "session=1", "stripe-signature": "t=1,v1=abc" },
        user: { firstName: "Jane", lastName: "Smith", email: "jane@example.com", login: "jane", legalName: "Acme" },
        password: "x",
        apiHash: "y",
        clientSecret: "pi_123_secret_456",
        nested: { deeper: { password: "z", note: "pay with navixy-panel-pass" } },
      },
      "calling Navixy with hash-of-the-api for jane@example.com, key sk_test_configured_secret, whsec_other and pi_9_secret_8",
    );
    log.error({ err: new Error("bad password console-admin-password") }, "login failed");
    const text = raw.join("\n");
    for (const s of [...secrets, "sk_live_abcdef", "Jane", "Smith", "jane@example.com", "Acme", "pi_123_secret_456", "pi_9_secret_8", "whsec_other", "session=1"]) {
      expect(text, s).not.toContain(s);
    }
    expect(lines[0]).toMatchObject({
      headers: { authorization: "[redacted]", cookie: "[redacted]", "stripe-signature": "[redacted]" },
      user: { firstName: "[redacted]", email: "[redacted]" },
      password: "[redacted]",
      nested: { deeper: { password: "[redacted]" } },
    });
    expect(String(lines[0]!.msg)).toContain("calling Navixy with [redacted]");
  });

  test("a payment row as the console keeps it: the payer's name and login are redacted wherever it is logged", () => {
    const { lines, raw, destination } = capture();
    const log = createLogger({ level: "info", secrets: [], destination });
    const payment = { id: "pay_1", navixyUserId: 10001, payerName: "Jane Smith", payerLogin: "jsmith", cardLast4: "4242" };
    log.info({ payment, before: { deeper: payment }, ...payment }, "payment read");
    const text = raw.join("\n");
    for (const s of ["Jane Smith", "jsmith"]) expect(text, s).not.toContain(s);
    expect(lines[0]).toMatchObject({ payerName: "[redacted]", payment: { payerLogin: "[redacted]", navixyUserId: 10001 } });
  });

  test("scrub() removes key-, secret- and e-mail-shaped text", () => {
    expect(scrub("sk_test_123 rk_live_9 whsec_x pi_1_secret_2 a.b@c.io ok", [])).toBe("[redacted] [redacted] [redacted] [redacted] [redacted] ok");
  });

  test("a caller's request id is kept only when it looks like one", () => {
    expect(requestIdFrom(new Headers({ "x-request-id": "abc-123-def" }))).toBe("abc-123-def");
    const generated = requestIdFrom(new Headers({ "x-request-id": 'bad" {"injected":1}' }));
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFrom(new Headers())).toMatch(/^[0-9a-f-]{36}$/);
  });

  describe("the configured secrets, every one of them", () => {
    const LINK_SECRET = "manage-link-signing-secret-0123456789abcdef";
    const ENV = {
      PUBLIC_URL: "https://pay.example.com",
      STRIPE_SECRET_KEY: "sk_test_logscrub",
      STRIPE_PUBLISHABLE_KEY: "pk_test_logscrub",
      STRIPE_WEBHOOK_SECRET: "whsec_logscrub",
      NAVIXY_PANEL_LOGIN: "12345",
      NAVIXY_PANEL_PASSWORD: "navixy-panel-password",
      NAVIXY_API_HASH: "navixy-api-key-hash",
      ADMIN_PASSWORD: "dealer-console-password",
      AUTO_TOP_UP_LINK_SECRET: LINK_SECRET,
      METRICS_TOKEN: "metrics-scrape-token-0123456789",
      ALERT_EMAIL_TO: "ops@example.com",
      ALERT_EMAIL_FROM: "gateway@example.com",
      ALERT_SMTP_URL: "smtp://gateway:mail-server-password@mail.example.com:587",
      ALERT_WEBHOOK_URL: "https://hooks.example.com/services/T000/B000/alert-webhook-token",
      LOG_LEVEL: "info",
    };
    const saved = new Map<string, string | undefined>();
    function useEnv(env: Record<string, string | undefined>) {
      for (const [k, v] of Object.entries(env)) {
        if (!saved.has(k)) saved.set(k, process.env[k]);
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      resetConfigForTests();
    }
    afterEach(() => {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      saved.clear();
      resetConfigForTests();
      resetLoggerForTests();
    });

    const secrets = [
      "navixy-panel-password",
      "navixy-api-key-hash",
      "dealer-console-password",
      LINK_SECRET,
      "metrics-scrape-token-0123456789",
      "mail-server-password",
      "https://hooks.example.com/services/T000/B000/alert-webhook-token",
    ];

    test("are scrubbed from every line of the process's logger, the manage links' signing secret included", () => {
      useEnv(ENV);
      const { raw, destination } = capture();
      resetLoggerForTests(destination);
      getLogger().info({ detail: `key ${LINK_SECRET}` }, `signing with ${secrets.join(" and ")}`);
      expect(raw).toHaveLength(1);
      for (const s of secrets) expect(raw[0], s).not.toContain(s);
    });

    test("are scrubbed even when the configuration does not parse (start-up logging why)", () => {
      useEnv({ ...ENV, PUBLIC_URL: undefined });
      const { raw, destination } = capture();
      resetLoggerForTests(destination);
      getLogger().error(`bad configuration: ${secrets.join(", ")}`);
      expect(raw).toHaveLength(1);
      for (const s of secrets) expect(raw[0], s).not.toContain(s);
    });
  });

  describe("hosted dealers' secrets, registered as they are opened", () => {
    const owners: string[] = [];
    const register = (owner: string, values: string[]) => {
      owners.push(owner);
      registerLogSecrets(owner, values);
    };
    afterEach(() => {
      for (const owner of owners.splice(0)) registerLogSecrets(owner, [], 0);
    });

    test("a secret that contains another dealer's shorter one is scrubbed whole, whichever was registered first", () => {
      register("dealer:short", ["pass-1234"]);
      register("dealer:long", ["my-pass-1234-and-more"]);
      const out = scrub("login failed with my-pass-1234-and-more, then pass-1234");
      expect(out).toBe("login failed with [redacted], then [redacted]");
    });

    test("with the secrets of 10,000 dealers registered, each is still scrubbed and a line without any is left as it is", () => {
      const secretOf = (i: number, name: string) => `${name}_${i.toString(36).padStart(4, "0")}_${(i * 7919).toString(16)}x`;
      for (let i = 0; i < 10_000; i++) register(`dealer:many-${i}`, [secretOf(i, "sk_test"), secretOf(i, "whsec"), secretOf(i, "navixy-password")]);
      // Among so many, one containing another is still replaced whole.
      register("dealer:nested-short", ["pass-5678"]);
      register("dealer:nested-long", ["my-pass-5678-and-more"]);
      expect(scrub("a my-pass-5678-and-more b pass-5678 c")).toBe("a [redacted] b [redacted] c");
      const { lines, destination } = capture();
      const log = createLogger({ destination, secrets: [], level: "info" });
      for (const i of [0, 4_999, 9_999]) {
        log.warn({ detail: `Stripe refused ${secretOf(i, "sk_test")}`, nested: { url: `https://x.example/?p=${secretOf(i, "navixy-password")}&w=${secretOf(i, "whsec")}` } }, "refused");
      }
      log.info({ detail: "nothing secret here: sk_test_ with no key, whsec", amount: 2500 }, "plain");
      const text = JSON.stringify(lines);
      for (const i of [0, 4_999, 9_999]) for (const name of ["sk_test", "whsec", "navixy-password"]) expect(text).not.toContain(secretOf(i, name));
      expect(lines[0]).toMatchObject({ detail: "Stripe refused [redacted]", nested: { url: "https://x.example/?p=[redacted]&w=[redacted]" } });
      expect(lines[3]).toMatchObject({ detail: "nothing secret here: sk_test_ with no key, whsec", amount: 2500 });
    });
  });
});
