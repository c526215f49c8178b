import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { call, PUBLISHABLE_KEY, SECRET_KEY, startHarness, useHarness } from "./test-helpers";

const h = useHarness();

describe("controls", () => {
  test("health, state and reset", async () => {
    const health = await call(h.emulator, "GET", "/_emulator/health");
    expect(health.body).toMatchObject({ ok: true, url: h.emulator.url });
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur", allowed_payment_method_types: ["card"], confirm: true, payment_method: "pm_card_visa" });
    const state = await call(h.emulator, "GET", "/_emulator/state");
    expect(state.body.paymentIntents.map((p: { id: string }) => p.id)).toEqual([pi.id]);
    expect(state.body.charges).toHaveLength(1);
    expect(state.body.events.map((e: { type: string }) => e.type)).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]);
    expect(state.body).toHaveProperty("refunds");
    expect(state.body).toHaveProperty("deliveries");
    expect(h.emulator.paymentIntents()[0]).toMatchObject({ id: pi.id, status: "succeeded" });

    const reset = await call(h.emulator, "POST", "/_emulator/reset");
    expect(reset.body).toEqual({ ok: true });
    expect(h.emulator.paymentIntents()).toEqual([]);
    expect(h.emulator.events()).toEqual([]);
    await expect(h.stripe.paymentIntents.retrieve(pi.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  test("bad control requests", async () => {
    expect((await call(h.emulator, "GET", "/_emulator/nope")).status).toBe(404);
    expect((await call(h.emulator, "POST", "/_emulator/payment_intents/pi_x/authenticate", { json: { outcome: "complete" } })).status).toBe(404);
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
    const bad = await call(h.emulator, "POST", `/_emulator/payment_intents/${pi.id}/authenticate`, { json: { outcome: "maybe" } });
    expect(bad.status).toBe(400);
    expect((await call(h.emulator, "POST", "/_emulator/events/evt_x/resend")).status).toBe(404);
    expect((await call(h.emulator, "POST", "/_emulator/deliveries/pause", { json: { paused: "sometimes" } })).status).toBe(400);
  });

  test("CORS: preflight and headers on API answers", async () => {
    const pre = await fetch(`${h.emulator.url}/v1/payment_intents/pi_1/confirm`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, stripe-version, idempotency-key",
      },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-methods")).toContain("POST");
    for (const header of ["authorization", "content-type", "stripe-version", "idempotency-key"]) {
      expect(pre.headers.get("access-control-allow-headers")).toContain(header);
    }
    const res = await call(h.emulator, "GET", "/v1/payment_intents/pi_1", { key: SECRET_KEY, headers: { origin: "http://localhost:3000" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    expect(res.headers.get("stripe-version")).toBe("2026-10-28.endive");
  });

  test("3DS page: the payer completes the challenge and is sent back to return_url", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1999, currency: "eur", allowed_payment_method_types: ["card"] });
    const confirmed = await call(h.emulator, "POST", `/v1/payment_intents/${pi.id}/confirm`, {
      key: PUBLISHABLE_KEY,
      form: { client_secret: pi.client_secret ?? "", payment_method: "pm_card_authenticationRequired", return_url: "http://localhost:3000/pay/return?x=1" },
    });
    expect(confirmed.body.status).toBe("requires_action");
    const url = confirmed.body.next_action.redirect_to_url.url as string;

    const page = await fetch(url);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    expect(html).toContain("Complete authentication");
    expect(html).toContain(pi.id);
    expect((await fetch(url.replace(/client_secret=[^&]+/, "client_secret=wrong"))).status).toBe(403);

    const submit = await fetch(`${h.emulator.url}/_emulator/3ds/${pi.id}`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_secret: pi.client_secret ?? "", outcome: "complete" }),
    });
    expect(submit.status).toBe(303);
    const location = new URL(submit.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe("http://localhost:3000/pay/return");
    expect(Object.fromEntries(location.searchParams)).toEqual({
      x: "1",
      payment_intent: pi.id,
      payment_intent_client_secret: pi.client_secret,
      redirect_status: "succeeded",
    });
    expect((await h.stripe.paymentIntents.retrieve(pi.id)).status).toBe("succeeded");
  });

  test("3DS page failure redirects with redirect_status=failed", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1999, currency: "eur", allowed_payment_method_types: ["card"] });
    await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_authenticationRequired", return_url: "https://gw.test/r" });
    const submit = await fetch(`${h.emulator.url}/_emulator/3ds/${pi.id}`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ client_secret: pi.client_secret ?? "", outcome: "fail" }),
    });
    expect(new URL(submit.headers.get("location") ?? "").searchParams.get("redirect_status")).toBe("failed");
    expect((await h.stripe.paymentIntents.retrieve(pi.id)).last_payment_error?.code).toBe("payment_intent_authentication_failure");
  });

  test("an expired secret key is refused with 401, as Stripe refuses a rolled key; the publishable key still works", async () => {
    const own = await startHarness();
    try {
      const pi = await own.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
      own.emulator.expireSecretKey();
      await expect(own.stripe.balance.retrieve()).rejects.toMatchObject({ type: "StripeAuthenticationError", statusCode: 401, message: expect.stringMatching(/^Expired API Key provided: sk_test_\*+/) });
      const res = await fetch(`${own.emulator.url}/v1/payment_intents/${pi.id}?client_secret=${pi.client_secret}`, { headers: { authorization: `Bearer ${PUBLISHABLE_KEY}` } });
      expect(res.status).toBe(200);
    } finally {
      await own.close();
    }
  });

  test("close() is idempotent", async () => {
    const local = await startHarness();
    await local.close();
    await local.close();
  });
});

describe("CLI", () => {
  test("main.ts starts the emulator and prints its URL", async () => {
    const tsx = path.resolve(__dirname, "../../../node_modules/.bin/tsx");
    const child = spawn(tsx, [path.join(__dirname, "main.ts"), "--port", "0", "--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret", "whsec_cli"], {
      env: { ...process.env, STRIPE_EMULATOR_PORT: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      const health = await fetch(`${url}/_emulator/health`);
      expect(health.status).toBe(200);
      const hooks = (await (await fetch(`${url}/_emulator/webhooks`)).json()) as { endpoints: { url: string; secret: string }[] };
      expect(hooks.endpoints).toEqual([{ url: "http://127.0.0.1:9/hook", secret: "whsec_cli" }]);
    } finally {
      child.kill("SIGTERM");
    }
  }, 20_000);
});
