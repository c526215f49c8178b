// A statement made outside a transaction is never part of another's: on SQLite the app has one connection, and a write
// made while another request's transaction was open went into that transaction and was lost when it rolled back. The
// webhook's stored event (answered 200, so Stripe never sends it again) is the write that matters most.
import Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { databaseUnavailable, startGateway, TEST_KEYS, type Gateway } from "../../dev/testing/harness";
import { transaction } from "./client";

describe.skipIf(databaseUnavailable())("writes outside a transaction", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ worker: false });
  }, 60_000);
  afterAll(async () => gw?.close());

  test("an event stored while another transaction is open stays stored when that transaction rolls back", async () => {
    const db = gw.services.rootDb;
    let inside!: () => void;
    const opened = new Promise<void>((resolve) => (inside = resolve));
    const rolledBack = transaction(db, async (tx) => {
      await tx.rateLimitWindow.create({ data: { key: "isolation-test", windowStart: new Date(), count: 1, expiresAt: new Date() } });
      inside();
      await new Promise((resolve) => setTimeout(resolve, 300));
      throw new Error("this transaction rolls back");
    }).catch((error: Error) => error.message);
    await opened;
    const payload = JSON.stringify({ id: "evt_isolation_1", object: "event", type: "customer.created", livemode: false, created: 1, data: { object: { id: "cus_1", object: "customer" } } });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_KEYS.webhookSecret });
    const delivered = await gw.request("POST", "/api/stripe/webhook", payload, { "stripe-signature": signature, "content-type": "application/json" });
    expect(delivered.status).toBe(200);
    expect(await rolledBack).toBe("this transaction rolls back");
    expect(await db.rateLimitWindow.count({ where: { key: "isolation-test" } })).toBe(0);
    expect(await db.stripeEvent.count({ where: { id: "evt_isolation_1" } })).toBe(1);
  });
});
