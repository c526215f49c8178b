// The webhook endpoint fails closed: nothing unsigned or tampered is stored or acted on.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, TEST_KEYS, type Gateway } from "../../../dev/testing/harness";

describe.skipIf(databaseUnavailable())("Stripe webhook endpoint", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false });
  });
  afterAll(async () => gw?.close());

  const event = (id: string, type = "payment_intent.succeeded") =>
    JSON.stringify({
      id,
      object: "event",
      type,
      api_version: "2026-10-28.endive",
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      data: { object: { id: "pi_unknown123456789", object: "payment_intent", metadata: {} } },
    });
  const sign = (payload: string, secret = TEST_KEYS.webhookSecret) =>
    gw.stripe.webhooks.generateTestHeaderString({ payload, secret });
  const post = (payload: string, headers: Record<string, string>) =>
    gw.request("POST", "/api/stripe/webhook", payload, { "content-type": "application/json", ...headers });

  test.each([
    ["no signature", () => ({ payload: event("evt_nosig"), headers: {} })],
    ["a signature made with another secret", () => ({ payload: event("evt_wrong"), headers: { "stripe-signature": sign(event("evt_wrong"), "whsec_other") } })],
    ["a tampered body", () => ({ payload: event("evt_tampered").replace("succeeded", "payment_failed"), headers: { "stripe-signature": sign(event("evt_tampered")) } })],
    ["a garbage signature header", () => ({ payload: event("evt_garbage"), headers: { "stripe-signature": "t=1,v1=deadbeef" } })],
    [
      "a replayed signature older than five minutes",
      () => {
        const payload = event("evt_old");
        const timestamp = Math.floor(Date.now() / 1000) - 3600;
        return { payload, headers: { "stripe-signature": gw.stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_KEYS.webhookSecret, timestamp }) } };
      },
    ],
  ])("%s → 400, nothing stored", async (_what, make) => {
    const { payload, headers } = make();
    const res = await post(payload, headers);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toMatch(/signature/);
    expect(await gw.services.db.stripeEvent.count()).toBe(0);
  });

  test("a verified event is stored once; a redelivery is a 200 no-op", async () => {
    const payload = event("evt_once_1");
    const first = await post(payload, { "stripe-signature": sign(payload) });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: true });
    const again = await post(payload, { "stripe-signature": sign(payload) });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, duplicate: true });
    const rows = await gw.services.db.stripeEvent.findMany({ where: { id: "evt_once_1" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "payment_intent.succeeded", status: "received", payload });
  });

  test("an event type we do not handle is acknowledged and stored as ignored", async () => {
    const payload = event("evt_other_1", "customer.created");
    const res = await post(payload, { "stripe-signature": sign(payload) });
    expect(res.status).toBe(200);
    const row = await gw.services.db.stripeEvent.findFirstOrThrow({ where: { id: "evt_other_1" } });
    expect(row.status).toBe("ignored");
  });

  test("an event for a PaymentIntent this gateway did not create is ignored with the reason", async () => {
    const { LedgerWorker } = await import("../worker/ledger-worker");
    const intent = await gw.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
    const payload = JSON.stringify({ ...JSON.parse(event("evt_foreign_1")), data: { object: { id: intent.id, object: "payment_intent" } } });
    await post(payload, { "stripe-signature": sign(payload) });
    await new LedgerWorker(gw.services).drain();
    const row = await gw.services.db.stripeEvent.findFirstOrThrow({ where: { id: "evt_foreign_1" } });
    expect(row.status).toBe("ignored");
    expect(row.lastError).toMatch(/not created by this gateway/);
    expect(await gw.services.db.balanceMovement.count()).toBe(0);
  });
});
