import http from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { call, startHarness, startReceiver, WEBHOOK_SECRET, type WebhookReceiver, useHarness } from "./test-helpers";

const h = useHarness();
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => receiver.close());
beforeEach(() => {
  receiver.received.length = 0;
  receiver.respond = () => 200;
  h.emulator.setWebhookEndpoints([{ url: receiver.url, secret: WEBHOOK_SECRET }]);
});
afterEach(() => h.emulator.setWebhookEndpoints([]));

const payCard = (pm = "pm_card_visa") =>
  h.stripe.paymentIntents.create({ amount: 2500, currency: "eur", allowed_payment_method_types: ["card"], confirm: true, payment_method: pm, metadata: { payment_id: "pay_1" } });

function verified(body: string, signature: string, secret = WEBHOOK_SECRET): Stripe.Event {
  return h.stripe.webhooks.constructEvent(body, signature, secret);
}

describe("webhook delivery", () => {
  test("every event is POSTed, signed so that constructEvent accepts it, in creation order", async () => {
    const pi = await payCard();
    await h.emulator.flushDeliveries();
    const events = h.emulator.events();
    expect(events.map((e) => e.type)).toEqual(["payment_intent.created", "charge.succeeded", "payment_intent.succeeded"]);
    expect(receiver.received).toHaveLength(3);

    const delivered = receiver.received.map((r) => verified(r.body, r.signature));
    expect(delivered.map((e) => e.id)).toEqual(events.map((e) => e.id));
    const succeeded = delivered[2] as Stripe.PaymentIntentSucceededEvent;
    expect(succeeded).toMatchObject({
      object: "event",
      type: "payment_intent.succeeded",
      api_version: "2026-10-28.endive",
      livemode: false,
      pending_webhooks: 1,
      data: { object: { id: pi.id, object: "payment_intent", status: "succeeded", amount_received: 2500, metadata: { payment_id: "pay_1" } } },
    });
    expect(succeeded.id).toMatch(/^evt_[A-Za-z0-9]{24}$/);
    expect(succeeded.request).toEqual({ id: expect.stringMatching(/^req_/), idempotency_key: expect.stringMatching(/^stripe-node-retry-/) });

    const first = receiver.received[0];
    expect(first?.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(first?.headers["user-agent"]).toBe("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
    expect(first?.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // The same signature as the SDK's own test helper makes.
    const t = Number(/t=(\d+)/.exec(first?.signature ?? "")?.[1]);
    expect(first?.signature).toBe(h.stripe.webhooks.generateTestHeaderString({ payload: first?.body ?? "", secret: WEBHOOK_SECRET, timestamp: t }));
    // A tampered body or another secret fails verification.
    expect(() => verified((first?.body ?? "").replace("payment_intent", "payment_intenT"), first?.signature ?? "")).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => verified(first?.body ?? "", first?.signature ?? "", "whsec_other")).toThrow(Stripe.errors.StripeSignatureVerificationError);

    expect(h.emulator.deliveries().map((d) => [d.eventId, d.status, d.attempt])).toEqual(events.map((e) => [e.id, 200, 1]));
    // Once delivered, pending_webhooks drops to 0.
    expect((await h.stripe.events.retrieve(succeeded.id)).pending_webhooks).toBe(0);
  });

  test("the event payload is a snapshot of the object at that moment", async () => {
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur", allowed_payment_method_types: ["card"] });
    await h.stripe.paymentIntents.confirm(pi.id, { payment_method: "pm_card_visa" });
    await h.emulator.flushDeliveries();
    const created = verified(receiver.received[0]?.body ?? "", receiver.received[0]?.signature ?? "");
    expect(created.type).toBe("payment_intent.created");
    expect((created.data.object as Stripe.PaymentIntent).status).toBe("requires_payment_method");
  });

  test("a 500 is retried with backoff until the endpoint answers 2xx", async () => {
    receiver.respond = (i) => (i < 2 ? 500 : 200);
    const pi = await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
    await h.emulator.flushDeliveries();
    const attempts = h.emulator.deliveries();
    expect(attempts.map((d) => [d.status, d.attempt])).toEqual([
      [500, 1],
      [500, 2],
      [200, 3],
    ]);
    expect(new Set(receiver.received.map((r) => verified(r.body, r.signature).id)).size).toBe(1);
    const at = receiver.received.map((r) => r.at);
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(45);
    expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(95);
    expect(verified(receiver.received[2]?.body ?? "", receiver.received[2]?.signature ?? "").data.object).toMatchObject({ id: pi.id });
  });

  test("gives up after the last retry; redirects and network errors count as failures", async () => {
    receiver.respond = () => 302;
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
    await h.emulator.flushDeliveries();
    expect(h.emulator.deliveries().map((d) => d.status)).toEqual([302, 302, 302, 302]);

    h.emulator.reset();
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/hook`;
    await new Promise<void>((r) => closed.close(() => r()));
    h.emulator.setWebhookEndpoints([{ url: deadUrl, secret: WEBHOOK_SECRET }]);
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
    await h.emulator.flushDeliveries();
    const failures = h.emulator.deliveries();
    expect(failures).toHaveLength(4);
    expect(failures.every((d) => d.status === null && typeof d.error === "string")).toBe(true);
  });

  test("a slow endpoint times out and is retried", async () => {
    const local = await startHarness({ webhookTimeoutMs: 100, webhookRetryDelaysMs: [20] });
    const hanging = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => hanging.listen(0, "127.0.0.1", r));
    try {
      local.emulator.setWebhookEndpoints([{ url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/`, secret: WEBHOOK_SECRET }]);
      await local.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
      await local.emulator.flushDeliveries();
      expect(local.emulator.deliveries().map((d) => [d.status, d.error])).toEqual([
        [null, "timed out after 100 ms"],
        [null, "timed out after 100 ms"],
      ]);
    } finally {
      await local.close();
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });

  test("paused (hold): recorded but not sent; sent when resumed", async () => {
    h.emulator.pauseDeliveries(true);
    await payCard();
    await h.emulator.flushDeliveries();
    await new Promise((r) => setTimeout(r, 50));
    expect(h.emulator.events()).toHaveLength(3);
    expect(receiver.received).toHaveLength(0);
    expect(h.emulator.deliveries()).toHaveLength(0);
    h.emulator.pauseDeliveries(false);
    await h.emulator.flushDeliveries();
    expect(receiver.received.map((r) => verified(r.body, r.signature).type)).toEqual([
      "payment_intent.created",
      "charge.succeeded",
      "payment_intent.succeeded",
    ]);
  });

  test("paused (drop): lost for good, unless resent", async () => {
    h.emulator.pauseDeliveries(true, "drop");
    await payCard();
    h.emulator.pauseDeliveries(false);
    await h.emulator.flushDeliveries();
    expect(receiver.received).toHaveLength(0);
    const lost = await h.stripe.events.list({ delivery_success: false, type: "payment_intent.succeeded" });
    expect(lost.data).toHaveLength(1);
    const res = await call(h.emulator, "POST", `/_emulator/events/${lost.data[0]?.id}/resend`, { json: {} });
    expect(res.body).toEqual({ ok: true, endpoints: 1 });
    await h.emulator.flushDeliveries();
    expect(receiver.received.map((r) => verified(r.body, r.signature).id)).toEqual([lost.data[0]?.id]);
  });

  test("pausing over HTTP, and redelivering an already delivered event", async () => {
    const paused = await call(h.emulator, "POST", "/_emulator/deliveries/pause", { json: { paused: true } });
    expect(paused.body).toEqual({ paused: true, mode: "hold" });
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
    await call(h.emulator, "POST", "/_emulator/deliveries/pause", { json: { paused: false } });
    const flushed = await call(h.emulator, "POST", "/_emulator/deliveries/flush");
    expect(flushed.status).toBe(200);
    expect(receiver.received).toHaveLength(1);
    const id = h.emulator.events()[0]?.id ?? "";
    h.emulator.resendEvent(id);
    await h.emulator.flushDeliveries();
    expect(receiver.received.map((r) => verified(r.body, r.signature).id)).toEqual([id, id]);
  });

  test("several endpoints, each with its own secret and event filter", async () => {
    const other = await startReceiver();
    try {
      h.emulator.setWebhookEndpoints([
        { url: receiver.url, secret: WEBHOOK_SECRET },
        { url: other.url, secret: "whsec_other", enabledEvents: ["payment_intent.succeeded", "charge.*"] },
      ]);
      await payCard();
      await h.emulator.flushDeliveries();
      expect(receiver.received).toHaveLength(3);
      expect(other.received.map((r) => verified(r.body, r.signature, "whsec_other").type)).toEqual(["charge.succeeded", "payment_intent.succeeded"]);
      expect(h.emulator.events().find((e) => e.type === "payment_intent.created")?.pending_webhooks).toBe(0);
    } finally {
      await other.close();
    }
  });

  test("endpoints can be set over HTTP", async () => {
    const res = await call(h.emulator, "POST", "/_emulator/webhooks", { json: { endpoints: [{ url: receiver.url, secret: "whsec_http" }] } });
    expect(res.status).toBe(200);
    await h.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
    await h.emulator.flushDeliveries();
    expect(verified(receiver.received[0]?.body ?? "", receiver.received[0]?.signature ?? "", "whsec_http").type).toBe("payment_intent.created");
    const bad = await call(h.emulator, "POST", "/_emulator/webhooks", { json: { endpoints: [{ url: "nope" }] } });
    expect(bad.status).toBe(400);
  });

  test("endpoints given at start are used", async () => {
    const local = await startHarness({ webhooks: [{ url: receiver.url, secret: WEBHOOK_SECRET }] });
    try {
      await local.stripe.paymentIntents.create({ amount: 1000, currency: "eur" });
      await local.emulator.flushDeliveries();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await local.close();
    }
  });
});

describe("events API", () => {
  test("list newest first, filter by type / created, paginate, retrieve", async () => {
    h.emulator.setWebhookEndpoints([]);
    const pi = await payCard();
    await h.stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    const all = await h.stripe.events.list();
    expect(all.object).toBe("list");
    expect(all.url).toBe("/v1/events");
    expect(all.data.map((e) => e.type)).toEqual([
      "charge.refunded",
      "refund.created",
      "payment_intent.succeeded",
      "charge.succeeded",
      "payment_intent.created",
    ]);
    const page = await h.stripe.events.list({ limit: 2, starting_after: all.data[1]?.id });
    expect(page.data.map((e) => e.id)).toEqual([all.data[2]?.id, all.data[3]?.id]);
    expect(page.has_more).toBe(true);
    const succeeded = await h.stripe.events.list({ type: "payment_intent.succeeded" });
    expect(succeeded.data).toHaveLength(1);
    const wildcard = await h.stripe.events.list({ type: "payment_intent.*" });
    expect(wildcard.data).toHaveLength(2);
    const several = await h.stripe.events.list({ types: ["refund.created", "charge.refunded"] });
    expect(several.data).toHaveLength(2);
    const recent = await h.stripe.events.list({ created: { gte: Math.floor(Date.now() / 1000) - 60 } });
    expect(recent.data).toHaveLength(5);
    const one = await h.stripe.events.retrieve(succeeded.data[0]?.id ?? "");
    expect(one).toMatchObject({ type: "payment_intent.succeeded", pending_webhooks: 0 });
    await expect(h.stripe.events.retrieve("evt_missing")).rejects.toMatchObject({ statusCode: 404, message: "No such event: 'evt_missing'" });
    const ids: string[] = [];
    for await (const e of h.stripe.events.list({ limit: 2 })) ids.push(e.id);
    expect(ids).toEqual(all.data.map((e) => e.id));
  });
});
