// The Stripe details of a payment, read back from Stripe with the real SDK: the receipt by e-mail (the Navixy login
// reaches Stripe only on the paid Charge, never anything a browser can read), the Customer's language, the
// statement descriptor suffix, and the client's address and browser for Radar rules.
import { Writable } from "node:stream";
import type Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, DEFAULT_USERS, startGateway, TEST_KEYS, waitFor, type Gateway } from "../../dev/testing/harness";
import { resetLoggerForTests } from "../logging/logger";
import { loadCheckout } from "../checkout/load-checkout";
import { encodeCheckoutHeader } from "../../components/checkout/checkout-header";
import { mandateText } from "../autotopup/terms";
import { syncPaymentIntent } from "./sync-payment-intent";
import { asPaymentIntentId } from "../ids";

const LOGIN = "jane.smith@fleet.example.com";
const USERS = [
  { id: 10001, firstName: "Jane", lastName: "Smith", login: LOGIN, balance: "12.50" },
  { id: 10005, firstName: "Max", lastName: "Mustermann", login: "max_mustermann", balance: "1.00" },
  ...DEFAULT_USERS.filter((u) => u.id !== 10001),
];
const BROWSER = { "x-forwarded-for": "198.51.100.7, 203.0.113.9", "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" };

/** The log lines written from now on. */
function captureLog(): string[] {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      cb();
    },
  });
  process.env.LOG_LEVEL = "debug";
  resetLoggerForTests(destination);
  return lines;
}

const previousLogLevel = process.env.LOG_LEVEL;
afterEach(() => {
  if (previousLogLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = previousLogLevel;
  resetLoggerForTests();
});

describe.skipIf(databaseUnavailable())("Stripe details of a payment", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users: USERS, env: { STRIPE_STATEMENT_DESCRIPTOR_SUFFIX: "Top up", SWEEP_INTERVAL_MS: "3600000" } });
  });
  afterAll(async () => gw?.close());

  /** The PaymentIntent as the payer's browser can read it: publishable key and client secret, as Stripe.js does. */
  async function asPayer(piId: string, clientSecret: string): Promise<string> {
    const res = await fetch(`${gw.stripeEmulator.url}/v1/payment_intents/${piId}?client_secret=${encodeURIComponent(clientSecret)}`, {
      headers: { authorization: `Bearer ${TEST_KEYS.publishable}` },
    });
    expect(res.status).toBe(200);
    return res.text();
  }

  test("the checkout offers the receipt with the address masked; the page's data never holds the address", async () => {
    const result = await loadCheckout(gw.services, "10001");
    expect(result.kind).toBe("ok");
    if (result.kind !== "ok") return;
    expect(result.checkout.maskedReceiptEmail).toBe("j***@f***.com");
    const header = encodeCheckoutHeader(result.checkout);
    for (const text of [JSON.stringify(result.checkout), decodeURIComponent(header)]) {
      expect(text).not.toContain(LOGIN);
      expect(text).not.toContain("jane.smith");
      expect(text).not.toContain("fleet.example");
    }
    const noEmail = await loadCheckout(gw.services, "10005");
    expect(noEmail.kind === "ok" && noEmail.checkout.maskedReceiptEmail).toBeUndefined();
  });

  test("a receipt: Stripe gets the user's Customer in the page's language; the address reaches only the paid Charge, once", async () => {
    const log = captureLog();
    const res = await gw.request("POST", "/api/payments", { userId: 10001, amount: 2500, receipt: true, locale: "de" }, BROWSER);
    expect(res.status).toBe(201);
    expect(res.text).not.toContain(LOGIN);
    const piId = String(res.body.clientSecret).split("_secret_")[0]!;

    // What Stripe received at creation.
    const created = await gw.stripe.paymentIntents.retrieve(piId);
    expect(created.receipt_email).toBeNull();
    expect(created.statement_descriptor_suffix).toBe("Top up");
    expect(created.metadata).toMatchObject({
      navixy_user_id: "10001",
      payment_id: res.body.paymentId,
      receipt: "requested",
      client_ip: "203.0.113.9",
      client_user_agent: BROWSER["user-agent"],
    });
    expect(typeof created.customer).toBe("string");
    const customer = (await gw.stripe.customers.retrieve(String(created.customer))) as Stripe.Customer;
    expect(customer.preferred_locales).toEqual(["de"]);
    expect(customer.email).toBeNull();
    expect(customer.metadata).toMatchObject({ navixy_user_id: "10001" });
    expect(await asPayer(piId, res.body.clientSecret)).not.toContain(LOGIN);

    // The payer pays in the browser; the webhook's sync sends the receipt.
    const confirmed = await gw.confirmAsPayer(piId, res.body.clientSecret);
    expect(confirmed.body.status).toBe("succeeded");
    expect(JSON.stringify(confirmed.body)).not.toContain(LOGIN);
    await gw.waitCredited(res.body.paymentId);
    const sent = await waitFor(() => gw.stripeEmulator.sentReceipts().find((r) => r.paymentIntent === piId), { what: "the receipt" });
    expect(sent).toMatchObject({ email: LOGIN, locale: "de", amount: 2500, currency: "eur" });
    const paid = await waitFor(async () => {
      const pi = await gw.stripe.paymentIntents.retrieve(piId, { expand: ["latest_charge"] });
      return pi.metadata.receipt === "sent" ? pi : null;
    }, { what: "the receipt marked sent" });
    const charge = paid.latest_charge as Stripe.Charge;
    expect(charge.receipt_email).toBe(LOGIN);
    expect(charge.calculated_statement_descriptor).toBe("EMULATOR* TOP UP");
    expect(paid.receipt_email).toBeNull();

    // Nothing the browser can read holds the address: our status API, the PaymentIntent by client secret.
    const status = await gw.request("GET", `/api/payments/${res.body.paymentId}`);
    expect(status.body.credited).toBe(true);
    expect(status.text).not.toContain(LOGIN);
    expect(await asPayer(piId, res.body.clientSecret)).not.toContain(LOGIN);

    // Any number of later syncs (a redelivered webhook, the return page) send no second receipt.
    await syncPaymentIntent(gw.services, asPaymentIntentId(piId), "test");
    const event = gw.stripeEmulator.events().find((e) => e.type === "payment_intent.succeeded" && (e.data.object as { id: string }).id === piId)!;
    gw.stripeEmulator.resendEvent(event.id);
    await gw.stripeEmulator.flushDeliveries();
    await syncPaymentIntent(gw.services, asPaymentIntentId(piId), "test");
    expect(gw.stripeEmulator.sentReceipts().filter((r) => r.paymentIntent === piId)).toHaveLength(1);

    // The address is never logged; the client's address and browser are not either.
    expect(log.length).toBeGreaterThan(0);
    expect(log.join("\n")).not.toContain(LOGIN);
    expect(log.join("\n")).not.toContain("198.51.100.7");
  });

  test("two syncs at the same moment (the webhook and the return page) send one receipt", async () => {
    const res = await gw.request("POST", "/api/payments", { userId: 10001, amount: 1500, receipt: true, locale: "en" });
    const piId = String(res.body.clientSecret).split("_secret_")[0]!;
    gw.stripeEmulator.pauseDeliveries(true, "drop");
    try {
      await gw.confirmAsPayer(piId, res.body.clientSecret);
      await Promise.all([1, 2, 3].map(() => syncPaymentIntent(gw.services, asPaymentIntentId(piId), "test")));
    } finally {
      gw.stripeEmulator.pauseDeliveries(false);
    }
    expect(gw.stripeEmulator.sentReceipts().filter((r) => r.paymentIntent === piId)).toEqual([expect.objectContaining({ email: LOGIN, locale: "en" })]);
    // One update of the Charge reached Stripe: the others replayed its idempotency key.
    const chargeId = (await gw.stripe.paymentIntents.retrieve(piId)).latest_charge;
    expect(gw.stripeEmulator.events().filter((e) => e.type === "charge.updated" && (e.data.object as { id: string }).id === chargeId)).toHaveLength(1);
  });

  test("no receipt asked: no Customer, no receipt, the suffix and Radar metadata still there", async () => {
    const paid = await gw.pay(10001, 3000);
    await gw.waitCredited(paid.paymentId);
    const pi = await gw.stripe.paymentIntents.retrieve(paid.piId);
    expect(pi.customer).toBeNull();
    expect(pi.metadata.receipt).toBeUndefined();
    expect(pi.metadata.client_ip).toBe("127.0.0.1"); // no X-Forwarded-For: the connection's own address
    expect(pi.statement_descriptor_suffix).toBe("Top up");
    expect(gw.stripeEmulator.sentReceipts().filter((r) => r.paymentIntent === paid.piId)).toEqual([]);
  });

  test("a language Stripe does not write receipts in gets English; the Customer is the one automatic top-up uses", async () => {
    const terms = { amount: 2000, threshold: 1000, monthlyLimit: 10_000 };
    const res = await gw.request("POST", "/api/payments", {
      userId: 10001,
      amount: 2500,
      receipt: true,
      locale: "uk",
      autoTopUp: { ...terms, mandateText: mandateText(terms, "eur") },
    });
    expect(res.status).toBe(201);
    const pi = await gw.stripe.paymentIntents.retrieve(String(res.body.clientSecret).split("_secret_")[0]!);
    expect(pi.setup_future_usage).toBe("off_session");
    const row = await gw.services.db.stripeCustomer.findFirst({ where: { navixyUserId: 10001 } });
    expect(pi.customer).toBe(row?.stripeCustomerId);
    expect(((await gw.stripe.customers.retrieve(String(pi.customer))) as Stripe.Customer).preferred_locales).toEqual(["en"]);
  });

  test("refused with a clear 400, creating nothing: a receipt for a login that is not an e-mail, a bad receipt or locale field", async () => {
    const before = gw.stripeEmulator.paymentIntents().length;
    const payments = await gw.services.db.payment.count();
    for (const [body, code] of [
      [{ userId: 10005, amount: 2500, receipt: true }, "receipt_unavailable"],
      [{ userId: 10001, amount: 2500, receipt: "yes" }, "invalid_receipt"],
      [{ userId: 10001, amount: 2500, locale: "xx" }, "invalid_locale"],
    ] as const) {
      const res = await gw.request("POST", "/api/payments", body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.text).not.toContain("max_mustermann");
    }
    expect(gw.stripeEmulator.paymentIntents()).toHaveLength(before);
    expect(await gw.services.db.payment.count()).toBe(payments);
  });

  test("the account's login changed to a non-address before the payment succeeded: no receipt, marked not_sent", async () => {
    const res = await gw.request("POST", "/api/payments", { userId: 10003, amount: 2500, receipt: true });
    expect(res.status).toBe(201); // the emulator's default login for 10003 is an e-mail address
    gw.navixy.setUsers([{ id: 10003, legalName: "Acme Logistics", login: "acme", balance: "100.00" }]);
    const piId = String(res.body.clientSecret).split("_secret_")[0]!;
    await gw.confirmAsPayer(piId, res.body.clientSecret);
    await waitFor(async () => ((await gw.stripe.paymentIntents.retrieve(piId)).metadata.receipt === "not_sent" ? true : null), { what: "not_sent" });
    expect(gw.stripeEmulator.sentReceipts().filter((r) => r.paymentIntent === piId)).toEqual([]);
  });
});

describe.skipIf(databaseUnavailable())("receipts switched off", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ users: USERS, worker: false, env: { RECEIPTS_ENABLED: "false" } });
  });
  afterAll(async () => gw?.close());

  test("not offered, and refused when asked for anyway", async () => {
    const result = await loadCheckout(gw.services, "10001");
    expect(result.kind === "ok" && result.checkout.maskedReceiptEmail).toBeUndefined();
    const res = await gw.request("POST", "/api/payments", { userId: 10001, amount: 2500, receipt: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("receipt_unavailable");
    expect(gw.stripeEmulator.paymentIntents()).toEqual([]);
  });
});
