import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Stripe from "stripe";
import { startStripeEmulator, type StripeEmulator } from "../../dev/emulators/stripe/server";
import { MAX_FORWARD_BODY_BYTES, forwardSandboxStripeRequest, matchForwardRoute, planForward, type ForwardRoute } from "./stripe-forward";
import { chunkedPost, endlessBody } from "../../dev/testing/bodies";

const PK = "pk_test_sandbox";
const SK = "sk_test_sandbox";
const ID = "pi_3AbCdEfGhIjKlMnOpQrStUv";

describe("the allow-list", () => {
  test.each([
    ["POST", ["v1", "payment_intents", ID, "confirm"], { kind: "confirm", paymentIntentId: ID }],
    ["GET", ["v1", "payment_intents", ID], { kind: "retrieve", paymentIntentId: ID }],
    ["post", ["_emulator", "payment_intents", ID, "authenticate"], { kind: "authenticate", paymentIntentId: ID }],
  ])("%s /%s is forwarded", (method, segments, expected) => {
    expect(matchForwardRoute(method, segments)).toEqual(expected);
  });

  test.each([
    ["GET", ["v1", "payment_intents", ID, "confirm"]], // wrong method
    ["POST", ["v1", "payment_intents", ID]], // update needs the secret key: never
    ["POST", ["v1", "payment_intents"]], // create
    ["GET", ["v1", "payment_intents"]], // list
    ["POST", ["v1", "payment_intents", ID, "capture"]],
    ["POST", ["v1", "payment_intents", ID, "cancel"]],
    ["POST", ["v1", "refunds"]],
    ["GET", ["v1", "events"]],
    ["POST", ["v1", "payment_methods"]],
    ["GET", ["_emulator", "state"]],
    ["POST", ["_emulator", "reset"]],
    ["POST", ["_emulator", "webhooks"]],
    ["GET", ["_emulator", "payment_intents", ID, "authenticate"]],
    ["POST", ["_emulator", "events", "evt_1", "resend"]],
    ["POST", ["v1", "payment_intents", ID, "confirm", "extra"]],
    ["POST", ["v1", "payment_intents", "..", "confirm"]],
    ["POST", ["v1", "payment_intents", "pi_1/../x", "confirm"]],
    ["POST", ["v1", "payment_intents", "ch_123", "confirm"]],
    ["GET", ["v1", "charges", "ch_123"]],
    ["GET", []],
  ])("%s /%s is refused", (method, segments) => {
    expect(matchForwardRoute(method, segments)).toBeNull();
  });
});

describe("planForward", () => {
  const confirm: ForwardRoute = { kind: "confirm", paymentIntentId: ID };
  const retrieve: ForwardRoute = { kind: "retrieve", paymentIntentId: ID };
  const authenticate: ForwardRoute = { kind: "authenticate", paymentIntentId: ID };
  const form = "application/x-www-form-urlencoded";

  test("confirm: the body is passed on with the configured publishable key, whatever key the browser sent", () => {
    const plan = planForward(confirm, { query: "", contentType: form, body: `key=${SK}&client_secret=cs_1&payment_method_data%5Btype%5D=card` }, PK);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.request.method).toBe("POST");
    expect(plan.request.path).toBe(`/v1/payment_intents/${ID}/confirm`);
    const sent = new URLSearchParams(plan.request.body);
    expect(sent.getAll("key")).toEqual([PK]);
    expect(sent.get("client_secret")).toBe("cs_1");
    expect(sent.get("payment_method_data[type]")).toBe("card");
  });

  test("confirm needs a client secret and a form body", () => {
    expect(planForward(confirm, { query: "", contentType: form, body: "payment_method=pm_card_visa" }, PK)).toMatchObject({ ok: false, param: "client_secret" });
    expect(planForward(confirm, { query: "", contentType: "application/json", body: '{"client_secret":"x"}' }, PK)).toMatchObject({ ok: false, status: 400 });
  });

  test("retrieve: the query is passed on with the configured key and needs a client secret", () => {
    const plan = planForward(retrieve, { query: `client_secret=cs_1&key=${SK}&key=other`, contentType: "", body: "" }, PK);
    expect(plan.ok && plan.request.method === "GET").toBe(true);
    if (!plan.ok) return;
    const [path, query] = plan.request.path.split("?");
    expect(path).toBe(`/v1/payment_intents/${ID}`);
    expect(new URLSearchParams(query).getAll("key")).toEqual([PK]);
    expect(planForward(retrieve, { query: "", contentType: "", body: "" }, PK)).toMatchObject({ ok: false, param: "client_secret" });
  });

  test("authenticate: checks the client secret first, then sends only the outcome", () => {
    const plan = planForward(authenticate, { query: "", contentType: "application/json", body: JSON.stringify({ outcome: "complete", client_secret: "cs_1", extra: 1 }) }, PK);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.verify?.method).toBe("GET");
    expect(new URLSearchParams(plan.verify?.path.split("?")[1])).toEqual(new URLSearchParams({ key: PK, client_secret: "cs_1" }));
    expect(plan.request).toEqual({
      method: "POST",
      path: `/_emulator/payment_intents/${ID}/authenticate`,
      contentType: "application/json",
      body: '{"outcome":"complete"}',
    });
    expect(planForward(authenticate, { query: "", contentType: "application/json", body: '{"outcome":"complete"}' }, PK)).toMatchObject({ ok: false, param: "client_secret" });
    expect(planForward(authenticate, { query: "", contentType: "application/json", body: '{"outcome":"maybe","client_secret":"x"}' }, PK)).toMatchObject({ ok: false, param: "outcome" });
    expect(planForward(authenticate, { query: "", contentType: "application/json", body: "not json" }, PK)).toMatchObject({ ok: false, status: 400 });
  });
});

describe("forwarding to the Stripe emulator", () => {
  let emulator: StripeEmulator;
  let stripe: Stripe;
  const settings = () => ({ apiUrl: emulator.url, publishableKey: PK });
  const base = "http://localhost/sandbox/stripe-api";

  beforeAll(async () => {
    emulator = await startStripeEmulator({ secretKey: SK, publishableKey: PK });
    stripe = new Stripe(SK, { host: "127.0.0.1", port: emulator.port, protocol: "http", maxNetworkRetries: 0 });
  });
  afterAll(() => emulator.close());

  const intent = () => stripe.paymentIntents.create({ amount: 2500, currency: "eur", automatic_payment_methods: { enabled: true } });

  function confirmRequest(pi: Stripe.PaymentIntent, number: string, secret = pi.client_secret ?? ""): Request {
    const body = new URLSearchParams({
      key: SK, // replaced by the forwarder
      client_secret: secret,
      "payment_method_data[type]": "card",
      "payment_method_data[card][number]": number,
      "payment_method_data[card][exp_month]": "12",
      "payment_method_data[card][exp_year]": String(new Date().getFullYear() + 2),
      "payment_method_data[card][cvc]": "123",
      return_url: "http://localhost:3000/payment/complete",
    });
    return new Request(`${base}/v1/payment_intents/${pi.id}/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
  }

  test("a confirm with 4242 succeeds; the answer is the publishable view", async () => {
    const pi = await intent();
    const response = await forwardSandboxStripeRequest(confirmRequest(pi, "4242424242424242"), ["v1", "payment_intents", pi.id, "confirm"], settings());
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: pi.id, status: "succeeded" });
    expect(body).not.toHaveProperty("metadata");
  });

  test("a declined card answers 402 with Stripe's error", async () => {
    const pi = await intent();
    const response = await forwardSandboxStripeRequest(confirmRequest(pi, "4000000000000002"), ["v1", "payment_intents", pi.id, "confirm"], settings());
    expect(response.status).toBe(402);
    const { error } = (await response.json()) as { error: Record<string, unknown> };
    expect(error).toMatchObject({ type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." });
  });

  test("a wrong client secret is refused by the emulator, even though the browser sent the secret key", async () => {
    const pi = await intent();
    const response = await forwardSandboxStripeRequest(
      confirmRequest(pi, "4242424242424242", `${pi.id}_secret_wrong`),
      ["v1", "payment_intents", pi.id, "confirm"],
      settings(),
    );
    expect(response.status).toBe(400);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe("requires_payment_method");
  });

  test("3-D Secure: authenticate needs the client secret, then completes the payment", async () => {
    const pi = await intent();
    const confirmed = await forwardSandboxStripeRequest(confirmRequest(pi, "4000002760003184"), ["v1", "payment_intents", pi.id, "confirm"], settings());
    expect(((await confirmed.json()) as { status: string }).status).toBe("requires_action");

    const auth = (secret: string) =>
      forwardSandboxStripeRequest(
        new Request(`${base}/_emulator/payment_intents/${pi.id}/authenticate`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ outcome: "complete", client_secret: secret }),
        }),
        ["_emulator", "payment_intents", pi.id, "authenticate"],
        settings(),
      );
    const refused = await auth(`${pi.id}_secret_wrong`);
    expect(refused.status).toBe(400);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe("requires_action");

    const done = await auth(pi.client_secret ?? "");
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ id: pi.id, object: "payment_intent", status: "succeeded" });

    const retrieved = await forwardSandboxStripeRequest(
      new Request(`${base}/v1/payment_intents/${pi.id}?client_secret=${encodeURIComponent(pi.client_secret ?? "")}`),
      ["v1", "payment_intents", pi.id],
      settings(),
    );
    expect(retrieved.status).toBe(200);
    expect(await retrieved.json()).toMatchObject({ id: pi.id, status: "succeeded" });
  });

  test("anything else is a Stripe-shaped 404, and nothing is sent", async () => {
    const before = emulator.events().length;
    const response = await forwardSandboxStripeRequest(
      new Request(`${base}/_emulator/reset`, { method: "POST" }),
      ["_emulator", "reset"],
      settings(),
    );
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    expect(emulator.events().length).toBe(before);
  });

  test("a body without end and without Content-Length is refused with 413 once past the cap, the rest never read", async () => {
    const pi = await intent();
    const body = endlessBody(`client_secret=${encodeURIComponent(pi.client_secret ?? "")}&pad=`, "e");
    const response = await forwardSandboxStripeRequest(
      chunkedPost(`${base}/v1/payment_intents/${pi.id}/confirm`, body, { "content-type": "application/x-www-form-urlencoded" }),
      ["v1", "payment_intents", pi.id, "confirm"],
      settings(),
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
    expect(body.pulled()).toBeLessThanOrEqual(MAX_FORWARD_BODY_BYTES + 64 * 1024);
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe("requires_payment_method");
  });

  test("an unreachable emulator is an api_connection_error", async () => {
    const pi = await intent();
    const response = await forwardSandboxStripeRequest(confirmRequest(pi, "4242424242424242"), ["v1", "payment_intents", pi.id, "confirm"], {
      apiUrl: "http://127.0.0.1:1",
      publishableKey: PK,
    });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe("api_connection_error");
  });
});
