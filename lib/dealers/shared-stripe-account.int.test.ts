// Two dealers on one Stripe account: an operator's mistake the go-live check catches (the second dealer stays in
// setup), but Stripe sends every event of the account to both dealers' webhook endpoints all the same, in either
// order. Each dealer's lane must still see every event of its own payments: the payment credited within seconds
// and a refund made in Stripe's Dashboard debited once, whichever endpoint Stripe delivers to first, and nothing
// moving at the other dealer's Navixy. The other dealer records the event as foreign and changes nothing.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Stripe from "stripe";
import { databaseUnavailable, startGateway, waitFor, TEST_KEYS, type Gateway } from "../../dev/testing/harness";
import type { NavixyEmulator } from "../../dev/emulators/navixy/server";
import { HOSTED_OPERATOR as OPERATOR, addHostedDealer } from "../../dev/testing/hosted-dealer";
import { suspendDealer } from "../admin/dealers";
import { runSetupChecks } from "../admin/setup";
import { servicesForDealer, type Services } from "../server/services";
import type { LedgerWorker } from "../payments/worker/ledger-worker";
import { createWorker } from "../server/start";
import { HANDLED_EVENT_TYPES } from "../payments/intake/handle-stripe-event";

const skip = databaseUnavailable();

const SECRETS_KEY = `k1:${Buffer.alloc(32, 5).toString("base64")}`;
// Dealer B's keys are the environment's: the same Stripe account. Its webhook endpoint has a secret of its own.
const B_KEYS = { secret: TEST_KEYS.secret, publishable: TEST_KEYS.publishable, webhookSecret: "whsec_dealer_b_on_the_same_account" };

type Order = "its own endpoint first" | "the other dealer's endpoint first" | "both at once";

interface Side {
  name: string;
  dealerId: string;
  url: string;
  navixy: NavixyEmulator;
  user: number;
  db: Services["db"];
}

describe.skipIf(skip)("two dealers on one Stripe account, both endpoints receiving every event", () => {
  let gw: Gateway;
  let navixyB: NavixyEmulator;
  let worker: LedgerWorker;
  let b: Services;
  let A: Side;
  let B: Side;
  /** Handled events of one dealer's payments, and the dealer whose endpoint also received them. */
  const delivered: { owner: Side; other: Side; eventIds: string[] }[] = [];

  beforeAll(async () => {
    gw = await startGateway({ worker: false, env: { SECRETS_KEY } });
    let report;
    ({ navixy: navixyB, report } = await addHostedDealer(B_KEYS, { PAYMENT_MIN_AMOUNT: "2" }, { stripe: gw.stripeEmulator }));
    expect(report.dealer.status).toBe("setup");
    expect(report.blocking.map((c) => c.id)).toEqual(["stripe-account"]);
    b = (await servicesForDealer(report.dealer.id))!;
    A = { name: "A", dealerId: "default", url: `${gw.url}/api/stripe/webhook`, navixy: gw.navixy, user: 10002, db: gw.services.db };
    B = { name: "B", dealerId: b.dealer.id, url: report.webhookUrl, navixy: navixyB, user: 20001, db: b.db };
    // One account, two endpoints: Stripe sends each event to both.
    gw.stripeEmulator.setWebhookEndpoints([
      { url: A.url, secret: TEST_KEYS.webhookSecret },
      { url: B.url, secret: B_KEYS.webhookSecret },
    ]);
    worker = createWorker(gw.services);
    worker.start();
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await navixyB?.close();
    await gw?.close();
  });

  /** The events Stripe raises while `action` runs, none delivered yet. */
  async function eventsOf<T>(action: () => Promise<T>): Promise<{ result: T; events: Stripe.Event[] }> {
    const stripe = gw.stripeEmulator;
    const before = new Set(stripe.events().map((e) => e.id));
    stripe.pauseDeliveries(true, "drop");
    try {
      const result = await action();
      return { result, events: stripe.events().filter((e) => !before.has(e.id)) };
    } finally {
      stripe.pauseDeliveries(false);
    }
  }

  /** Delivers each event to both endpoints, in the order asked; each delivery has been answered when it returns. */
  async function deliver(events: Stripe.Event[], order: Order, own: Side, other: Side): Promise<void> {
    const stripe = gw.stripeEmulator;
    for (const event of events) {
      if (order === "both at once") {
        stripe.resendEvent(event.id);
      } else {
        for (const side of order === "its own endpoint first" ? [own, other] : [other, own]) {
          stripe.resendEvent(event.id, side.url);
          await stripe.flushDeliveries();
        }
      }
    }
    await stripe.flushDeliveries();
  }

  const movementsOf = (side: Side, piId: string) => side.db.balanceMovement.findMany({ where: { payment: { stripePaymentIntentId: piId } }, orderBy: { createdAt: "asc" } });

  async function payAtB(userId: number, amount: number): Promise<{ paymentId: string; piId: string }> {
    const created = await gw.request("POST", "/d/dealer-b/api/payments", { userId, amount });
    expect(created.status, created.text).toBe(201);
    const piId = String(created.body.clientSecret).split("_secret_")[0]!;
    const confirmed = await gw.confirmAsPayer(piId, created.body.clientSecret);
    expect(confirmed.status).toBe(200);
    return { paymentId: created.body.paymentId, piId };
  }

  /**
   * A payment of `own`'s payer, then a partial refund in Stripe's Dashboard, each event delivered to both endpoints
   * in `order`: credited within seconds, debited once, nothing at the other dealer's Navixy or in its ledger.
   */
  async function payAndRefund(own: Side, other: Side, order: Order): Promise<void> {
    const otherCalls = other.navixy.changeBalanceCalls();
    const ownCalls = own.navixy.changeBalanceCalls(own.user);
    const ownBalance = own.navixy.balanceCents(own.user);

    const paid = await eventsOf(() => (own === A ? gw.pay(A.user, 1500) : payAtB(B.user, 1500)));
    const { piId } = paid.result;
    const started = Date.now();
    await deliver(paid.events, order, own, other);
    await waitFor(async () => (await movementsOf(own, piId)).some((m) => m.kind === "credit" && m.state === "applied"), {
      what: `${own.name}'s payment credited (${order})`,
      timeoutMs: 5_000,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(own.navixy.balanceCents(own.user) - ownBalance).toBe(1500);

    // A refund made in Stripe's Dashboard: the account's own API, not this gateway.
    const refunded = await eventsOf(() => gw.stripe.refunds.create({ payment_intent: piId, amount: 600 }));
    await deliver(refunded.events, order, own, other);
    await waitFor(async () => (await movementsOf(own, piId)).some((m) => m.kind === "debit" && m.state === "applied"), {
      what: `${own.name}'s Dashboard refund debited (${order})`,
      timeoutMs: 5_000,
    });

    // Stripe retries: every event again to both endpoints changes nothing.
    const all = [...paid.events, ...refunded.events];
    await deliver(all, "both at once", own, other);
    await worker.drain();
    const movements = await movementsOf(own, piId);
    expect(movements.map((m) => [m.kind, m.amount, m.state])).toEqual([
      ["credit", 1500, "applied"],
      ["debit", 600, "applied"],
    ]);
    expect(own.navixy.balanceCents(own.user) - ownBalance).toBe(900);
    expect(own.navixy.changeBalanceCalls(own.user) - ownCalls).toBe(2);

    // Nothing of it at the other dealer: no Navixy call, no payment, no movement.
    expect(other.navixy.changeBalanceCalls()).toBe(otherCalls);
    expect(await other.db.payment.count({ where: { stripePaymentIntentId: piId } })).toBe(0);
    expect(await other.db.balanceMovement.count({ where: { OR: [{ reference: piId }, { payment: { stripePaymentIntentId: piId } }] } })).toBe(0);
    delivered.push({ owner: own, other, eventIds: all.filter((e) => (HANDLED_EVENT_TYPES as readonly string[]).includes(e.type)).map((e) => e.id) });
  }

  test("B in setup, Stripe delivering to B's endpoint first: A's payment is credited within seconds, its Dashboard refund debited once", async () => {
    await payAndRefund(A, B, "the other dealer's endpoint first");
  }, 30_000);

  test("B in setup, Stripe delivering to A's endpoint first: the same", async () => {
    await payAndRefund(A, B, "its own endpoint first");
  }, 30_000);

  test("B suspended, Stripe delivering to both at once: the same", async () => {
    await suspendDealer(OPERATOR, "dealer-b", "on the environment's Stripe account");
    await payAndRefund(A, B, "both at once");
    await payAndRefund(A, B, "the other dealer's endpoint first");
  }, 60_000);

  test("B live on the same account (live before the account was compared): B's payment credited at B, whichever endpoint first; nothing at A", async () => {
    await gw.services.rootDb.dealer.update({ where: { id: B.dealerId }, data: { status: "active" } });
    await waitFor(async () => (await gw.request("POST", "/d/dealer-b/api/payments", { userId: B.user, amount: 500 })).status === 201, {
      what: "B's page taking payments",
      timeoutMs: 8_000,
    });
    await payAndRefund(B, A, "the other dealer's endpoint first");
    await payAndRefund(B, A, "its own endpoint first");
  }, 60_000);

  test("each event of the other dealer's payments is recorded as foreign where it also arrived, and changed nothing there", async () => {
    expect(delivered.length).toBe(6);
    for (const { owner, other, eventIds } of delivered) {
      const atOwner = await owner.db.stripeEvent.findMany({ where: { id: { in: eventIds } } });
      expect(atOwner.map((r) => r.status)).toEqual(eventIds.map(() => "processed"));
      const atOther = await other.db.stripeEvent.findMany({ where: { id: { in: eventIds } } });
      expect(atOther.map((r) => [r.id, r.status, r.paymentId]).sort()).toEqual(eventIds.map((id) => [id, "foreign", null]).sort());
      for (const row of atOther) {
        expect(row.lastError).toMatch(/not in this dealer's ledger/);
        // Nothing that names the dealer whose payment it was.
        expect(row.lastError).not.toMatch(/dealer-b|default/);
      }
    }
  });

  test("an event of another Stripe account (a connected account's) is recorded as foreign at once, and never processed", async () => {
    const paid = await eventsOf(() => gw.pay(A.user, 800));
    const succeeded = paid.events.find((e) => e.type === "payment_intent.succeeded")!;
    const payload = JSON.stringify({ ...succeeded, id: "evt_connected_1", account: "acct_connected_1" });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_KEYS.webhookSecret });
    const res = await gw.request("POST", "/api/stripe/webhook", payload, { "stripe-signature": signature, "content-type": "application/json" });
    expect(res.status).toBe(200);
    await worker.drain();
    const row = await A.db.stripeEvent.findFirstOrThrow({ where: { id: "evt_connected_1" } });
    expect(row).toMatchObject({ status: "foreign", attempts: 0 });
    expect(row.lastError).toContain("acct_connected_1");
    expect(await A.db.balanceMovement.count({ where: { reference: paid.result.piId } })).toBe(0);
    // Its own events still credit it.
    await deliver(paid.events, "its own endpoint first", A, B);
    await gw.waitCredited(paid.result.paymentId);
  });

  test("the Setup page of the dealer whose endpoint got them says so, naming no other dealer", async () => {
    const check = (await runSetupChecks(b)).find((c) => c.id === "webhook-foreign");
    expect(check).toMatchObject({ state: "failed" });
    expect(check!.detail).toMatch(/^\d+ events? in the last 7 days/);
    expect(check!.detail).toContain("another dealer");
    expect(check!.detail).not.toMatch(/"default"|dealer-b/);
    expect(check!.warning).toBeTruthy();
    // The environment's dealer got B's events too.
    expect((await runSetupChecks(gw.services)).find((c) => c.id === "webhook-foreign")?.state).toBe("failed");
  });
});
